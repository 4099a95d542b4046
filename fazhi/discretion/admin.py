"""Read-only admin: every change goes through the services (and the audit chain). Scoped like
the core admin: a system administrator sees the benchmarks of their own subtree."""

from __future__ import annotations

from django.contrib import admin

from fazhi.core.admin import ReadOnlyScopedAdmin
from fazhi.core.roles import Cap
from fazhi.discretion.models import Benchmark, BenchmarkImport, BenchmarkItem, BenchmarkTier


class ReadOnlyAdmin(ReadOnlyScopedAdmin):
    cap = Cap.DISCRETION_VIEW


@admin.register(Benchmark)
class BenchmarkAdmin(ReadOnlyAdmin):
    list_display = ["title", "issuing_body", "organisation", "effective_from", "effective_to"]
    list_filter = ["is_sample"]
    list_select_related = ["organisation"]


@admin.register(BenchmarkItem)
class BenchmarkItemAdmin(ReadOnlyAdmin):
    scope_field = "benchmark__organisation"
    list_display = ["code", "violation", "benchmark", "first_violation_list"]
    list_select_related = ["benchmark"]


@admin.register(BenchmarkTier)
class BenchmarkTierAdmin(ReadOnlyAdmin):
    scope_field = "item__benchmark__organisation"
    list_display = ["item", "tier", "fine_kind", "fine_min", "fine_max"]
    list_select_related = ["item"]


@admin.register(BenchmarkImport)
class BenchmarkImportAdmin(ReadOnlyAdmin):
    list_display = ["file_name", "title", "organisation", "row_count", "error_count", "created_at"]
