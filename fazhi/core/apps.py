from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "fazhi.core"
    label = "core"
    verbose_name = "基础平台"

    def ready(self) -> None:
        from fazhi.core import checks, rules, signals  # noqa: F401  (connects receivers, checks)

        # A malformed rule pack stops start-up with the file, key and reason.
        rules.load_packs()
