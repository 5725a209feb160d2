"""The processing register (verwerkingsregister, AVG art. 30): which personal data the platform
keeps, for what purpose, on which legal basis, how long and who can see it.

Each entry names the fields it covers as "app_label.Model.field". tests/privacy/test_register.py
keeps it in step with the models: every personal field (the rule is in that test) must appear in
exactly one entry, and every field named here must exist. Retention texts may use the periods (the
values of mentorwijs.policy that staff change on the page "Periods and limits") as
{participant_years}, {run_details_days}, {unconfirmed_subscriber_days}, {outreach_notes_years},
{caught_mail_days}, {audit_log_years}, {directory_years}, {former_subscriber_years}, {invitation_days},
{deactivated_account_years} and {evidence_days}. Each entry names the retention rules that end its data
(`rules`); the register page shows each rule with its period and what it did in the last runs.

The legal bases are the platform's proposal; Werkzaak's data protection officer (FG) confirms them.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from mentorwijs.policy.queries import policy_values

# Legal bases (AVG art. 6(1)).
CONSENT = _("Consent (art. 6(1)(a))")
CONTRACT = _("Agreement with the person (art. 6(1)(b))")
PUBLIC_TASK = _("Public task of Werkzaak (art. 6(1)(e))")
LEGITIMATE_INTEREST = _("Legitimate interest (art. 6(1)(f))")
LEGAL_OBLIGATION = _("Legal obligation (art. 6(1)(c))")

# Who has access.
STAFF = _("Staff")
STAFF_AND_TRAINERS = _("Staff; trainers of the run")
STAFF_AND_REVIEWERS = _("Staff; master trainers who review; the holder")
STAFF_AND_OWNER = _("Staff; the ambassador who logged it")
EVERYONE_DOING_OUTREACH = _("Staff; ambassadors and trainers (their own, and a summary per organisation)")
# Who sees which people: docs/security.md, "Who sees which people".
PEOPLE_ACCESS = _(
    "Staff; an ambassador the people they added and the contact persons of their own contacts; "
    "trainers the participants of the runs they give"
)


def retention_periods(values: dict[str, int] | None = None) -> dict[str, int]:
    """The retention periods (mentorwijs.policy, keys retention_*) by the names the retention texts
    use: "retention_participant_years" as "participant_years". One query, none with `values`
    (policy_values(), read once by a page that needs them more often)."""
    values = policy_values() if values is None else values
    return {key.removeprefix("retention_"): value for key, value in values.items() if key.startswith("retention_")}


@dataclass(frozen=True)
class Entry:
    key: str
    category: str
    fields: tuple[str, ...]
    purpose: str
    legal_basis: str
    retention: str
    access: str
    # Keys of the retention rules (mentorwijs.privacy.retention.RULES) that end this data; each field
    # above is covered by one of them (tests/privacy/test_register.py).
    rules: tuple[str, ...] = ()

    def retention_text(self, periods: dict[str, int] | None = None) -> str:
        return str(self.retention).format(**(periods or retention_periods()))

    def models(self) -> list[str]:
        """The models this entry covers, in order of first mention."""
        return list(dict.fromkeys(field.rsplit(".", 1)[0] for field in self.fields))


REGISTER = [
    Entry(
        key="accounts",
        category=_("Accounts of staff, trainers and ambassadors"),
        fields=(
            "accounts.User.first_name",
            "accounts.User.last_name",
            "accounts.User.email",
            "accounts.User.language",
            "accounts.User.groups",
            "account.EmailAddress.email",
            "mfa.Authenticator.user",
            "sessions.Session.session_data",
        ),
        purpose=_("Signing in, roles and permissions, two-factor authentication, service mail."),
        legal_basis=CONTRACT,
        retention=_(
            "As long as the account is active; {deactivated_account_years} years after deactivation (or the last "
            "login) the account is anonymised; expired sessions are deleted."
        ),
        access=STAFF,
        rules=("deactivated_accounts_anonymised", "expired_sessions_deleted"),
    ),
    Entry(
        key="invitations",
        category=_("Invitations"),
        fields=(
            "accounts.Invitation.email",
            "accounts.Invitation.first_name",
            "accounts.Invitation.invited_by",
            "accounts.Invitation.accepted_user",
            "accounts.InvitationMail.invitation",
        ),
        purpose=_("Inviting a person to the platform and proving who invited whom."),
        legal_basis=CONTRACT,
        retention=_(
            "An unused invitation expires after a week and is deleted {invitation_days} days after it expired or "
            "was revoked; an accepted one loses address and first name {invitation_days} days after acceptance."
        ),
        access=STAFF,
        rules=("invitations_forgotten", "deactivated_accounts_anonymised"),
    ),
    Entry(
        key="relations",
        category=_("Contact persons at organisations"),
        fields=(
            "dissemination.Person.first_name",
            "dissemination.Person.last_name",
            "dissemination.Person.email",
            "dissemination.Person.phone",
            "dissemination.Person.function",
            "dissemination.Person.organisation",
            "dissemination.Person.added_by",
        ),
        purpose=_("Keeping in touch with employers, schools and partners about Mentorwijs."),
        legal_basis=PUBLIC_TASK,
        retention=_(
            "Participants are anonymised {participant_years} years after their last run; people known only from "
            "the directory {directory_years} years after the last contact or event; on request earlier (erasure)."
        ),
        access=PEOPLE_ACCESS,
        # The accounts' rule too: a relation to the account that added the person (Person.added_by)
        # then points at an anonymous account.
        rules=("participants_anonymised", "directory_people_anonymised", "deactivated_accounts_anonymised"),
    ),
    Entry(
        key="outreach",
        category=_("Outreach log"),
        fields=(
            "dissemination.OutreachContact.logged_by",
            "dissemination.OutreachContact.person",
            "dissemination.OutreachContact.notes",
            "dissemination.OutreachContact.follow_up_on",
            "dissemination.OutreachContact.follow_up_done",
            "dissemination.FollowUpDigest.user",
        ),
        purpose=_("Recording who informed which organisation, and following up."),
        legal_basis=PUBLIC_TASK,
        retention=_(
            "Notes are emptied {outreach_notes_years} years after the contact; the contact itself stays "
            "as a number in the dissemination figures."
        ),
        access=STAFF_AND_OWNER,
        rules=(
            "outreach_notes_cleared",
            "participants_anonymised",
            "directory_people_anonymised",
            "deactivated_accounts_anonymised",
        ),
    ),
    Entry(
        key="events",
        category=_("Events: guests, speakers and outcomes"),
        fields=(
            "dissemination.Event.created_by",
            "dissemination.Event.speakers",
            "dissemination.Event.outcomes",
            "dissemination.Event.follow_up",
            "dissemination.Event.follow_up_on",
            "dissemination.Event.follow_up_done",
            "dissemination.EventGuest.person",
            "dissemination.EventGuest.invited",
            "dissemination.EventGuest.attended",
            "dissemination.EventGuest.rsvp",
            "dissemination.EventGuest.rsvp_at",
        ),
        purpose=_("Organising conferences and meetings and counting who was reached."),
        legal_basis=PUBLIC_TASK,
        retention=_(
            "Outcomes and follow-up notes are emptied {outreach_notes_years} years after the event; guests as long "
            "as the contact person is kept (see contact persons)."
        ),
        access=EVERYONE_DOING_OUTREACH,
        rules=(
            "event_notes_cleared",
            "participants_anonymised",
            "directory_people_anonymised",
            "deactivated_accounts_anonymised",
        ),
    ),
    Entry(
        key="subscribers",
        category=_("Newsletter subscribers"),
        fields=(
            "dissemination.Subscriber.email",
            "dissemination.Subscriber.name",
            "dissemination.Subscriber.first_name",
            "dissemination.Subscriber.organisation_name",
            "dissemination.Subscriber.person",
            "dissemination.Subscriber.lists",
            "dissemination.Delivery.subscriber",
            "dissemination.MailEvent.subscriber",
            "dissemination.MailEvent.detail",
        ),
        purpose=_("Sending the newsletters a person asked for, and stopping at bounces and complaints."),
        legal_basis=CONSENT,
        retention=_(
            "Unconfirmed sign-ups are deleted after {unconfirmed_subscriber_days} days; confirmed ones are kept until "
            "the person unsubscribes or asks for erasure; {former_subscriber_years} years after unsubscribing (or a "
            "bounce or complaint) the address goes."
        ),
        access=STAFF,
        rules=(
            "unconfirmed_subscribers_deleted",
            "former_subscribers_forgotten",
            "participants_anonymised",
            "directory_people_anonymised",
        ),
    ),
    Entry(
        key="consent",
        category=_("Proof of consent"),
        fields=(
            "dissemination.ConsentRecord.subscriber",
            "dissemination.ConsentRecord.email",
            "dissemination.ConsentRecord.proof",
        ),
        purpose=_("Proving when and how someone gave or withdrew consent for a newsletter."),
        legal_basis=LEGAL_OBLIGATION,
        retention=_(
            "Kept as proof for {former_subscriber_years} years after the subscription ended; then the address and "
            "the proof text leave the record, which stays as a figure."
        ),
        access=STAFF,
        rules=("former_subscribers_forgotten",),
    ),
    Entry(
        key="authorship",
        category=_("Authors of materials and newsletters"),
        fields=("dissemination.Material.uploaded_by", "dissemination.Newsletter.created_by"),
        purpose=_("Knowing who published what."),
        legal_basis=LEGITIMATE_INTEREST,
        retention=_("As long as the material or newsletter is kept."),
        access=STAFF,
        rules=("deactivated_accounts_anonymised",),
    ),
    Entry(
        key="participants",
        category=_("Participants of training runs"),
        fields=(
            "trainings.Enrolment.person",
            "trainings.Enrolment.status",
            "trainings.Enrolment.source",
            "trainings.Enrolment.dietary_wishes",
            "trainings.Enrolment.privacy_version",
            "trainings.Enrolment.consented_at",
            "trainings.Enrolment.language",
            "trainings.Enrolment.enrolled_by",
            "trainings.Enrolment.late_reason",
            "trainings.Attendance.enrolment",
            "trainings.Attendance.present",
            "trainings.Attendance.absence_reason",
            "trainings.Attendance.recorded_by",
            "trainings.Certificate.enrolment",
            "trainings.Certificate.code",
            "trainings.Certificate.revoked_by",
            "trainings.Certificate.revocation_reason",
        ),
        purpose=_("Running the training: places, waiting list, attendance and certificates."),
        legal_basis=PUBLIC_TASK,
        retention=_(
            "Dietary wishes and reasons for absence are emptied {run_details_days} days after the run; "
            "anonymised {participant_years} years after the last meeting of the person's last run; "
            "attendance and certificates then remain only as figures."
        ),
        access=STAFF_AND_TRAINERS,
        rules=("participants_anonymised", "run_details_cleared", "deactivated_accounts_anonymised"),
    ),
    Entry(
        key="evaluations",
        category=_("Evaluations by participants"),
        fields=(
            "trainings.Evaluation.enrolment",
            "trainings.Evaluation.remarks",
            "dissemination.Person.research_key",
        ),
        purpose=_("Improving the training; research with pseudonymised scores only."),
        legal_basis=PUBLIC_TASK,
        retention=_(
            "Remarks are removed and the research pseudonym renewed with the participant's anonymisation; scores "
            "stay as figures."
        ),
        access=STAFF_AND_TRAINERS,
        rules=("participants_anonymised",),
    ),
    Entry(
        key="service_mail",
        category=_("Service mail"),
        fields=(
            "trainings.ScheduledMessage.enrolment",
            "trainings.ScheduledMessage.user",
            "trainings.RunMessage.sent_by",
            "trainings.RunMessage.undone_by",
            "dissemination.EventMail.guest",
            "outbox.CaughtMail.from_email",
            "outbox.CaughtMail.recipients",
            "outbox.CaughtMail.raw",
        ),
        purpose=_(
            "Confirmations, reminders and certificates to participants and trainers; invitations and reminders "
            "to event guests."
        ),
        legal_basis=PUBLIC_TASK,
        retention=_(
            "As long as the enrolment or account; copies kept by the test outbox are deleted after "
            "{caught_mail_days} days."
        ),
        access=STAFF,
        rules=("caught_mail_deleted", "participants_anonymised", "deactivated_accounts_anonymised"),
    ),
    Entry(
        key="trainers",
        category=_("Trainers of runs"),
        fields=(
            "trainings.Training.trainers",
            "trainings.Assignment.trainer",
            "trainings.Assignment.assigned_by",
            "ambassadors.AssignmentOffer.trainer",
            "ambassadors.AssignmentOffer.note",
            "ambassadors.AssignmentOffer.decided_by",
            "ambassadors.AssignmentOffer.decision_note",
            "ambassadors.RefresherMeeting.attendees",
        ),
        purpose=_("Planning who gives which run, and the trainers' teaching history for renewals."),
        legal_basis=CONTRACT,
        retention=_(
            "As long as the trainer's account; notes of offers go with its anonymisation, the teaching history stays "
            "as anonymous figures for the lineage."
        ),
        access=STAFF_AND_TRAINERS,
        rules=("deactivated_accounts_anonymised",),
    ),
    Entry(
        key="ambassadors",
        category=_("Ambassador profiles"),
        fields=(
            "ambassadors.Ambassador.user",
            "ambassadors.Ambassador.person",
            "ambassadors.Ambassador.invitation",
            "ambassadors.Ambassador.organisation",
            "ambassadors.Ambassador.region",
            "ambassadors.Ambassador.offers",
            "ambassadors.Ambassador.public_listing",
        ),
        purpose=_("Knowing who carries Mentorwijs where; the public register of trainers (only with consent)."),
        legal_basis=CONTRACT,
        retention=_(
            "As long as the person is an ambassador; the public listing until consent is withdrawn; offers and "
            "listing go with the account's anonymisation."
        ),
        access=STAFF,
        rules=(
            "deactivated_accounts_anonymised",
            "invitations_forgotten",
            "participants_anonymised",
            "directory_people_anonymised",
        ),
    ),
    Entry(
        key="certifications",
        category=_("Certifications of trainers"),
        fields=(
            "ambassadors.Certification.holder",
            "ambassadors.Certification.request_note",
            "ambassadors.Certification.certified_by",
            "ambassadors.Certification.reviewed_by",
            "ambassadors.Certification.review_note",
            "ambassadors.CertificationEvidence.original_name",
            "ambassadors.CertificationEvidence.file",
            "ambassadors.CertificationEvidence.uploaded_by",
            "ambassadors.CertificationEvent.actor",
            "ambassadors.CertificationEvent.note",
        ),
        purpose=_("Deciding who may give the training, and the train-the-trainer lineage."),
        legal_basis=CONTRACT,
        retention=_(
            "Evidence files are deleted {evidence_days} days after the certification expired, was rejected or "
            "revoked; notes go with the account's anonymisation; the lineage stays as anonymous history."
        ),
        access=STAFF_AND_REVIEWERS,
        rules=("evidence_files_deleted", "deactivated_accounts_anonymised"),
    ),
    Entry(
        key="fidelity",
        category=_("Fidelity reviews"),
        fields=("ambassadors.FidelityReview.reviewer", "ambassadors.FidelityReview.notes"),
        purpose=_("Keeping every run faithful to the handbook; one of the renewal rules."),
        legal_basis=PUBLIC_TASK,
        retention=_("As long as the trainer's account; notes go with its anonymisation, scores stay."),
        access=STAFF_AND_REVIEWERS,
        rules=("deactivated_accounts_anonymised",),
    ),
    Entry(
        key="accountability",
        category=_("Audit trail and erasure records"),
        fields=(
            "auditlog.LogEntry.actor",
            "auditlog.LogEntry.actor_email",
            "auditlog.LogEntry.remote_addr",
            "auditlog.LogEntry.object_repr",
            "auditlog.LogEntry.changes",
            "privacy.ErasureRecord.person_id",
            "privacy.ErasureRecord.by",
            "privacy.ErasureRecord.reason",
            "privacy.ErasureRecord.user_id",
        ),
        purpose=_("Showing who changed personal data and certifications, and who erased whom and why."),
        legal_basis=LEGAL_OBLIGATION,
        retention=_(
            "Audit entries are deleted after {audit_log_years} years; an erasure blanks the old values. Erasure "
            "records (they hold no name) lose who erased and why after {audit_log_years} years."
        ),
        access=STAFF,
        rules=("audit_entries_deleted", "erasure_records_emptied", "deactivated_accounts_anonymised"),
    ),
]
