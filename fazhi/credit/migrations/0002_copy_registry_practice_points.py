"""Copy the directory's older practice points (registry ``PracticePoints``) into credit's point
entries, the one store kept (decision 0083); registry's next migration then removes its model.

Each row becomes an entry on the institution itself, behaviour ``历史记分（迁移）``, with its points,
date (its cycle the date's year), reason (as the basis, hence the basis's wider field) and the user
who recorded it. No province value is looked up and no threshold alert is raised: the points are
history as recorded. Reversing deletes the copied entries only.
"""

from django.db import migrations, models

MIGRATED_BEHAVIOUR = "历史记分（迁移）"


def copy_registry_points(apps, schema_editor):
    PracticePoints = apps.get_model("registry", "PracticePoints")
    PointEntry = apps.get_model("credit", "PointEntry")
    rows = PracticePoints.objects.select_related("entity").order_by("id")
    PointEntry.objects.bulk_create(
        [
            PointEntry(
                organisation_id=row.entity.organisation_id,
                entity_id=row.entity_id,
                subject="institution",
                behaviour=MIGRATED_BEHAVIOUR,
                points=row.points,
                cycle=row.recorded_on.year,
                scored_on=row.recorded_on,
                basis=row.reason,
                recorded_by_id=row.by_id,
            )
            for row in rows.iterator()
        ],
        batch_size=500,
    )


def delete_copies(apps, schema_editor):
    PointEntry = apps.get_model("credit", "PointEntry")
    PointEntry.objects.filter(behaviour=MIGRATED_BEHAVIOUR).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("credit", "0001_credit_records_points_lists"),
        ("registry", "0004_import_format_xls_ods"),
    ]

    operations = [
        migrations.AlterField(
            model_name="pointentry",
            name="basis",
            field=models.CharField("依据", max_length=500),
        ),
        migrations.RunPython(copy_registry_points, delete_copies),
    ]
