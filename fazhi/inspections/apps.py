from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "fazhi.inspections"
    label = "inspections"
    verbose_name = "双随机抽查"

    def ready(self) -> None:
        from fazhi.core import events
        from fazhi.inspections import events as inspection_events
        from fazhi.inspections import workflows  # noqa: F401  (registers the tables)

        events.register(*inspection_events.ALL)
        events.register_legacy(inspection_events.LEGACY)
