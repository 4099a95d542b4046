"""A deadline can be cancelled (已撤销): a withdrawn matter cancels its clocks."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0007_credential_state"),
    ]

    operations = [
        migrations.AlterField(
            model_name="deadline",
            name="state",
            field=models.CharField(
                choices=[
                    ("open", "进行中"),
                    ("met", "已按期完成"),
                    ("late", "逾期完成"),
                    ("overdue", "已逾期"),
                    ("stopped", "中止计时"),
                    ("calendar_unknown", "日历未知"),
                    ("cancelled", "已撤销"),
                ],
                db_index=True,
                default="open",
                max_length=20,
                verbose_name="状态",
            ),
        ),
    ]
