"""The audit trail (django-auditlog): which models are tracked and what is left out.

Every create, change and delete of a tracked model becomes a LogEntry with the actor (set by
AuditlogMiddleware from the request's user; empty for tasks and management commands), the time,
the object and the changed fields old → new. Staff read it at /privacy/wijzigingen/.

Tracked: the personal data (persons, subscribers, enrolments, attendance, certificates of
participation, user accounts and invitations, ambassador profiles), the certifications with
their history and evidence, and the settings staff change on pages (mailing lists, renewal rules,
refresher meetings with their attendees, completion per variant, periods and limits). Left out: secrets (password hash,
the enrolment's personal-link token, the certificate's verification code) and last_login (changes
at every login, says nothing).

Erasing a person (privacy.services.erasure) or an account (privacy.services.account_erasure) blanks
the old values in their entries (an account's also loses the address copied into the entries of
changes it made); the retention rules blank what they empty and drop the entries of rows they delete
(unconfirmed subscribers, lapsed invitations); entries older than the audit trail's retention period are deleted
by the nightly retention task.
"""

from auditlog.registry import auditlog
from django.apps import apps

# app_label.Model → registration options.
TRACKED = {
    "accounts.User": {"exclude_fields": ["password", "last_login"], "m2m_fields": {"groups"}},
    "accounts.Invitation": {},
    "dissemination.Person": {},
    "dissemination.Subscriber": {"m2m_fields": {"lists"}},
    "dissemination.MailingList": {},
    "trainings.Enrolment": {"exclude_fields": ["token"]},
    "trainings.Attendance": {},
    "trainings.Certificate": {"exclude_fields": ["code"]},
    "trainings.CompletionRule": {},
    "ambassadors.Ambassador": {},
    "ambassadors.Certification": {},
    "ambassadors.CertificationEvent": {},
    "ambassadors.CertificationEvidence": {},
    "ambassadors.RenewalRule": {},
    "ambassadors.RefresherMeeting": {"m2m_fields": {"attendees"}},
    "policy.PolicyValue": {},
}


def tracked_models():
    """The tracked model classes, in the order above."""
    return [apps.get_model(label) for label in TRACKED]


def register_models() -> None:
    """Register the tracked models with auditlog (called once from PrivacyConfig.ready). Only the
    model's own columns are compared (auditlog would otherwise list every reverse relation as a
    change from nothing to None); many-to-many fields are named in `m2m_fields`."""
    for label, options in TRACKED.items():
        model = apps.get_model(label)
        if auditlog.contains(model):
            continue
        excluded = set(options.get("exclude_fields", []))
        include_fields = [field.name for field in model._meta.concrete_fields if field.name not in excluded]
        auditlog.register(model, include_fields=include_fields, **options)
