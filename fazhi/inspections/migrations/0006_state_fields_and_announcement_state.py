"""Workflow states are called ``state``: the plan's and the draw's ``status`` become ``state``
(the partial unique index on the effective draw is rebuilt on the renamed column under its
name), and an announcement gets one: ``drawn`` once a draw used it, ``superseded`` when a newer
announcement of its plan replaced it undrawn, else ``published`` (awaiting its draw). The state is
not part of the announcement hash.
"""

from django.db import migrations, models
from django.db.models import Max


def set_announcement_states(apps, schema_editor):
    DrawAnnouncement = apps.get_model("inspections", "DrawAnnouncement")
    Draw = apps.get_model("inspections", "Draw")
    drawn = set(Draw.objects.values_list("announcement_id", flat=True))
    latest = dict(
        DrawAnnouncement.objects.values("plan_id")
        .annotate(number=Max("number"))
        .values_list("plan_id", "number")
    )
    superseded = [
        pk
        for pk, plan_id, number in DrawAnnouncement.objects.values_list("pk", "plan_id", "number")
        if pk not in drawn and number != latest[plan_id]
    ]
    DrawAnnouncement.objects.filter(pk__in=drawn).update(state="drawn")
    DrawAnnouncement.objects.filter(pk__in=superseded).update(state="superseded")


class Migration(migrations.Migration):

    dependencies = [
        ("inspections", "0005_announcement_context"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="draw",
            name="insp_one_effective_draw_per_plan",
        ),
        migrations.RenameField(
            model_name="inspectionplan",
            old_name="status",
            new_name="state",
        ),
        migrations.RenameField(
            model_name="draw",
            old_name="status",
            new_name="state",
        ),
        migrations.AddConstraint(
            model_name="draw",
            constraint=models.UniqueConstraint(
                condition=models.Q(("state", "effective")),
                fields=("plan",),
                name="insp_one_effective_draw_per_plan",
            ),
        ),
        migrations.AddField(
            model_name="drawannouncement",
            name="state",
            field=models.CharField(
                choices=[
                    ("published", "已公告，待抽取"),
                    ("drawn", "已抽取"),
                    ("superseded", "已被新公告替代"),
                ],
                default="published",
                max_length=16,
                verbose_name="状态",
            ),
        ),
        migrations.RunPython(set_announcement_states, migrations.RunPython.noop),
    ]
