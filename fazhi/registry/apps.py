from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "fazhi.registry"
    label = "registry"
    verbose_name = "检查对象名录库"
    default_auto_field = "django.db.models.BigAutoField"
