from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "fazhi.inspections"
    label = "inspections"
    verbose_name = "双随机抽查"
