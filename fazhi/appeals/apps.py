from django.apps import AppConfig


class AppealsConfig(AppConfig):
    name = "fazhi.appeals"
    label = "appeals"
    verbose_name = "行政复议和行政应诉"

    def ready(self) -> None:
        from fazhi.appeals import events as appeal_events
        from fazhi.appeals import workflows  # noqa: F401  (registers the workflow table)
        from fazhi.core import events

        events.register(*appeal_events.EVENTS)
        events.register_legacy(appeal_events.LEGACY)
