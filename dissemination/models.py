import secrets
import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Value
from django.db.models.functions import Cast, Concat, Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mentorwijs.outbox.models import OutboxMail

from .enums import (
    NEWSLETTER_CANCELLABLE,
    CommunicationGoal,
    ConsentAction,
    ConsentSource,
    DeliveryStatus,
    EventKind,
    EventMailKind,
    MailEventKind,
    MaterialKind,
    NewsletterStatus,
    OutreachChannel,
    RsvpAnswer,
    Stage,
    SubscriberStatus,
    TargetGroup,
)


class Region(models.Model):
    """One of the 35 labour-market regions (arbeidsmarktregio's); kept as data."""

    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=200)
    kvk_number = models.CharField(
        _("KvK number"),
        max_length=8,
        blank=True,
        validators=[RegexValidator(r"^\d{8}$", _("A KvK number has exactly 8 digits."))],
    )
    target_group = models.CharField(_("target group"), max_length=32, choices=TargetGroup.choices)
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    postcode = models.CharField(_("postcode"), max_length=7, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    website = models.URLField(_("website"), blank=True)
    # The public organisation search (enrolment form) finds an organisation only once it is public:
    # hosting a public run, or confirmed by staff (public_since) after a participant named it
    # (named_by_participant_at; staff match it on the matching page). See docs/security.md.
    named_by_participant_at = models.DateTimeField(_("named by a participant at"), null=True, blank=True)
    public_since = models.DateTimeField(_("in the public search since"), null=True, blank=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = [Lower("name")]
        constraints = [
            models.UniqueConstraint(
                fields=["kvk_number"], condition=~models.Q(kvk_number=""), name="organisation_kvk_unique"
            )
        ]

    def __str__(self):
        return self.name


def new_research_key() -> str:
    """A random key per person; the research export derives the person's pseudonym from it."""
    return secrets.token_hex(16)


class Person(models.Model):
    """One record per real person: a contact, a participant and a subscriber at once."""

    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=150)
    email = models.EmailField(_("email address"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="people",
    )
    function = models.CharField(_("function"), max_length=150, blank=True)
    # Who typed this person in (person_save). An ambassador sees the people they added and the
    # contact persons of their own contacts; empty for people added by a visitor (public enrolment)
    # or before this was recorded (see migration 0009).
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    # When the record was made: a person known only from the directory is kept for a period from here
    # (privacy.retention). Rows from before this field hold the moment of its migration.
    created_at = models.DateTimeField(_("added at"), default=timezone.now, editable=False)
    # The research export's pseudonym is an HMAC of this key (trainings.services.evaluation); erasure
    # replaces it, so nothing links the person to their earlier pseudonym any more.
    research_key = models.CharField(max_length=32, default=new_research_key, editable=False)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(Lower("email"), condition=~models.Q(email=""), name="person_email_ci_unique")
        ]

    def __str__(self):
        return f"{self.first_name} {self.last_name}"

    def get_additional_data(self):
        """For the audit trail (django-auditlog): a change the person made themselves has no user,
        so person_save notes how it came ("personal_link") for the entry of that save."""
        through = getattr(self, "changed_through", "")
        return {"changed_through": through} if through else None


class OutreachContact(models.Model):
    """One contact an ambassador had with an organisation. Never holds anything about an
    employee's health or disability (GDPR art. 9): the notes field warns about it."""

    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ambassador"),
        on_delete=models.PROTECT,
        related_name="outreach_contacts",
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="outreach_contacts"
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("contact person"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outreach_contacts",
    )
    date = models.DateField(_("date"), default=timezone.localdate)
    channel = models.CharField(_("channel"), max_length=32, choices=OutreachChannel.choices)
    materials = models.JSONField(_("materials shared"), default=list, blank=True)
    key_messages = models.JSONField(_("key message elements"), default=list, blank=True)
    stage = models.CharField(_("stage reached"), max_length=32, choices=Stage.choices)
    notes = models.TextField(_("notes"), blank=True)
    follow_up_on = models.DateField(_("follow up on"), null=True, blank=True)
    follow_up_done = models.BooleanField(_("follow-up done"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("outreach contact")
        verbose_name_plural = _("outreach contacts")
        ordering = ["-date", "-pk"]
        indexes = [
            models.Index(fields=["logged_by", "follow_up_on"], name="outreach_follow_up_idx"),
            models.Index(fields=["organisation", "date"], name="outreach_organisation_date_idx"),
        ]

    def __str__(self):
        return f"{self.organisation} ({self.date})"


class FollowUpDigest(models.Model):
    """The weekly follow-up digest that went to one user: at most one per ISO week."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    week = models.DateField(_("week (Monday)"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("follow-up digest")
        verbose_name_plural = _("follow-up digests")
        constraints = [models.UniqueConstraint(fields=["user", "week"], name="follow_up_digest_once_a_week")]

    def __str__(self):
        return f"{self.user} {self.week}"


def material_path(_material, filename: str) -> str:
    """A name chosen by the server: a random folder keeps every version's file apart."""
    return f"materials/{uuid.uuid4().hex}/{PurePath(filename).name}"


class Material(models.Model):
    """One version of a piece of material (handbook, factsheet...). Versions of one material share
    kind, title and language; the newest is current, older ones stay, marked by `superseded_at`."""

    kind = models.CharField(_("kind"), max_length=32, choices=MaterialKind.choices)
    title = models.CharField(_("title"), max_length=200)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="nl")
    version = models.CharField(_("version"), max_length=20)
    description = models.TextField(_("description"), blank=True)
    file = models.FileField(_("file"), upload_to=material_path)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size in bytes"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    superseded_at = models.DateTimeField(_("replaced by a newer version at"), null=True, blank=True)

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        ordering = ["kind", "title", "language", "-uploaded_at"]
        # Titles compare without case, as in the upload service: "Handboek" and "handboek" are one material.
        constraints = [
            models.UniqueConstraint("kind", Lower("title"), "language", "version", name="material_version_unique"),
            models.UniqueConstraint(
                "kind",
                Lower("title"),
                "language",
                condition=models.Q(superseded_at__isnull=True),
                name="material_one_current_version",
            ),
        ]

    def __str__(self):
        return f"{self.title} {self.version} ({self.language})"

    @property
    def is_current(self) -> bool:
        return self.superseded_at is None


class MaterialDownload(models.Model):
    """How often a material version was downloaded in one month (counted, nobody recorded)."""

    material = models.ForeignKey(
        Material, verbose_name=_("material"), on_delete=models.CASCADE, related_name="downloads"
    )
    month = models.DateField(_("month"))  # the first day of the month
    count = models.PositiveIntegerField(_("downloads"), default=0)

    class Meta:
        verbose_name = _("downloads per month")
        verbose_name_plural = _("downloads per month")
        ordering = ["-month"]
        constraints = [models.UniqueConstraint(fields=["material", "month"], name="material_download_month_unique")]

    def __str__(self):
        return f"{self.material} {self.month:%Y-%m}: {self.count}"


class Event(models.Model):
    """A congress, inspiration meeting or conference where Mentorwijs was presented (as the 2017
    closing conference: 77 invited, 24 attended)."""

    kind = models.CharField(_("kind"), max_length=32, choices=EventKind.choices)
    title = models.CharField(_("title"), max_length=200)
    date = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    description = models.TextField(_("description"), blank=True)
    speakers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("ambassadors who spoke"), blank=True, related_name="events_spoken"
    )
    outcomes = models.TextField(_("outcomes"), blank=True)
    follow_up = models.TextField(_("follow-up"), blank=True)
    follow_up_on = models.DateField(_("follow up on"), null=True, blank=True)
    follow_up_done = models.BooleanField(_("follow-up done"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-date", "-pk"]

    def __str__(self):
        return f"{self.title} ({self.date})"


class EventGuest(models.Model):
    """A person invited to an event and/or present at it."""

    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="guests")
    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="event_guests")
    invited = models.BooleanField(_("invited"), default=True)
    attended = models.BooleanField(_("attended"), default=False)
    # The guest's own answer through the personal link of the invitation (services/event_invitations.py);
    # empty until they answer, changeable until the day of the event.
    rsvp = models.CharField(_("answer"), max_length=8, choices=RsvpAnswer.choices, blank=True)
    rsvp_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("guest")
        verbose_name_plural = _("guests")
        constraints = [
            models.UniqueConstraint(fields=["event", "person"], name="event_guest_once"),
            models.CheckConstraint(
                condition=models.Q(invited=True) | models.Q(attended=True), name="event_guest_invited_or_present"
            ),
            models.CheckConstraint(
                condition=models.Q(rsvp="", rsvp_at__isnull=True)
                | (~models.Q(rsvp="") & models.Q(rsvp_at__isnull=False)),
                name="event_guest_rsvp_with_time",
            ),
        ]

    def __str__(self):
        return f"{self.person} @ {self.event}"

    @property
    def is_coming(self) -> bool:
        return self.rsvp == RsvpAnswer.YES

    @property
    def has_declined(self) -> bool:
        return self.rsvp == RsvpAnswer.NO

    @property
    def has_answered(self) -> bool:
        return bool(self.rsvp)


class EventMail(OutboxMail):
    """An invitation or a reminder to one guest as a row of the one outbox (mentorwijs.outbox), sent
    by dissemination's EVENT_MAILS (services/event_invitations.py). One row per guest and kind: a
    reminder stored twice (the periodic task ran twice) is refused by the constraint."""

    guest = models.ForeignKey(EventGuest, verbose_name=_("guest"), on_delete=models.CASCADE, related_name="mails")
    kind = models.CharField(_("kind"), max_length=16, choices=EventMailKind.choices)

    class Meta(OutboxMail.Meta):
        verbose_name = _("event mail")
        verbose_name_plural = _("event mails")
        ordering = ["due_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["guest", "kind"], name="event_mail_once")]

    def __str__(self):
        return f"{self.guest} – {self.get_kind_display()}"


class Goal(models.Model):
    """A target of the dissemination plan: a communication goal for one target group in a period,
    with the number to reach (organisations informed or convinced, supervisors trained)."""

    goal = models.CharField(_("communication goal"), max_length=16, choices=CommunicationGoal.choices)
    target_group = models.CharField(_("target group"), max_length=32, choices=TargetGroup.choices)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("up to and including"))
    target = models.PositiveIntegerField(_("target number"), validators=[MinValueValidator(1)])
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["starts_on", "goal", "target_group"]
        constraints = [
            models.UniqueConstraint(fields=["goal", "target_group", "starts_on", "ends_on"], name="goal_unique"),
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="goal_period_valid"),
            models.CheckConstraint(condition=models.Q(target__gte=1), name="goal_target_positive"),
        ]

    def __str__(self):
        return f"{self.get_goal_display()} – {self.get_target_group_display()} ({self.starts_on}–{self.ends_on})"


class MailingList(models.Model):
    """A newsletter list people can follow (for example: employers, schools, the national news)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    public = models.BooleanField(_("on the sign-up form"), default=True)
    # An archived list is offered nowhere (sign-up form, preferences, new newsletters) but keeps its
    # subscribers, consent records and newsletters; staff can restore it.
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)

    class Meta:
        verbose_name = _("mailing list")
        verbose_name_plural = _("mailing lists")
        ordering = ["name"]

    def __str__(self):
        return self.name


# Words before a name that are no first name ("Mevr. Jansen", "dr. Bakker"): the greeting goes without one.
TITLES = frozenset({"dhr", "mevr", "mw", "mr", "mrs", "ms", "dr", "drs", "ir", "ing", "prof", "de", "heer", "mevrouw"})


def first_name_of(name: str) -> str:
    """The first name in a full name, for the greeting of a subscriber whose first name was not asked
    (an import, a sign-up from before): the first word, unless it is an initial ("J.") or a title."""
    words = name.split()
    if not words:
        return ""
    first = words[0]
    if "." in first or len(first) < 2 or first.lower().rstrip(".") in TITLES:
        return ""
    return first[:100]


class Subscriber(models.Model):
    """An address that receives (or asked to receive) newsletters. Newsletter mail needs a
    confirmed status; service mail (reminders, certificates) never looks here."""

    email = models.EmailField(_("email address"))
    name = models.CharField(_("name"), max_length=200, blank=True)
    # What the newsletter's greeting uses ("Hallo Jan,"); empty: a greeting without a name.
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    organisation_name = models.CharField(_("organisation"), max_length=200, blank=True)
    target_group = models.CharField(_("target group"), max_length=32, choices=TargetGroup.choices, blank=True)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.SET_NULL, null=True, blank=True, related_name="subscriptions"
    )
    lists = models.ManyToManyField(MailingList, verbose_name=_("lists"), blank=True, related_name="subscribers")
    status = models.CharField(
        _("status"), max_length=16, choices=SubscriberStatus.choices, default=SubscriberStatus.PENDING
    )
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="nl")
    created_at = models.DateTimeField(_("signed up at"), default=timezone.now)
    confirmation_sent_at = models.DateTimeField(_("confirmation sent at"), null=True, blank=True)
    # The confirmation mail requested and not sent yet: {"lists": [ids], "version": wording version};
    # confirmation_sent_at holds the request time meanwhile. Cleared when the mail leaves (or cannot).
    confirmation_request = models.JSONField(_("confirmation requested"), null=True, blank=True, editable=False)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed at"), null=True, blank=True)
    soft_bounces = models.PositiveSmallIntegerField(_("soft bounces in a row"), default=0)

    class Meta:
        verbose_name = _("subscriber")
        verbose_name_plural = _("subscribers")
        ordering = ["email"]
        constraints = [models.UniqueConstraint(Lower("email"), name="subscriber_email_ci_unique")]
        indexes = [
            models.Index(fields=["status"]),
            # The confirmation sweep reads only the open requests, a handful among 100,000 rows.
            models.Index(
                fields=["confirmation_sent_at"],
                condition=models.Q(confirmation_request__isnull=False),
                name="subscriber_open_request_idx",
            ),
        ]

    def __str__(self):
        return self.email


FORGOTTEN_ADDRESS_PREFIX = "verwijderd-"


def forgotten_address(subscriber_id_field: str):
    """The placeholder that replaces a forgotten subscriber's address: "verwijderd-<subscriber id>",
    unique and without "@", so it is no address and nothing can be mailed to it. An expression over
    the row's field holding the subscriber id ("pk" on Subscriber, "subscriber_id" here)."""
    return Concat(Value(FORGOTTEN_ADDRESS_PREFIX), Cast(subscriber_id_field, models.CharField()))


class ConsentRecordQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Consent records are append-only.")

    def delete(self):
        raise TypeError("Consent records are append-only.")

    def forget_addresses(self) -> int:
        """The one change a consent record allows, made only by the retention rule for former
        subscribers (privacy.retention) once the proof is no longer needed: the address becomes the
        subscriber's placeholder and the proof text is emptied. Who (the subscriber row), which list,
        given or withdrawn, the wording version, the source and the moment stay. Returns the rows
        changed."""
        return super().update(email=forgotten_address("subscriber_id"), proof="")


class ConsentRecord(models.Model):
    """Proof of consent for one list, and of every withdrawal: append-only. A change is a new record.
    The only exception: once the proof is no longer needed, the address leaves the record
    (ConsentRecordQuerySet.forget_addresses)."""

    subscriber = models.ForeignKey(
        Subscriber, verbose_name=_("subscriber"), on_delete=models.PROTECT, related_name="consents"
    )
    email = models.EmailField(_("email address"))  # as it was when the record was made
    mailing_list = models.ForeignKey(
        MailingList, verbose_name=_("list"), on_delete=models.PROTECT, related_name="consents"
    )
    action = models.CharField(_("action"), max_length=16, choices=ConsentAction.choices)
    wording_version = models.CharField(_("version of the consent text"), max_length=20)
    source = models.CharField(_("source"), max_length=16, choices=ConsentSource.choices)
    proof = models.CharField(_("proof"), max_length=300, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)

    objects = ConsentRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.email} {self.get_action_display()} {self.mailing_list}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("Consent records are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Consent records are append-only.")


class Newsletter(models.Model):
    """A campaign: composed once, rendered once, sent to its audience in batches."""

    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text (Markdown)"))
    # The English version, optional: subscribers who chose English get it when it is there.
    subject_en = models.CharField(_("subject in English"), max_length=200, blank=True)
    body_en = models.TextField(_("text in English (Markdown)"), blank=True)
    lists = models.ManyToManyField(MailingList, verbose_name=_("lists"), related_name="newsletters")
    # Narrow the lists' subscribers; empty means everyone on the lists.
    target_groups = models.JSONField(_("target groups"), default=list, blank=True)
    regions = models.ManyToManyField(Region, verbose_name=_("regions"), blank=True, related_name="+")
    status = models.CharField(_("status"), max_length=16, choices=NewsletterStatus.choices, default="draft")
    scheduled_at = models.DateTimeField(_("send at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    started_at = models.DateTimeField(_("sending started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("sending finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("newsletter")
        verbose_name_plural = _("newsletters")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "scheduled_at"])]

    def __str__(self):
        return self.subject

    @property
    def is_draft(self) -> bool:
        return self.status == NewsletterStatus.DRAFT

    @property
    def has_english(self) -> bool:
        return bool(self.body_en)

    @property
    def is_cancellable(self) -> bool:
        return self.status in NEWSLETTER_CANCELLABLE


class Delivery(models.Model):
    """One newsletter to one subscriber: at most one row, so nobody is mailed twice."""

    newsletter = models.ForeignKey(
        Newsletter, verbose_name=_("newsletter"), on_delete=models.CASCADE, related_name="deliveries"
    )
    subscriber = models.ForeignKey(
        Subscriber, verbose_name=_("subscriber"), on_delete=models.CASCADE, related_name="deliveries"
    )
    status = models.CharField(_("status"), max_length=16, choices=DeliveryStatus.choices, default="pending")
    claimed_at = models.DateTimeField(null=True, blank=True)
    # Set anew by every claim: a sender only marks or resets rows that still carry its own token.
    claim = models.UUIDField(null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    message_id = models.CharField(max_length=255, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [models.UniqueConstraint(fields=["newsletter", "subscriber"], name="delivery_once")]
        indexes = [models.Index(fields=["newsletter", "status"])]

    def __str__(self):
        return f"{self.newsletter} → {self.subscriber}"


class MailEvent(models.Model):
    """A bounce or complaint reported for an address (by the provider's webhook or the bounce mailbox)."""

    subscriber = models.ForeignKey(
        Subscriber, verbose_name=_("subscriber"), on_delete=models.CASCADE, related_name="mail_events"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=MailEventKind.choices)
    delivery = models.ForeignKey(
        Delivery, verbose_name=_("delivery"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("mail event")
        verbose_name_plural = _("mail events")
        ordering = ["-at"]

    def __str__(self):
        return f"{self.subscriber} {self.get_kind_display()}"
