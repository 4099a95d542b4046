"""An import batch's ``status`` is the state of its workflow: renamed ``state`` (column too)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0002_seed_supervision_categories"),
    ]

    operations = [
        migrations.RenameField(model_name="importbatch", old_name="status", new_name="state"),
    ]
