from django.apps import AppConfig


class DisputesConfig(AppConfig):
    name = "fazhi.disputes"
    label = "disputes"
    verbose_name = "医疗纠纷与排查"

    def ready(self) -> None:
        from fazhi.core import events
        from fazhi.disputes import events as dispute_events
        from fazhi.disputes import workflows  # noqa: F401  (registers the workflow table)

        events.register(*dispute_events.EVENTS)
        events.register_legacy(dispute_events.LEGACY)
