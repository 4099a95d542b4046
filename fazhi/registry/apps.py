from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def ensure_categories(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """Create any missing seeded category after migrate and after a flush.

    The categories are reference data from migration 0002; ``flush`` (run by every transactional
    test) empties the table and then sends ``post_migrate``, so this puts them back. Existing rows
    are left as they are."""
    import importlib

    seed = importlib.import_module("fazhi.registry.migrations.0002_seed_supervision_categories")
    state: Any = kwargs.get("apps") or sender.apps
    try:
        # the migration state's model: the table exists only if registry is migrated
        model: Any = state.get_model("registry", "SupervisionCategory")
    except LookupError:
        return
    present = set(model._default_manager.using(using).values_list("code", flat=True))
    missing = [
        model(code=code, name=name, sort_order=order * 10)
        for order, (code, name) in enumerate(seed.CATEGORIES, start=1)
        if code not in present
    ]
    if missing:
        model._default_manager.using(using).bulk_create(missing, ignore_conflicts=True)


class RegistryConfig(AppConfig):
    name = "fazhi.registry"
    label = "registry"
    verbose_name = "检查对象名录库"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from fazhi.core import events
        from fazhi.registry import events as registry_events
        from fazhi.registry import workflows  # noqa: F401  (registers the workflow tables)

        events.register(*registry_events.EVENTS)
        events.register_legacy(registry_events.LEGACY)
        post_migrate.connect(ensure_categories, sender=self)
