from decimal import Decimal

from django.db import migrations

# The renewal rules of the handbook's quality assurance; staff change them in the admin.
RULES = [
    ("co_trainer", "runs_given", 2, None),
    ("co_trainer", "refreshers", 1, None),
    ("trainer", "runs_given", 2, None),
    ("trainer", "fidelity_reviews", 1, Decimal("3.00")),
    ("trainer", "refreshers", 1, None),
    ("master_trainer", "runs_given", 2, None),
    ("master_trainer", "fidelity_reviews", 1, Decimal("3.00")),
    ("master_trainer", "refreshers", 1, None),
]


def add_rules(apps, schema_editor):
    RenewalRule = apps.get_model("ambassadors", "RenewalRule")
    for level, kind, minimum, minimum_score in RULES:
        RenewalRule.objects.get_or_create(
            level=level, kind=kind, defaults={"minimum": minimum, "minimum_score": minimum_score}
        )


class Migration(migrations.Migration):
    dependencies = [("ambassadors", "0001_initial")]

    operations = [migrations.RunPython(add_rules, migrations.RunPython.noop)]
