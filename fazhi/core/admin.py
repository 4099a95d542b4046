from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from fazhi.core.models import (
    CalendarDay,
    CalendarYear,
    Credential,
    Department,
    Officer,
    Organisation,
    User,
)


@admin.register(User)
class FazhiUserAdmin(UserAdmin):  # type: ignore[type-arg]
    fieldsets = (
        *UserAdmin.fieldsets,
        ("法治平台", {"fields": ("organisation", "department", "role", "full_name")}),
    )  # type: ignore[misc]
    list_display = ("username", "full_name", "organisation", "role", "is_active")


admin.site.register(Organisation)
admin.site.register(Department)
admin.site.register(Officer)
admin.site.register(Credential)
admin.site.register(CalendarYear)
admin.site.register(CalendarDay)
