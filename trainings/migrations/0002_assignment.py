import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def roles_for(rows) -> list[tuple[int, int, str]]:
    """(training id, trainer id, role) for (training id, trainer id) rows in pk order: the first
    trainer of each run becomes its lead, the others co-trainers (a run has one lead)."""
    seen = set()
    found = []
    for training_id, trainer_id in rows:
        found.append((training_id, trainer_id, "co_trainer" if training_id in seen else "lead"))
        seen.add(training_id)
    return found


def copy_trainers(apps, schema_editor):
    """Everyone who gave a run before roles existed becomes one of its trainers: the first (the
    lowest row) its lead, the others co-trainers."""
    Training = apps.get_model("trainings", "Training")
    Assignment = apps.get_model("trainings", "Assignment")
    rows = Training.trainers.through.objects.order_by("pk").values_list("training_id", "user_id")
    Assignment.objects.bulk_create(
        Assignment(training_id=training_id, trainer_id=trainer_id, role=role)
        for training_id, trainer_id, role in roles_for(rows)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("trainings", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Assignment",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "role",
                    models.CharField(
                        choices=[
                            ("lead", "Lead trainer"),
                            ("co_trainer", "Co-trainer"),
                            ("candidate", "Candidate (supervised practice)"),
                        ],
                        default="lead",
                        max_length=16,
                        verbose_name="role",
                    ),
                ),
                ("assigned_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="assigned at")),
                (
                    "assigned_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="assigned by",
                    ),
                ),
                (
                    "trainer",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="assignments",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="trainer",
                    ),
                ),
                (
                    "training",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="assignments",
                        to="trainings.training",
                        verbose_name="training run",
                    ),
                ),
            ],
            options={
                "verbose_name": "trainer assignment",
                "verbose_name_plural": "trainer assignments",
                "ordering": ["training", "role", "assigned_at"],
                "constraints": [
                    models.UniqueConstraint(fields=("training", "trainer"), name="assignment_once_per_run")
                ],
            },
        ),
        migrations.RunPython(copy_trainers, migrations.RunPython.noop),
        migrations.RemoveField(model_name="training", name="trainers"),
        migrations.AddField(
            model_name="training",
            name="trainers",
            field=models.ManyToManyField(
                blank=True,
                related_name="trainings_given",
                through="trainings.Assignment",
                through_fields=("training", "trainer"),
                to=settings.AUTH_USER_MODEL,
                verbose_name="trainers",
            ),
        ),
    ]
