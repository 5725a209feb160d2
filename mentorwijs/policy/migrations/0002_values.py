"""The rows of the periods and limits with today's defaults. A value an installation had set in the
environment variable of the same name (before issue 15 made these data) is carried over, so an
upgrade changes no period; the variables are read no more after this."""

import os

from django.db import migrations

# key → (the former environment variable, the default)
VALUES = {
    "retention_participant_years": ("RETENTION_PARTICIPANT_YEARS", 5),
    "retention_directory_years": ("RETENTION_DIRECTORY_YEARS", 3),
    "retention_run_details_days": ("RETENTION_RUN_DETAILS_DAYS", 90),
    "retention_unconfirmed_subscriber_days": ("RETENTION_UNCONFIRMED_SUBSCRIBER_DAYS", 30),
    "retention_former_subscriber_years": ("RETENTION_FORMER_SUBSCRIBER_YEARS", 2),
    "retention_outreach_notes_years": ("RETENTION_OUTREACH_NOTES_YEARS", 3),
    "retention_invitation_days": ("RETENTION_INVITATION_DAYS", 90),
    "retention_deactivated_account_years": ("RETENTION_DEACTIVATED_ACCOUNT_YEARS", 2),
    "retention_evidence_days": ("RETENTION_EVIDENCE_DAYS", 90),
    "retention_caught_mail_days": ("RETENTION_CAUGHT_MAIL_DAYS", 90),
    "retention_audit_log_years": ("RETENTION_AUDIT_LOG_YEARS", 5),
    "certification_valid_years": ("CERTIFICATION_VALID_YEARS", 2),
    "waitlist_offer_hours": ("WAITLIST_OFFER_HOURS", 48),
    "soft_bounce_limit": ("SOFT_BOUNCE_LIMIT", 3),
}


def _value(variable: str, default: int) -> int:
    try:
        value = int(os.environ.get(variable, default))
    except ValueError:
        return default
    return value if value >= 1 else default


def create_values(apps, schema_editor):
    PolicyValue = apps.get_model("policy", "PolicyValue")
    for key, (variable, default) in VALUES.items():
        PolicyValue.objects.get_or_create(key=key, defaults={"value": _value(variable, default)})


class Migration(migrations.Migration):
    dependencies = [("policy", "0001_initial")]

    operations = [migrations.RunPython(create_values, migrations.RunPython.noop)]
