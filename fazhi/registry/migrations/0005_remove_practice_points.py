"""Remove the directory's older practice points: credit's point entries are the one store, and
credit's migration has copied the rows (decision 0083)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0004_import_format_xls_ods"),
        ("credit", "0002_copy_registry_practice_points"),
    ]

    operations = [
        migrations.DeleteModel(name="PracticePoints"),
    ]
