import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def copy_trainers(apps, schema_editor):
    """Everyone who gave a run before roles existed becomes its lead trainer."""
    Training = apps.get_model("trainings", "Training")
    Assignment = apps.get_model("trainings", "Assignment")
    rows = Training.trainers.through.objects.all()
    Assignment.objects.bulk_create(
        Assignment(training_id=row.training_id, trainer_id=row.user_id, role="lead") for row in rows
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
