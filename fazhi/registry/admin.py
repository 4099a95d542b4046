"""Read-only admin: every change goes through the services (and the audit chain). Scoped like
the core admin: a system administrator sees the directory of their own subtree."""

from __future__ import annotations

from django.contrib import admin

from fazhi.core.admin import ReadOnlyScopedAdmin
from fazhi.core.roles import Cap
from fazhi.registry.models import Entity, ImportBatch, Licence, SupervisionCategory


class ReadOnlyAdmin(ReadOnlyScopedAdmin):
    cap = Cap.REGISTRY_VIEW


@admin.register(SupervisionCategory)
class SupervisionCategoryAdmin(ReadOnlyAdmin):
    scope_field = None  # national reference data
    list_display = ["code", "name", "sort_order", "is_active"]


@admin.register(Entity)
class EntityAdmin(ReadOnlyAdmin):
    list_display = ["name", "uscc", "id_number", "kind", "organisation", "status", "risk_grade"]
    list_filter = ["kind", "status", "risk_grade", "is_active"]
    search_fields = ["name", "uscc", "id_number"]
    list_select_related = ["organisation"]


@admin.register(Licence)
class LicenceAdmin(ReadOnlyAdmin):
    scope_field = "entity__organisation"
    list_display = ["number", "kind", "entity", "valid_from", "valid_to"]
    search_fields = ["number"]


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdmin):
    list_display = ["file_name", "organisation", "state", "row_count", "error_count", "created_at"]
    exclude = ["payload"]
