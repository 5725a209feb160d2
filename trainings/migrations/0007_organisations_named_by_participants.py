"""Existing data for the public organisation search (dissemination 0010).

Until now the search showed the whole directory. Nothing becomes public here: there is no telling
which organisations a participant typed in and which an ambassador or staff entered from outreach.
An organisation someone enrolled from through the public form (a Person with an enrolment that staff
did not make) is the one trace of a participant naming it: it is marked as named (at that first
enrolment), so that staff see it on the matching page and confirm or merge it. The search finds the
hosts of public runs from the start."""

from django.db import migrations
from django.db.models import Min


def mark_named(apps, schema_editor):
    Enrolment = apps.get_model("trainings", "Enrolment")
    Organisation = apps.get_model("dissemination", "Organisation")
    first = (
        Enrolment.objects.filter(enrolled_by__isnull=True, person__organisation__isnull=False)
        .values("person__organisation")
        .annotate(first=Min("created_at"))
    )
    for row in first.iterator():
        Organisation.objects.filter(
            pk=row["person__organisation"], named_by_participant_at__isnull=True, public_since__isnull=True
        ).update(named_by_participant_at=row["first"])


class Migration(migrations.Migration):
    dependencies = [
        ("trainings", "0006_training_enrolment_link_key"),
        ("dissemination", "0010_organisation_public_search"),
    ]

    operations = [migrations.RunPython(mark_named, migrations.RunPython.noop)]
