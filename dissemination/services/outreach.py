"""The outreach log: ambassadors log their contacts with organisations, plan follow-ups, and get
a weekly digest of the follow-ups that are due.

An ambassador changes only their own contacts; staff change any and can hand a contact to another
ambassador. Nothing about an employee's health or disability is ever recorded (the form warns)."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mentorwijs import mail
from mentorwijs.accounts.models import User
from mentorwijs.accounts.roles import Role

from ..enums import KeyMessage, MaterialShared, OutreachChannel, Stage
from ..models import FollowUpDigest, Organisation, OutreachContact, Person
from ..queries import outreach as outreach_queries
from ..queries import relations as queries
from .relations import organisation_find_or_add, person_find_or_add

logger = logging.getLogger(__name__)

NOT_YOURS = _("You can only change your own contacts.")
OTHER_ORGANISATION_EMAIL = _("This email address belongs to someone at another organisation.")
SOMEONE_ELSES_EMAIL = _(
    "Someone you cannot see here already has this email address. Leave it empty, or ask Werkzaak staff."
)


def _is_manager(user) -> bool:
    return user.has_perm("dissemination.manage_outreach")


def _check_choices(*, channel, stage, materials, key_messages) -> dict:
    errors = {}
    if channel not in OutreachChannel.values:
        errors["channel"] = _("Choose a channel.")
    if stage not in Stage.values:
        errors["stage"] = _("Choose the stage reached.")
    if any(code not in MaterialShared.values for code in materials):
        errors["materials"] = _("Choose materials from the list.")
    if any(code not in KeyMessage.values for code in key_messages):
        errors["key_messages"] = _("Choose key message elements from the list.")
    return errors


def _check_dates(*, date, follow_up_on) -> dict:
    errors = {}
    if date > timezone.localdate():
        errors["date"] = _("A contact can only be logged once it has happened.")
    if follow_up_on is not None and follow_up_on < date:
        errors["follow_up_on"] = _("The follow-up cannot be before the contact.")
    return errors


def _ordered(codes, choices) -> list[str]:
    """The chosen codes once each, in the order of the list of choices."""
    chosen = set(codes)
    return [code for code in choices.values if code in chosen]


def _organisation_for(*, organisation, new_organisation: dict | None) -> Organisation:
    if organisation is not None:
        return organisation
    data = new_organisation or {}
    name = (data.get("name") or "").strip()
    errors = {}
    if not name:
        errors["organisation_name"] = _("Choose the organisation or add it.")
    else:
        for field in ("target_group", "region"):
            if not data.get(field):
                errors[f"organisation_{field}"] = _("Fill this in for a new organisation.")
    if errors:
        raise ValidationError(errors)
    return organisation_find_or_add(
        name=name, city=data.get("city") or "", target_group=data["target_group"], region=data["region"]
    )


def _person_for(*, by, organisation: Organisation, person, new_person: dict | None) -> Person | None:
    """The contact person: `person` (one `by` may see, at the organisation), or the one `new_person`
    names among the people `by` may see (by email, else by name at the organisation), else a new one.
    Someone `by` may not see is never taken: their address is refused without naming them."""
    visible = queries.people_visible_to(by)
    if person is not None:
        if not visible.filter(pk=person.pk).exists():
            raise ValidationError({"person": _("Choose one of your own contact persons.")})
        if person.organisation_id != organisation.pk:
            raise ValidationError({"person": _("This person does not belong to the organisation.")})
        return person
    data = new_person or {}
    first_name = (data.get("first_name") or "").strip()
    last_name = (data.get("last_name") or "").strip()
    email = (data.get("email") or "").strip()
    if not (first_name or last_name or email):
        return None
    if not (first_name and last_name):
        raise ValidationError({"person_last_name" if first_name else "person_first_name": _("Fill in both names.")})

    def check_existing(existing: Person) -> None:  # the person with the address typed in
        if not visible.filter(pk=existing.pk).exists():
            raise ValidationError({"person_email": SOMEONE_ELSES_EMAIL})
        if existing.organisation_id not in (None, organisation.pk):
            raise ValidationError({"person_email": OTHER_ORGANISATION_EMAIL})

    if not email:
        existing = (
            visible.filter(organisation=organisation, first_name__iexact=first_name, last_name__iexact=last_name)
            .order_by("pk")
            .first()
        )
        if existing is not None:
            return existing
    try:
        return person_find_or_add(
            email=email,
            first_name=first_name,
            last_name=last_name,
            organisation=organisation,
            added_by=by,
            fill_empty=("organisation",),
            check_existing=check_existing,
        )
    except ValidationError as error:
        if "email" in getattr(error, "error_dict", {}):  # an address person_save refused
            raise ValidationError({"person_email": SOMEONE_ELSES_EMAIL}) from error
        raise


def contact_log(
    *,
    by,
    channel: str,
    stage: str,
    organisation: Organisation | None = None,
    new_organisation: dict | None = None,
    person: Person | None = None,
    new_person: dict | None = None,
    date=None,
    materials=(),
    key_messages=(),
    notes: str = "",
    follow_up_on=None,
) -> OutreachContact:
    """Log one contact of `by` (an ambassador or staff) with an organisation.

    `new_organisation` (name, city, target_group, region) is used when no `organisation` is given:
    the same name in the same city is taken as the existing one, otherwise it is created.
    `person` must be one `by` may see (queries.people_visible_to) and belong to the organisation;
    `new_person` (first_name, last_name, email) finds such a Person with that email (or that name at
    the organisation) or adds one there (added_by `by`); an address of someone `by` may not see is
    refused without naming them.

    Side effects: may create an Organisation and a Person. Refusals raise ValidationError by field;
    nothing is saved then.
    """
    if not by.has_perm("dissemination.log_outreach"):
        raise ValidationError(_("Only ambassadors and staff log outreach."))
    date = date or timezone.localdate()
    materials, key_messages = list(materials), list(key_messages)
    errors = {
        **_check_choices(channel=channel, stage=stage, materials=materials, key_messages=key_messages),
        **_check_dates(date=date, follow_up_on=follow_up_on),
    }
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        organisation = _organisation_for(organisation=organisation, new_organisation=new_organisation)
        person = _person_for(by=by, organisation=organisation, person=person, new_person=new_person)
        return OutreachContact.objects.create(
            logged_by=by,
            organisation=organisation,
            person=person,
            date=date,
            channel=channel,
            materials=_ordered(materials, MaterialShared),
            key_messages=_ordered(key_messages, KeyMessage),
            stage=stage,
            notes=notes.strip(),
            follow_up_on=follow_up_on,
        )


UPDATABLE = (
    "person",
    "date",
    "channel",
    "materials",
    "key_messages",
    "stage",
    "notes",
    "follow_up_on",
    "follow_up_done",
)


def contact_update(*, contact: OutreachContact, by, **changes) -> OutreachContact:
    """Change a contact's fields (UPDATABLE; the organisation stays). Only its ambassador or staff.

    A new follow-up date opens the follow-up again (follow_up_done False unless given)."""
    unknown = set(changes) - set(UPDATABLE)
    if unknown:
        raise TypeError(f"contact_update does not change {', '.join(sorted(unknown))}")
    if contact.logged_by_id != by.pk and not _is_manager(by):
        raise ValidationError(NOT_YOURS)
    values = {field: changes.get(field, getattr(contact, field)) for field in UPDATABLE}
    values["materials"], values["key_messages"] = list(values["materials"]), list(values["key_messages"])
    errors = {
        **_check_choices(
            channel=values["channel"],
            stage=values["stage"],
            materials=values["materials"],
            key_messages=values["key_messages"],
        ),
        **_check_dates(date=values["date"], follow_up_on=values["follow_up_on"]),
    }
    if values["person"] is not None and values["person"].organisation_id != contact.organisation_id:
        errors["person"] = _("This person does not belong to the organisation.")
    elif (
        values["person"] is not None
        and values["person"].pk != contact.person_id
        and not queries.person_visible_to(by, values["person"])
    ):
        errors["person"] = _("Choose one of your own contact persons.")
    if errors:
        raise ValidationError(errors)
    if values["follow_up_on"] != contact.follow_up_on and "follow_up_done" not in changes:
        values["follow_up_done"] = False
    values["materials"] = _ordered(values["materials"], MaterialShared)
    values["key_messages"] = _ordered(values["key_messages"], KeyMessage)
    values["notes"] = (values["notes"] or "").strip()
    with transaction.atomic():
        for field, value in values.items():
            setattr(contact, field, value)
        contact.save(update_fields=list(UPDATABLE))
    return contact


def follow_up_done(*, contact: OutreachContact, by) -> OutreachContact:
    """Mark the contact's follow-up as done. Only its ambassador or staff."""
    if contact.logged_by_id != by.pk and not _is_manager(by):
        raise ValidationError(NOT_YOURS)
    if contact.follow_up_on is None:
        raise ValidationError(_("This contact has no follow-up."))
    if not contact.follow_up_done:
        contact.follow_up_done = True
        contact.save(update_fields=["follow_up_done"])
    return contact


def contact_reassign(*, contact: OutreachContact, to_user, by) -> OutreachContact:
    """Hand a contact (and its follow-up) to another ambassador. Staff only."""
    if not _is_manager(by):
        raise ValidationError(_("Only staff hand contacts over."))
    if not (to_user.is_active and to_user.has_role(Role.AMBASSADOR)):
        raise ValidationError({"to_user": _("Choose an active ambassador.")})
    if contact.logged_by_id != to_user.pk:
        contact.logged_by = to_user
        contact.save(update_fields=["logged_by"])
    return contact


def _monday(day):
    return day - timedelta(days=day.weekday())


def send_follow_up_digests(*, today=None) -> int:
    """Mail each active ambassador (or staff member) who has open follow-ups that are overdue or due
    within a week one digest, at most once per ISO week. Returns the number of mails sent.

    Side effects: one FollowUpDigest row per user and week, written with the mail; a second run
    in the same week sends nothing. A failed send leaves no row, so the next run tries again."""
    today = today or timezone.localdate()
    week = _monday(today)
    until = today + timedelta(days=outreach_queries.FOLLOW_UP_WINDOW_DAYS)
    users = (
        User.objects.filter(
            is_active=True,
            groups__name__in=[Role.AMBASSADOR, Role.STAFF],
            outreach_contacts__follow_up_done=False,
            outreach_contacts__follow_up_on__lte=until,
        )
        .exclude(pk__in=FollowUpDigest.objects.filter(week=week).values("user_id"))
        .distinct()
        .order_by("pk")
    )
    sent = 0
    for user in users:
        try:
            with transaction.atomic():
                digest, _created = FollowUpDigest.objects.get_or_create(user=user, week=week)
                claimed = FollowUpDigest.objects.select_for_update(skip_locked=True).filter(
                    pk=digest.pk, sent_at__isnull=True
                )
                if not claimed.exists():
                    continue
                follow_ups = list(outreach_queries.follow_ups_due(user, today))
                if not follow_ups:
                    continue  # done meanwhile; the empty row keeps this week quiet
                mail.send(
                    template="dissemination/follow_up_digest",
                    to=user.email,
                    context={
                        "name": user.first_name or user.email,
                        "today": today,
                        "count": len(follow_ups),
                        "overdue": [c for c in follow_ups if c.follow_up_on < today],
                        "due": [c for c in follow_ups if c.follow_up_on >= today],
                        "follow_ups_url": settings.SITE_URL.rstrip("/") + reverse("dissemination:follow_up_list"),
                    },
                    language=user.language,
                )
                FollowUpDigest.objects.filter(pk=digest.pk).update(sent_at=timezone.now())
                sent += 1
        except Exception:  # one bad address must not stop the others; the next run retries
            logger.exception("follow-up digest to user %s failed", user.pk)
    return sent
