"""Read-only admin: every change goes through the services (and the audit chain)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from fazhi.registry.models import Entity, ImportBatch, Licence, PracticePoints, SupervisionCategory


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SupervisionCategory)
class SupervisionCategoryAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "sort_order", "is_active"]


@admin.register(Entity)
class EntityAdmin(ReadOnlyAdmin):
    list_display = ["name", "uscc", "id_number", "kind", "organisation", "status", "risk_grade"]
    list_filter = ["kind", "status", "risk_grade", "is_active"]
    search_fields = ["name", "uscc", "id_number"]
    list_select_related = ["organisation"]


@admin.register(Licence)
class LicenceAdmin(ReadOnlyAdmin):
    list_display = ["number", "kind", "entity", "valid_from", "valid_to"]
    search_fields = ["number"]


@admin.register(PracticePoints)
class PracticePointsAdmin(ReadOnlyAdmin):
    list_display = ["entity", "points", "recorded_on", "reason"]


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdmin):
    list_display = ["file_name", "organisation", "status", "row_count", "error_count", "created_at"]
    exclude = ["payload"]
