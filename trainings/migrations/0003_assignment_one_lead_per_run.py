from django.db import migrations, models


def extra_leads(rows) -> list[int]:
    """The pks of lead assignments to demote, from (pk, training id) rows of leads in pk order:
    every lead of a run but its first."""
    seen = set()
    extra = []
    for pk, training_id in rows:
        if training_id in seen:
            extra.append(pk)
        seen.add(training_id)
    return extra


def demote_extra_leads(apps, schema_editor):
    """Databases that ran 0002 before it chose one lead per run hold several: keep the first
    (lowest pk) lead of each run and make the others co-trainers, so the constraint can be added."""
    Assignment = apps.get_model("trainings", "Assignment")
    leads = Assignment.objects.filter(role="lead").order_by("pk").values_list("pk", "training_id")
    Assignment.objects.filter(pk__in=extra_leads(leads)).update(role="co_trainer")


class Migration(migrations.Migration):
    dependencies = [
        ("trainings", "0002_assignment"),
    ]

    operations = [
        migrations.RunPython(demote_extra_leads, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="assignment",
            constraint=models.UniqueConstraint(
                condition=models.Q(("role", "lead")), fields=("training",), name="assignment_one_lead_per_run"
            ),
        ),
    ]
