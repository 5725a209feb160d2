import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dissemination.enums import Channel
from mentorwijs.outbox.models import OutboxMail

from .enums import (
    PUBLIC_VARIANTS,
    AssignmentRole,
    EnrolmentStatus,
    EvaluationMoment,
    MeetingStatus,
    MessageKind,
    RunMessageKind,
    TrainingStatus,
    Variant,
)

# The badge colour of each run status on the pages (Bootstrap's text-bg-*); other statuses: info.
TRAINING_STATUS_BADGES = {
    TrainingStatus.OPEN: "success",
    TrainingStatus.FULL: "warning",
    TrainingStatus.CANCELLED: "danger",
    TrainingStatus.DRAFT: "secondary",
}
# The same for enrolments: a place (or a finished run) green, gone grey, waiting yellow.
ENROLMENT_STATUS_BADGES = {
    EnrolmentStatus.REGISTERED: "success",
    EnrolmentStatus.COMPLETED: "success",
    EnrolmentStatus.CANCELLED: "secondary",
    EnrolmentStatus.DROPPED_OUT: "secondary",
}


def new_token() -> str:
    return secrets.token_urlsafe(24)


def new_certificate_code() -> str:
    """Twelve characters without look-alikes (0/O, 1/I), grouped for reading aloud."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    raw = "".join(secrets.choice(alphabet) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


class Location(models.Model):
    name = models.CharField(_("name"), max_length=150)
    address = models.CharField(_("address"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=7, blank=True)
    city = models.CharField(_("city"), max_length=100)
    region = models.ForeignKey(
        "dissemination.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    # An archived location is no longer offered for new meetings; the meetings held there keep it.
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)

    class Meta:
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        ordering = ["city", "name"]
        constraints = [models.UniqueConstraint(fields=["name", "city"], name="location_name_city_unique")]

    def __str__(self):
        return f"{self.name}, {self.city}"

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


# The meetings a variant without a CompletionRule asks for (a variant added later, before staff set it).
DEFAULT_COMPLETION_MEETINGS = 4


class CompletionRule(models.Model):
    """How many meetings of their own run (attended or caught up) a participant of a variant needs
    to complete the training. Staff change it on a page (trainings.services.completion); a variant
    without a row needs DEFAULT_COMPLETION_MEETINGS."""

    variant = models.CharField(_("variant"), max_length=32, choices=Variant.choices, unique=True)
    meetings_required = models.PositiveSmallIntegerField(_("meetings required"))

    class Meta:
        verbose_name = _("completion rule")
        verbose_name_plural = _("completion rules")
        ordering = ["variant"]
        constraints = [
            models.CheckConstraint(condition=Q(meetings_required__gte=1), name="completion_rule_at_least_one")
        ]

    def __str__(self):
        return f"{self.get_variant_display()}: {self.meetings_required}"


class Training(models.Model):
    """One run of the training: about fifteen supervisors in (by default) five meetings."""

    variant = models.CharField(_("variant"), max_length=32, choices=Variant.choices, default=Variant.STANDARD)
    title = models.CharField(_("title"), max_length=200)
    region = models.ForeignKey(
        "dissemination.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    host_organisation = models.ForeignKey(
        "dissemination.Organisation",
        verbose_name=_("host organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hosted_trainings",
    )
    capacity = models.PositiveSmallIntegerField(
        _("capacity"), default=15, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    status = models.CharField(_("status"), max_length=16, choices=TrainingStatus.choices, default=TrainingStatus.DRAFT)
    local_adaptations = models.TextField(
        _("local adaptations"), blank=True, help_text=_("How this run is adapted to the local situation (maatwerk).")
    )
    # Who gives the run, in which role: see Assignment. The ambassadors app checks certifications.
    trainers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("trainers"),
        blank=True,
        related_name="trainings_given",
        through="Assignment",
        through_fields=("training", "trainer"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # The enrolment link of a run that is not public (PUBLIC_VARIANTS): staff send it to the people
    # who may enrol, and make a new one when it leaked (the old one then opens nothing).
    enrolment_link_key = models.CharField(
        _("enrolment link key"), max_length=64, unique=True, default=new_token, editable=False
    )

    class Meta:
        verbose_name = _("training run")
        verbose_name_plural = _("training runs")
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(condition=Q(capacity__gte=1), name="training_capacity_positive")]

    def __str__(self):
        return self.title

    @property
    def is_public(self) -> bool:
        """On the public list and feed, with the public enrolment form; else enrolment by link only."""
        return self.variant in PUBLIC_VARIANTS

    @property
    def is_full(self) -> bool:
        return self.status == TrainingStatus.FULL

    @property
    def is_cancelled(self) -> bool:
        return self.status == TrainingStatus.CANCELLED

    @property
    def status_badge(self) -> str:
        return TRAINING_STATUS_BADGES.get(self.status, "info")


class Assignment(models.Model):
    """A trainer giving a run as lead, co-trainer or candidate (supervised practice). The rules
    (certification on every meeting date, no double booking) live in ambassadors.services."""

    training = models.ForeignKey(
        Training, verbose_name=_("training run"), on_delete=models.CASCADE, related_name="assignments"
    )
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("trainer"), on_delete=models.PROTECT, related_name="assignments"
    )
    role = models.CharField(_("role"), max_length=16, choices=AssignmentRole.choices, default=AssignmentRole.LEAD)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    assigned_at = models.DateTimeField(_("assigned at"), default=timezone.now)
    # Recorded by staff (assigned_by) as history: the trainer gave meetings that had taken place, and
    # their certification was not checked on those dates (ambassadors.services.eligibility).
    as_history = models.BooleanField(_("recorded as history"), default=False)

    class Meta:
        verbose_name = _("trainer assignment")
        verbose_name_plural = _("trainer assignments")
        ordering = ["training", "role", "assigned_at"]
        constraints = [
            models.UniqueConstraint(fields=["training", "trainer"], name="assignment_once_per_run"),
            models.UniqueConstraint(
                fields=["training"], condition=Q(role=AssignmentRole.LEAD), name="assignment_one_lead_per_run"
            ),
        ]

    def __str__(self):
        return f"{self.trainer} – {self.training} ({self.get_role_display()})"

    @property
    def is_candidate(self) -> bool:
        return self.role == AssignmentRole.CANDIDATE


class Meeting(models.Model):
    training = models.ForeignKey(
        Training, verbose_name=_("training run"), on_delete=models.CASCADE, related_name="meetings"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    location = models.ForeignKey(
        Location, verbose_name=_("location"), on_delete=models.PROTECT, related_name="meetings"
    )
    # Codes of ActiveComponent covered in this meeting.
    components = models.JSONField(_("active components"), default=list, blank=True)
    meal_served = models.BooleanField(_("meal served"), default=False)
    status = models.CharField(
        _("status"), max_length=16, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED
    )
    # iCalendar SEQUENCE: raised whenever the meeting moves or is cancelled, so calendars update it.
    sequence = models.PositiveIntegerField(_("calendar sequence"), default=0, editable=False)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["training", "number"]
        constraints = [
            models.UniqueConstraint(fields=["training", "number"], name="meeting_number_unique"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="meeting_ends_after_start"),
        ]
        indexes = [
            models.Index(fields=["location", "starts_at"]),
            models.Index(fields=["starts_at"]),
            # A run's first and last scheduled meeting (the staff list sorts all runs by the first).
            models.Index(
                fields=["training", "starts_at"],
                condition=models.Q(status=MeetingStatus.SCHEDULED),
                name="meeting_scheduled_idx",
            ),
        ]

    def __str__(self):
        return f"{self.training} #{self.number}"

    @property
    def is_cancelled(self):
        return self.status == MeetingStatus.CANCELLED


class Enrolment(models.Model):
    """A person's place (or place in line) in a training run."""

    training = models.ForeignKey(
        Training, verbose_name=_("training run"), on_delete=models.PROTECT, related_name="enrolments"
    )
    person = models.ForeignKey(
        "dissemination.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="enrolments"
    )
    status = models.CharField(_("status"), max_length=16, choices=EnrolmentStatus.choices)
    source = models.CharField(_("how did you hear of Mentorwijs?"), max_length=32, choices=Channel.choices, blank=True)
    dietary_wishes = models.CharField(_("dietary wishes"), max_length=200, blank=True)
    privacy_version = models.CharField(_("privacy statement version"), max_length=20, blank=True)
    consented_at = models.DateTimeField(_("consented at"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="nl")
    # The personal link: view, cancel, accept an offer, evaluate, download the certificate.
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("enrolled by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # Staff added this person after the run had begun (services.enrolment.enrolment_create): why.
    # The meetings that had begun by created_at are theirs to catch up (queries.enrolment.late_catch_ups).
    late_reason = models.CharField(_("reason for the late enrolment"), max_length=300, blank=True)
    # Place in line: the oldest waitlisted_at is offered the next free place.
    waitlisted_at = models.DateTimeField(_("on the waiting list since"), null=True, blank=True)
    offer_expires_at = models.DateTimeField(_("offer valid until"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["training", "created_at", "id"]
        constraints = [
            # One live enrolment per person per run; cancelled ones stay as history.
            models.UniqueConstraint(
                fields=["training", "person"],
                condition=~Q(status__in=[EnrolmentStatus.CANCELLED]),
                name="enrolment_one_live_per_person",
            ),
        ]
        indexes = [models.Index(fields=["training", "status"])]

    def __str__(self):
        return f"{self.person} – {self.training}"

    @property
    def is_registered(self) -> bool:
        return self.status == EnrolmentStatus.REGISTERED

    @property
    def is_waitlisted(self) -> bool:
        return self.status == EnrolmentStatus.WAITLISTED

    @property
    def is_offered(self) -> bool:
        return self.status == EnrolmentStatus.OFFERED

    @property
    def is_cancelled(self) -> bool:
        return self.status == EnrolmentStatus.CANCELLED

    @property
    def is_completed(self) -> bool:
        return self.status == EnrolmentStatus.COMPLETED

    @property
    def status_badge(self) -> str:
        return ENROLMENT_STATUS_BADGES.get(self.status, "warning")


class Attendance(models.Model):
    """Presence at one meeting. A catch-up is attendance at a meeting of another run of the same
    variant, standing in for the missed meeting of the participant's own run."""

    enrolment = models.ForeignKey(
        Enrolment, verbose_name=_("enrolment"), on_delete=models.CASCADE, related_name="attendances"
    )
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="attendances"
    )
    present = models.BooleanField(_("present"))
    absence_reason = models.CharField(_("reason for absence"), max_length=200, blank=True)
    catches_up = models.ForeignKey(
        Meeting,
        verbose_name=_("catches up"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="catch_ups",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [models.UniqueConstraint(fields=["enrolment", "meeting"], name="attendance_once_per_meeting")]

    def __str__(self):
        return f"{self.enrolment.person} @ {self.meeting}"


class Certificate(models.Model):
    """Certificate of participation; the PDF is rendered on request from these fields."""

    enrolment = models.OneToOneField(
        Enrolment, verbose_name=_("enrolment"), on_delete=models.PROTECT, related_name="certificate"
    )
    code = models.CharField(_("verification code"), max_length=14, unique=True, default=new_certificate_code)
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    revocation_reason = models.CharField(_("reason for revocation"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("certificate of participation")
        verbose_name_plural = _("certificates of participation")

    def __str__(self):
        return self.code

    @property
    def is_revoked(self):
        return self.revoked_at is not None


class Evaluation(models.Model):
    """A participant's questionnaire before the first or after the last meeting."""

    enrolment = models.ForeignKey(
        Enrolment, verbose_name=_("enrolment"), on_delete=models.CASCADE, related_name="evaluations"
    )
    moment = models.CharField(_("moment"), max_length=8, choices=EvaluationMoment.choices)
    satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    # {SelfEfficacyItem code: 1..5}
    self_efficacy = models.JSONField(_("self-efficacy"), default=dict)
    # {ActiveComponent code: 1..5}, after the last meeting only.
    usefulness = models.JSONField(_("usefulness of the active components"), default=dict, blank=True)
    remarks = models.TextField(_("remarks"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "moment"], name="evaluation_once_per_moment"),
            models.CheckConstraint(
                condition=Q(satisfaction__isnull=True) | Q(satisfaction__gte=1, satisfaction__lte=10),
                name="evaluation_satisfaction_1_10",
            ),
        ]

    def __str__(self):
        return f"{self.enrolment} ({self.get_moment_display()})"


class RunMessage(models.Model):
    """An entry of a run's mail history: a message staff or a trainer wrote to the participants of the
    run (or of one of its meetings), or the notice of the run's cancellation with its reason. Each
    recipient's mail is a ScheduledMessage pointing here (`mails`), so the history counts what was
    delivered and what failed. A cancellation keeps in `undo` what undoing it restores
    (trainings.services.cancellation)."""

    training = models.ForeignKey(
        Training, verbose_name=_("training run"), on_delete=models.CASCADE, related_name="run_messages"
    )
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=RunMessageKind.choices, default=RunMessageKind.MESSAGE)
    subject = models.CharField(_("subject"), max_length=150, blank=True)
    body = models.TextField(_("message"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    # A cancellation: the run's status before, each cancelled enrolment's status before (by pk) and
    # the waiting mails it withdrew (pks), for its undo.
    undo = models.JSONField(default=dict, blank=True, editable=False)
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("undone by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("message to a run")
        verbose_name_plural = _("messages to a run")
        ordering = ["-sent_at", "-pk"]

    def __str__(self):
        return f"{self.training}: {self.subject or self.get_kind_display()}"

    @property
    def is_cancellation(self) -> bool:
        return self.kind == RunMessageKind.CANCELLATION


class ScheduledMessage(OutboxMail):
    """A service mail of this app as a row of its outbox (services/messages.py): a periodic task
    claims what is due and sends it, so no message is lost when a worker dies and nothing waits days
    inside the broker."""

    kind = models.CharField(_("kind"), max_length=32, choices=MessageKind.choices)
    # The recipient: a participant (enrolment) or a trainer (user).
    enrolment = models.ForeignKey(
        Enrolment, verbose_name=_("enrolment"), on_delete=models.CASCADE, null=True, blank=True, related_name="messages"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, null=True, blank=True, related_name="messages"
    )
    # A message to the run's participants, or the run's cancellation, this mail is one of.
    run_message = models.ForeignKey(
        RunMessage,
        verbose_name=_("message to a run"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="mails",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(OutboxMail.Meta):
        verbose_name = _("scheduled message")
        verbose_name_plural = _("scheduled messages")
        ordering = ["due_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(enrolment__isnull=False) | Q(user__isnull=False), name="message_has_recipient"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.get_status_display()})"
