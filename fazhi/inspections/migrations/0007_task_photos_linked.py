"""Task photos stored before the attachment-link table get their link (kind "photo").

Every photo's attachment is linked to its task in ``core.AttachmentLink``, as
``task_attach_photo`` now does in the task's transaction. No audit event: the photos' storage is
already in the chain (``attachment.stored``, ``inspection_task.photo_attached``); the link row is
derived from those records.
"""

from django.db import migrations


def link(apps, schema_editor):
    TaskPhoto = apps.get_model("inspections", "TaskPhoto")
    AttachmentLink = apps.get_model("core", "AttachmentLink")
    ContentType = apps.get_model("contenttypes", "ContentType")
    task_type, _ = ContentType.objects.get_or_create(app_label="inspections", model="inspectiontask")
    existing = set(
        AttachmentLink.objects.filter(content_type=task_type, kind="photo").values_list(
            "attachment_id", "object_id"
        )
    )
    rows = [
        AttachmentLink(
            attachment_id=photo.attachment_id,
            content_type=task_type,
            object_id=str(photo.task_id),
            kind="photo",
            linked_by_id=photo.attachment.uploaded_by_id,
        )
        for photo in TaskPhoto.objects.select_related("attachment").order_by("pk")
        if (photo.attachment_id, str(photo.task_id)) not in existing
    ]
    AttachmentLink.objects.bulk_create(rows, batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("inspections", "0006_state_fields_and_announcement_state"),
        ("core", "0010_attachment_link"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(link, migrations.RunPython.noop)]
