from django.apps import AppConfig


class EnforcementConfig(AppConfig):
    name = "fazhi.enforcement"
    label = "enforcement"
    verbose_name = "行政处罚"

    def ready(self) -> None:
        from fazhi.core import events
        from fazhi.enforcement import events as enforcement_events
        from fazhi.enforcement import (
            execution_events,
            execution_workflows,  # noqa: F401  (after the decision)
            workflows,  # noqa: F401  (registers the workflow tables)
        )
        from fazhi.enforcement.documents import jobs as _document_jobs  # noqa: F401  (job kind)
        from fazhi.enforcement.review import jobs as _review_jobs  # noqa: F401  (job kind)

        events.register(*enforcement_events.EVENTS, *execution_events.EVENTS)
        events.register_legacy(enforcement_events.LEGACY)
