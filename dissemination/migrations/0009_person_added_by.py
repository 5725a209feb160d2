"""Person.added_by: who typed the person in, so an ambassador sees the people they added.

Existing rows are filled in from the audit trail (django-auditlog, kept since issue 7): the user of
each person's creation entry. A person without such an entry (added by a visitor's enrolment, by a
task or a command, or before the audit trail existed) stays empty: nobody can tell who added them,
and a guess would show them to the wrong ambassador. Empty means staff only, plus the ambassadors
whose contacts name the person."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

CREATE = 0  # auditlog.models.LogEntry.Action.CREATE


def added_by_from_audit_trail(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    LogEntry = apps.get_model("auditlog", "LogEntry")
    Person = apps.get_model("dissemination", "Person")
    content_type = ContentType.objects.filter(app_label="dissemination", model="person").first()
    if content_type is None:  # a fresh database: no person yet
        return
    creators: dict[int, list[int]] = {}
    entries = LogEntry.objects.filter(
        content_type=content_type, action=CREATE, actor__isnull=False, object_id__isnull=False
    ).values_list("object_id", "actor_id")
    for person_id, actor_id in entries.iterator():
        creators.setdefault(actor_id, []).append(person_id)
    for actor_id, person_ids in creators.items():
        for start in range(0, len(person_ids), 500):
            Person.objects.filter(pk__in=person_ids[start : start + 500], added_by__isnull=True).update(
                added_by_id=actor_id
            )


class Migration(migrations.Migration):
    dependencies = [
        ("dissemination", "0008_subscriber_confirmation_request"),
        ("auditlog", "0017_add_actor_email"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="person",
            name="added_by",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="added by",
            ),
        ),
        migrations.RunPython(added_by_from_audit_trail, migrations.RunPython.noop),
    ]
