"""A credential's state is a workflow (``workflows.CREDENTIAL``): ``status`` becomes ``state``
like every workflow field, and its reason and date follow."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0006_seed_published_calendar"),
    ]

    operations = [
        migrations.RenameField(model_name="credential", old_name="status", new_name="state"),
        migrations.RenameField(
            model_name="credential", old_name="status_reason", new_name="state_reason"
        ),
        migrations.RenameField(
            model_name="credential", old_name="status_changed_on", new_name="state_changed_on"
        ),
    ]
