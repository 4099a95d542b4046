from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "fazhi.core"
    label = "core"
    verbose_name = "基础平台"

    def ready(self) -> None:
        # receivers, checks, and the <id:…> and <year:…> path converters
        # and the kernel's workflow tables
        from fazhi.core import (  # noqa: F401
            audit_events,
            checks,
            events,
            params,
            rules,
            signals,
            workflows,
        )

        events.register(*audit_events.ALL)
        events.register_legacy(audit_events.LEGACY)
        # A malformed rule pack stops start-up with the file, key and reason.
        rules.load_packs()

        # Background jobs: their events, and every app's ``jobs.py`` (the kinds it declares).
        from django.utils.module_loading import autodiscover_modules

        from fazhi.core import events, jobs

        events.register(jobs.JobEvents)
        autodiscover_modules("jobs")
