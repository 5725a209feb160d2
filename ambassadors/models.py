import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.files.storage import storages
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mentorwijs.outbox.models import OutboxMail
from trainings.enums import ActiveComponent, AssignmentRole

from .enums import (
    ONCE_PER_CERTIFICATION,
    AmbassadorKind,
    CertificationAction,
    CertificationStatus,
    Level,
    NoticeKind,
    OfferStatus,
    ReviewKind,
    RuleKind,
)

# The badge colour of each certification status on the pages (Bootstrap's text-bg-*); open ones: warning.
CERTIFICATION_STATUS_BADGES = {
    CertificationStatus.APPROVED: "success",
    CertificationStatus.REJECTED: "danger",
    CertificationStatus.REVOKED: "danger",
    CertificationStatus.EXPIRED: "secondary",
}
# The same for offers to train; a withdrawn one: secondary.
OFFER_STATUS_BADGES = {
    OfferStatus.ACCEPTED: "success",
    OfferStatus.DECLINED: "danger",
    OfferStatus.OPEN: "info",
}


class Ambassador(models.Model):
    """Someone who carries Mentorwijs: a trained supervisor, a professional or a trainer. Trainers'
    profiles also hold the region and consent shown in the public register."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="ambassador",
    )
    person = models.OneToOneField(
        "dissemination.Person",
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ambassador",
    )
    kind = models.CharField(_("kind"), max_length=32, choices=AmbassadorKind.choices)
    organisation = models.ForeignKey(
        "dissemination.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ambassadors",
    )
    region = models.ForeignKey(
        "dissemination.Region",
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Codes of AmbassadorOffer.
    offers = models.JSONField(_("what I offer"), default=list, blank=True)
    public_listing = models.BooleanField(
        _("show me in the public register"),
        default=False,
        help_text=_("Your name, level, region and the end of your certification are shown to everyone."),
    )
    public_listing_changed_at = models.DateTimeField(_("consent given or withdrawn at"), null=True, blank=True)
    invitation = models.ForeignKey(
        "accounts.Invitation",
        verbose_name=_("invitation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("ambassador")
        verbose_name_plural = _("ambassadors")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | Q(person__isnull=False), name="ambassador_is_someone"
            )
        ]

    def __str__(self):
        return str(self.user or self.person)


def private_storage():
    return storages["private"]


def evidence_path(_evidence, filename: str) -> str:
    """A name chosen by the server: nothing of the uploaded name but its checked extension."""
    return f"evidence/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()}"


class Certification(models.Model):
    """A trainer's certification at one level, from request to approval, and on to expiry.
    `certified_by` (the master trainer who approved it) is the train-the-trainer lineage."""

    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("holder"), on_delete=models.PROTECT, related_name="certifications"
    )
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=CertificationStatus.choices, default=CertificationStatus.REQUESTED
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    # Exclusive: the certification expires on this day.
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    training = models.ForeignKey(
        "trainings.Training",
        verbose_name=_("train-the-trainer run followed"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    renews = models.ForeignKey(
        "self",
        verbose_name=_("renews"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="renewals",
    )
    request_note = models.TextField(_("note with the request"), blank=True)
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    certified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("certified by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="certified",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.TextField(_("review notes"), blank=True)

    class Meta:
        verbose_name = _("certification")
        verbose_name_plural = _("certifications")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True) | Q(valid_until__isnull=True) | Q(valid_until__gt=F("valid_from")),
                name="certification_period_positive",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["approved", "expired"])
                | Q(valid_from__isnull=False, valid_until__isnull=False),
                name="certification_granted_has_period",
            ),
        ]
        indexes = [models.Index(fields=["holder", "status"]), models.Index(fields=["status", "valid_until"])]

    def __str__(self):
        return f"{self.holder} – {self.get_level_display()} ({self.get_status_display()})"

    def is_valid_on(self, day) -> bool:
        return (
            self.status in (CertificationStatus.APPROVED, CertificationStatus.EXPIRED)
            and self.valid_from is not None
            and self.valid_from <= day < self.valid_until
        )

    @property
    def is_requested(self) -> bool:
        return self.status == CertificationStatus.REQUESTED

    @property
    def was_granted(self) -> bool:
        """Approved once: valid now, expired or revoked since."""
        return self.status in (CertificationStatus.APPROVED, CertificationStatus.EXPIRED, CertificationStatus.REVOKED)

    @property
    def status_badge(self) -> str:
        return CERTIFICATION_STATUS_BADGES.get(self.status, "warning")


class CertificationEvidence(models.Model):
    """An uploaded PDF, JPG or PNG, kept outside the public media folder and served by a view
    that checks permission."""

    certification = models.ForeignKey(
        Certification, verbose_name=_("certification"), on_delete=models.CASCADE, related_name="evidence"
    )
    file = models.FileField(_("file"), storage=private_storage, upload_to=evidence_path)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=40)
    size = models.PositiveIntegerField(_("size in bytes"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.original_name


class CertificationEvent(models.Model):
    """The history of a certification: every step with who took it and when."""

    certification = models.ForeignKey(
        Certification, verbose_name=_("certification"), on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(_("step"), max_length=16, choices=CertificationAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("certification step")
        verbose_name_plural = _("certification steps")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.certification} – {self.get_action_display()}"


class CertificationNotice(OutboxMail):
    """A mail to the holder as a row of this app's outbox (services/notices.py), claimed and sent by
    a periodic task as trainings' reminders are: warnings are stored at approval, due months ahead."""

    certification = models.ForeignKey(
        Certification, verbose_name=_("certification"), on_delete=models.CASCADE, related_name="notices"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=NoticeKind.choices)

    class Meta(OutboxMail.Meta):
        verbose_name = _("certification mail")
        verbose_name_plural = _("certification mails")
        ordering = ["due_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["certification", "kind"],
                condition=Q(kind__in=ONCE_PER_CERTIFICATION),
                name="certification_notice_once",
            )
        ]

    def __str__(self):
        return f"{self.certification} – {self.get_kind_display()}"


class RenewalRule(models.Model):
    """What a holder must have done within the validity period to renew at a level. Data, so staff
    can change the rules without a release."""

    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    kind = models.CharField(_("what counts"), max_length=32, choices=RuleKind.choices)
    minimum = models.PositiveSmallIntegerField(_("at least"), validators=[MinValueValidator(1)])
    # For FIDELITY_REVIEWS: a review counts when its average score (0-4) reaches this.
    minimum_score = models.DecimalField(
        _("minimum average score"),
        max_digits=3,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(4)],
    )
    active = models.BooleanField(_("in force"), default=True)

    class Meta:
        verbose_name = _("renewal rule")
        verbose_name_plural = _("renewal rules")
        ordering = ["level", "kind"]
        constraints = [models.UniqueConstraint(fields=["level", "kind"], name="renewal_rule_once_per_level")]

    def __str__(self):
        return f"{self.get_level_display()}: {self.minimum} × {self.get_kind_display()}"


class RefresherMeeting(models.Model):
    """A refresher (terugkomdag) for trainers; attending one counts toward renewal."""

    title = models.CharField(_("title"), max_length=200)
    held_on = models.DateField(_("held on"))
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("attendees"), blank=True, related_name="refreshers_attended"
    )

    class Meta:
        verbose_name = _("refresher meeting")
        verbose_name_plural = _("refresher meetings")
        ordering = ["-held_on"]

    def __str__(self):
        return f"{self.title} ({self.held_on})"


class AssignmentOffer(models.Model):
    """A trainer offering to give a run that still needs one; staff accept or decline."""

    training = models.ForeignKey(
        "trainings.Training", verbose_name=_("training run"), on_delete=models.CASCADE, related_name="trainer_offers"
    )
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("trainer"), on_delete=models.CASCADE, related_name="assignment_offers"
    )
    role = models.CharField(_("role"), max_length=16, choices=AssignmentRole.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=OfferStatus.choices, default=OfferStatus.OPEN)
    created_at = models.DateTimeField(_("offered at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("offer to train")
        verbose_name_plural = _("offers to train")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["training", "trainer"], condition=Q(status="open"), name="assignment_offer_one_open"
            )
        ]

    def __str__(self):
        return f"{self.trainer} – {self.training}"

    @property
    def is_open(self) -> bool:
        return self.status == OfferStatus.OPEN

    @property
    def status_badge(self) -> str:
        return OFFER_STATUS_BADGES.get(self.status, "secondary")


class FidelityReview(models.Model):
    """How faithfully a run followed the handbook: the lead trainer's self-report or a master
    trainer's observation, with a score per active component and a checklist."""

    training = models.ForeignKey(
        "trainings.Training", verbose_name=_("training run"), on_delete=models.CASCADE, related_name="fidelity_reviews"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ReviewKind.choices)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewer"), on_delete=models.PROTECT, related_name="+"
    )
    all_meetings_held = models.BooleanField(_("all meetings were held"), default=False)
    group_size_ok = models.BooleanField(_("the group size was within bounds"), default=False)
    own_cases_used = models.BooleanField(_("participants' own cases were used"), default=False)
    handbook_followed = models.BooleanField(_("the handbook was followed"), default=False)
    adaptations_recorded = models.BooleanField(_("local adaptations were recorded"), default=False)
    notes = models.TextField(_("notes and actions"), blank=True)
    # Mean of the scores, kept by the service so renewal rules can filter on it.
    average = models.DecimalField(_("average score"), max_digits=3, decimal_places=2)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)

    class Meta:
        verbose_name = _("fidelity review")
        verbose_name_plural = _("fidelity reviews")
        ordering = ["-submitted_at"]
        constraints = [
            models.UniqueConstraint(fields=["training", "kind", "reviewer"], name="fidelity_review_once"),
            models.CheckConstraint(condition=Q(average__gte=0, average__lte=4), name="fidelity_average_0_4"),
        ]

    def __str__(self):
        return f"{self.training} – {self.get_kind_display()}"


class FidelityScore(models.Model):
    review = models.ForeignKey(
        FidelityReview, verbose_name=_("review"), on_delete=models.CASCADE, related_name="scores"
    )
    component = models.CharField(_("active component"), max_length=32, choices=ActiveComponent.choices)
    score = models.PositiveSmallIntegerField(_("score"), validators=[MaxValueValidator(4)])

    class Meta:
        verbose_name = _("fidelity score")
        verbose_name_plural = _("fidelity scores")
        constraints = [
            models.UniqueConstraint(fields=["review", "component"], name="fidelity_score_once"),
            models.CheckConstraint(condition=Q(score__lte=4), name="fidelity_score_0_4"),
        ]

    def __str__(self):
        return f"{self.get_component_display()}: {self.score}"
