"""The Django admin: a read-only, scoped view for system administrators.

Every write goes through the services (permission, validation, audit event), so the admin offers no
add, change or delete: the pages under /org/, /users/ and /officers/ do the writing. Only system
admins are staff (the user services set ``is_staff`` from the role), and each sees the rows of their
own subtree; a superuser created from the command line for operations sees everything.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from fazhi.core.models import (
    AuditEvent,
    CalendarDay,
    CalendarYear,
    Credential,
    Department,
    Job,
    Officer,
    Organisation,
    User,
)
from fazhi.core.roles import Cap
from fazhi.core.scope import get_scoped, has_cap, scoped, visible_organisations


class ReadOnlyScopedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """No writes; rows narrowed to the admin's subtree through ``scope_field``."""

    scope_field: str | None = "organisation"
    cap: Cap = Cap.ORG_MANAGE

    def _allowed(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and (user.is_superuser or has_cap(user, self.cap)))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs: QuerySet[Model] = super().get_queryset(request)
        if request.user.is_superuser or self.scope_field is None:
            return qs
        return scoped(qs, request.user, field=self.scope_field)

    def get_object(
        self, request: HttpRequest, object_id: str, from_field: str | None = None
    ) -> Any:
        """Like every other read by id: a row outside the scope is a 404 recorded as a denied
        attempt, and a missing row the same 404 (Django's own answer, a redirect with a message,
        would tell the two apart)."""
        return get_scoped(self.get_queryset(request), object_id, lookup=from_field or "pk")


@admin.register(Organisation)
class OrganisationAdmin(ReadOnlyScopedAdmin):
    list_display = ("name", "kind", "level", "division_code", "short_name", "is_active")
    list_filter = ("kind", "level", "is_active")
    search_fields = ("name", "division_code")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        if request.user.is_superuser:
            return Organisation.objects.all()
        return visible_organisations(request.user)


@admin.register(Department)
class DepartmentAdmin(ReadOnlyScopedAdmin):
    list_display = ("name", "organisation")
    search_fields = ("name",)


@admin.register(User)
class UserAdmin(ReadOnlyScopedAdmin):
    list_display = ("username", "full_name", "organisation", "role", "is_active", "last_login")
    list_filter = ("role", "is_active")
    search_fields = ("username", "full_name")
    exclude = ("password",)


@admin.register(Officer)
class OfficerAdmin(ReadOnlyScopedAdmin):
    list_display = ("name", "organisation", "title", "is_active")
    search_fields = ("name",)


@admin.register(Credential)
class CredentialAdmin(ReadOnlyScopedAdmin):
    scope_field = "officer__organisation"
    list_display = ("number", "officer", "issued_on", "expires_on", "state")
    list_filter = ("state",)
    search_fields = ("number", "officer__name")


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyScopedAdmin):
    cap = Cap.AUDIT_VIEW
    list_display = ("seq", "created_at", "actor_name", "action", "object_type", "object_id")
    list_filter = ("action",)
    search_fields = ("action", "actor_name", "object_id")


@admin.register(Job)
class JobAdmin(ReadOnlyScopedAdmin):
    list_display = ("id", "kind", "organisation", "created_by", "state", "done", "created_at")
    list_filter = ("state", "kind")
    exclude = ("params",)  # a job's parameters may name rows the admin cannot open


@admin.register(CalendarYear)
class CalendarYearAdmin(ReadOnlyScopedAdmin):
    scope_field = None  # national data


@admin.register(CalendarDay)
class CalendarDayAdmin(ReadOnlyScopedAdmin):
    scope_field = None
