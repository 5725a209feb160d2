from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .enums import OutreachChannel, Stage, TargetGroup


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

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(Lower("email"), condition=~models.Q(email=""), name="person_email_ci_unique")
        ]

    def __str__(self):
        return f"{self.first_name} {self.last_name}"


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
