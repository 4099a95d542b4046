from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "fazhi.core"
    label = "core"
    verbose_name = "基础平台"

    def ready(self) -> None:
        # receivers, checks, and the <id:…> and <year:…> path converters
        from fazhi.core import checks, params, rules, signals  # noqa: F401

        # A malformed rule pack stops start-up with the file, key and reason.
        rules.load_packs()

        # Background jobs: their events, and every app's ``jobs.py`` (the kinds it declares).
        from django.utils.module_loading import autodiscover_modules

        from fazhi.core import events, jobs

        events.register(jobs.JobEvents)
        autodiscover_modules("jobs")
