"""One generic link from a stored file to the record it is evidence for (``AttachmentLink``)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0009_document_number_links_its_document"),
    ]

    operations = [
        migrations.CreateModel(
            name="AttachmentLink",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("object_id", models.CharField(max_length=64)),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("photo", "现场照片"),
                            ("evidence", "证据材料"),
                            ("document", "文书"),
                        ],
                        max_length=20,
                        verbose_name="类别",
                    ),
                ),
                ("linked_at", models.DateTimeField(auto_now_add=True, verbose_name="关联时间")),
                (
                    "attachment",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="links",
                        to="core.attachment",
                        verbose_name="附件",
                    ),
                ),
                (
                    "content_type",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        to="contenttypes.contenttype",
                    ),
                ),
                (
                    "linked_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="关联人",
                    ),
                ),
            ],
            options={
                "verbose_name": "附件关联",
                "verbose_name_plural": "附件关联",
                "ordering": ["linked_at", "id"],
                "indexes": [
                    models.Index(
                        fields=["content_type", "object_id"], name="attachment_subject"
                    )
                ],
            },
        ),
    ]
