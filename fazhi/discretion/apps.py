from django.apps import AppConfig


class DiscretionConfig(AppConfig):
    name = "fazhi.discretion"
    label = "discretion"
    verbose_name = "裁量基准"

    def ready(self) -> None:
        from fazhi.core import events
        from fazhi.discretion import events as discretion_events

        events.register(*discretion_events.EVENTS)
        events.register_legacy(discretion_events.LEGACY)
