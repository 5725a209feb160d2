"""The periods and limits the organisation tunes (issue 15: rules are data with a page, not
settings): retention periods, how long a certification lasts, how long a freed place is offered,
how many soft bounces stop newsletters. Each is one row of PolicyValue; this registry in code names
the known keys with their label, unit, default and the range staff may choose from.

Apps read a value with mentorwijs.policy.queries.policy_value(key) and staff change it on the page
"Periods and limits" (mentorwijs.policy.services.policy_value_set), each change in the audit trail.
The data migration 0002 made the rows with the defaults below."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

YEARS, DAYS, HOURS, COUNT = "years", "days", "hours", "count"

RETENTION, CERTIFICATION, ENROLMENT, NEWSLETTERS = "retention", "certification", "enrolment", "newsletters"
GROUPS = {
    RETENTION: _("Retention periods"),
    CERTIFICATION: _("Certification"),
    ENROLMENT: _("Enrolment"),
    NEWSLETTERS: _("Newsletters"),
}


@dataclass(frozen=True)
class Policy:
    key: str
    group: str
    label: str
    unit: str
    default: int
    minimum: int
    maximum: int
    help_text: str = ""


POLICIES = (
    Policy(
        "retention_participant_years",
        RETENTION,
        _("Participants"),
        YEARS,
        5,
        1,
        20,
        _("Participants are anonymised this long after the last meeting of their last run."),
    ),
    Policy(
        "retention_directory_years",
        RETENTION,
        _("People known only from the directory"),
        YEARS,
        3,
        1,
        20,
        _("People who never enrolled are anonymised this long after the last outreach contact or event with them."),
    ),
    Policy(
        "retention_run_details_days",
        RETENTION,
        _("Dietary wishes and reasons for absence"),
        DAYS,
        90,
        1,
        3650,
        _("Emptied this long after the last meeting of the run."),
    ),
    Policy(
        "retention_unconfirmed_subscriber_days",
        RETENTION,
        _("Unconfirmed newsletter sign-ups"),
        DAYS,
        30,
        1,
        365,
        _("Deleted this long after the sign-up or the last confirmation request."),
    ),
    Policy(
        "retention_former_subscriber_years",
        RETENTION,
        _("Former subscribers' proof of consent"),
        YEARS,
        2,
        1,
        20,
        _("Kept this long after unsubscribing, a bounce or a complaint; then the address is removed."),
    ),
    Policy(
        "retention_outreach_notes_years",
        RETENTION,
        _("Outreach notes and event outcomes"),
        YEARS,
        3,
        1,
        20,
        _("Emptied this long after the contact or the event; the contact and the event stay for the figures."),
    ),
    Policy(
        "retention_invitation_days",
        RETENTION,
        _("Invitations"),
        DAYS,
        90,
        1,
        3650,
        _("Deleted (unused) or stripped of address and first name (accepted) this long after they ended."),
    ),
    Policy(
        "retention_deactivated_account_years",
        RETENTION,
        _("Deactivated accounts"),
        YEARS,
        2,
        1,
        20,
        _("Anonymised this long after their deactivation (or last login)."),
    ),
    Policy(
        "retention_evidence_days",
        RETENTION,
        _("Evidence files of ended certifications"),
        DAYS,
        90,
        1,
        3650,
        _("Deleted this long after the certification expired, was rejected or was revoked."),
    ),
    Policy(
        "retention_caught_mail_days",
        RETENTION,
        _("Caught mail"),
        DAYS,
        90,
        1,
        3650,
        _("Mail caught by the platform instead of sent is deleted after this."),
    ),
    Policy(
        "retention_audit_log_years",
        RETENTION,
        _("Audit trail"),
        YEARS,
        5,
        1,
        20,
        _("Entries are deleted after this; erasure records lose who erased and why."),
    ),
    Policy(
        "certification_valid_years",
        CERTIFICATION,
        _("Validity of a trainer certification"),
        YEARS,
        2,
        1,
        10,
        _("How long an approved certification lasts; counts for certifications approved from now on."),
    ),
    Policy(
        "waitlist_offer_hours",
        ENROLMENT,
        _("Offer of a freed place"),
        HOURS,
        48,
        1,
        336,
        _("How long a freed place is offered to the next on the waiting list; counts for offers made from now on."),
    ),
    Policy(
        "soft_bounce_limit",
        NEWSLETTERS,
        _("Soft bounces in a row"),
        COUNT,
        3,
        1,
        20,
        _("Temporary delivery failures in a row that stop newsletters to an address."),
    ),
)
POLICIES_BY_KEY = {policy.key: policy for policy in POLICIES}
DEFAULTS = {policy.key: policy.default for policy in POLICIES}
