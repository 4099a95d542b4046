from django.apps import AppConfig


class MattersConfig(AppConfig):
    name = "fazhi.matters"
    label = "matters"
    verbose_name = "来信来访与依申请公开"

    def ready(self) -> None:
        from fazhi.core import events
        from fazhi.matters import events as matter_events
        from fazhi.matters import workflows  # noqa: F401  (registers the workflow tables)

        events.register(*matter_events.EVENTS)
        events.register_legacy(matter_events.LEGACY)
