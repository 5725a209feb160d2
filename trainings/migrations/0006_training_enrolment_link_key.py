"""Every run gets its own enrolment link key: added empty, filled with a new random key per existing
run (a callable default in AddField would give all of them the same one), then made unique."""

import secrets

from django.db import migrations, models

import trainings.models


def fill_keys(apps, schema_editor):
    Training = apps.get_model("trainings", "Training")
    for pk in Training.objects.values_list("pk", flat=True):
        Training.objects.filter(pk=pk).update(enrolment_link_key=secrets.token_urlsafe(24))


class Migration(migrations.Migration):
    dependencies = [
        ("trainings", "0005_message_kind_email_changed"),
    ]

    operations = [
        migrations.AddField(
            model_name="training",
            name="enrolment_link_key",
            field=models.CharField(
                editable=False, max_length=64, null=True, verbose_name="enrolment link key"
            ),
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="training",
            name="enrolment_link_key",
            field=models.CharField(
                default=trainings.models.new_token,
                editable=False,
                max_length=64,
                unique=True,
                verbose_name="enrolment link key",
            ),
        ),
    ]
