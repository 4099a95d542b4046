"""An issued document number names the document it numbers (a generic relation, empty for a
number taken by hand on the numbering page)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0008_deadline_cancelled_state"),
    ]

    operations = [
        migrations.AddField(
            model_name="documentnumber",
            name="content_type",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                to="contenttypes.contenttype",
                verbose_name="文书类别",
            ),
        ),
        migrations.AddField(
            model_name="documentnumber",
            name="object_id",
            field=models.CharField(blank=True, max_length=64, verbose_name="文书编号"),
        ),
        migrations.AddIndex(
            model_name="documentnumber",
            index=models.Index(fields=["content_type", "object_id"], name="docnumber_subject"),
        ),
    ]
