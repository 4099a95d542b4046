from django.apps import AppConfig


class CreditConfig(AppConfig):
    name = "fazhi.credit"
    label = "credit"
    verbose_name = "信用监管"

    def ready(self) -> None:
        from fazhi.core import events
        from fazhi.credit import events as credit_events
        from fazhi.credit import workflows  # noqa: F401  (registers the workflow tables)
        from fazhi.credit.services import records
        from fazhi.enforcement.signals import decision_effective, decision_revoked

        events.register(*credit_events.EVENTS)
        events.register_legacy(credit_events.LEGACY)
        decision_effective.connect(records.on_decision_effective, dispatch_uid="credit.records")
        decision_revoked.connect(records.on_decision_revoked, dispatch_uid="credit.revoked")
