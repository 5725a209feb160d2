import secrets

import django.utils.timezone
from django.db import migrations, models

import dissemination.models


def give_every_person_a_research_key(apps, schema_editor):
    """A key of its own for every existing person (AddField would give them all one value). The
    research pseudonyms change once with this migration: they no longer follow the person id."""
    Person = apps.get_model("dissemination", "Person")
    batch = []
    for person in Person.objects.only("pk").iterator(chunk_size=2000):
        person.research_key = secrets.token_hex(16)
        batch.append(person)
        if len(batch) == 2000:
            Person.objects.bulk_update(batch, ["research_key"])
            batch = []
    Person.objects.bulk_update(batch, ["research_key"])


class Migration(migrations.Migration):
    dependencies = [
        ("dissemination", "0010_organisation_public_search"),
    ]

    operations = [
        # Rows from before count as added now: the directory's retention period starts here for them.
        migrations.AddField(
            model_name="person",
            name="created_at",
            field=models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name="added at"),
        ),
        migrations.AddField(
            model_name="person",
            name="research_key",
            field=models.CharField(default="", editable=False, max_length=32),
            preserve_default=False,
        ),
        migrations.RunPython(give_every_person_a_research_key, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="person",
            name="research_key",
            field=models.CharField(default=dissemination.models.new_research_key, editable=False, max_length=32),
        ),
    ]
