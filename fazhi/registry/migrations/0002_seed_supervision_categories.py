"""Seed the supervision categories (专业类别) used by random inspections and the annual report."""

from django.db import migrations

CATEGORIES = [
    ("public_places", "公共场所卫生"),
    ("drinking_water", "生活饮用水卫生"),
    ("school", "学校卫生"),
    ("medical", "医疗卫生"),
    ("radiation", "放射卫生"),
    ("infectious", "传染病防治"),
    ("disinfection", "消毒产品"),
    ("occupational", "职业卫生"),
    ("blood_safety", "血液安全"),
    ("maternal_child", "母婴保健"),
]


def seed(apps, schema_editor):
    SupervisionCategory = apps.get_model("registry", "SupervisionCategory")
    for order, (code, name) in enumerate(CATEGORIES, start=1):
        SupervisionCategory.objects.update_or_create(
            code=code, defaults={"name": name, "sort_order": order * 10}
        )


def unseed(apps, schema_editor):
    SupervisionCategory = apps.get_model("registry", "SupervisionCategory")
    SupervisionCategory.objects.filter(code__in=[code for code, _ in CATEGORIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_entity_directory")]

    operations = [migrations.RunPython(seed, unseed)]
