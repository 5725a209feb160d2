"""Dissemination's parts of a person's export and erasure and of an account holder's export
(mentorwijs.personal_data), one per concern, registered in DisseminationConfig.ready:
- relations: the Person row and its organisation. The erasure anonymises the row in place
  (person_anonymise): the organisation stays, so the counts per organisation do not change;
- outreach: the events they were a guest at (with their answer and the invitations and reminders
  mailed) and the contacts where they were the contact person (the erasure empties those contacts'
  notes: notes of a conversation with someone describe that someone; the contact itself stays as a
  figure; event mails still waiting are cancelled and send errors emptied); for an account holder,
  the contacts they logged and the events they spoke at;
- newsletters: the subscribers linked to the person or with their address (the erasure:
  retention.subscribers_forget_person).
"""

from django.db import transaction
from django.db.models import Prefetch, Q
from django.db.models.functions import Lower

from mentorwijs.accounts.services import ERASED_FIRST_NAME
from mentorwijs.personal_data import AuditRedaction, Erased, PersonalData, choice, iso, name

from ..models import (
    ConsentRecord,
    Delivery,
    EventGuest,
    EventMail,
    MailEvent,
    OutreachContact,
    Person,
    Subscriber,
    new_research_key,
)
from .event_mails import event_mails_forget_person
from .retention import subscribers_forget_person

# --- relations ---


def erased_last_name(person: Person) -> str:
    return f"persoon #{person.pk}"


def person_is_anonymised(person: Person) -> bool:
    """True when the person row still carries exactly what an erasure left."""
    return (
        person.first_name == ERASED_FIRST_NAME
        and person.last_name == erased_last_name(person)
        and not (person.email or person.phone or person.function)
    )


@transaction.atomic
def person_anonymise(*, person: Person) -> None:
    """The row stays (its organisation, enrolments and contacts count in the figures) but names no
    one: names "Verwijderd" / "persoon #<id>", email, phone and function emptied, and a new research
    key, so the research export's pseudonym of their evaluations changes and nothing kept gives the
    old one back (their before/after questionnaires still share the new one). Saves `person`."""
    person.first_name = ERASED_FIRST_NAME
    person.last_name = erased_last_name(person)
    person.email = ""
    person.phone = ""
    person.function = ""
    person.research_key = new_research_key()
    person.save(update_fields=["first_name", "last_name", "email", "phone", "function", "research_key"])


def organisation_row(organisation) -> dict | None:
    if organisation is None:
        return None
    return {
        "id": organisation.pk,
        "name": organisation.name,
        "target_group": organisation.target_group,
        "target_group_label": str(organisation.get_target_group_display()),
        "region": organisation.region.name,
        "city": organisation.city,
    }


def _relations_export(person: Person) -> dict:
    return {
        "person": {
            "id": person.pk,
            "first_name": person.first_name,
            "last_name": person.last_name,
            "email": person.email,
            "phone": person.phone,
            "function": person.function,
        },
        "organisation": organisation_row(person.organisation),
    }


def _relations_erase(erasure) -> Erased:
    person_anonymise(person=erasure.person)
    return Erased(audit=[AuditRedaction(Person, [erasure.person.pk], None)])


RELATIONS = PersonalData(
    key="relations",
    person_query=lambda people: people.select_related("organisation__region"),
    person_export=_relations_export,
    person_erase=_relations_erase,
)


# --- outreach ---


def _event_guests(person: Person) -> list[dict]:
    guests = (
        EventGuest.objects.filter(person=person)
        .select_related("event")
        .prefetch_related(Prefetch("mails", queryset=EventMail.objects.order_by("due_at", "pk")))
        .order_by("event__date", "pk")
    )
    return [
        {
            "event": {"id": guest.event.pk, "title": guest.event.title, "date": iso(guest.event.date)},
            "invited": guest.invited,
            "attended": guest.attended,
            **choice(guest, "rsvp"),
            "rsvp_at": iso(guest.rsvp_at),
            "mails": [
                {
                    **choice(row, "kind"),
                    **choice(row, "status"),
                    "due_at": iso(row.due_at),
                    "sent_at": iso(row.sent_at),
                }
                for row in guest.mails.all()
            ],
        }
        for guest in guests
    ]


def _outreach_contacts(person: Person) -> list[dict]:
    contacts = (
        OutreachContact.objects.filter(person=person).select_related("organisation", "logged_by").order_by("date", "pk")
    )
    return [
        {
            "id": contact.pk,
            "date": iso(contact.date),
            "organisation": contact.organisation.name,
            "logged_by": name(contact.logged_by),
            **choice(contact, "channel"),
            **choice(contact, "stage"),
            "notes": contact.notes,
            "follow_up_on": iso(contact.follow_up_on),
            "follow_up_done": contact.follow_up_done,
        }
        for contact in contacts
    ]


def _outreach_export(person: Person) -> dict:
    return {"event_guests": _event_guests(person), "outreach_contacts": _outreach_contacts(person)}


def _outreach_erase(erasure) -> Erased:
    """Notes of other contacts are left alone: they are about the organisation. The answers to event
    invitations stay (they count in the event's figures; the person row names no one any more)."""
    contact_ids = list(OutreachContact.objects.filter(person=erasure.person).values_list("pk", flat=True))
    cleared = OutreachContact.objects.filter(pk__in=contact_ids).exclude(notes="").update(notes="")
    cancelled = event_mails_forget_person(person=erasure.person)
    return Erased(
        counts={"outreach_contacts": cleared, "event_mails_cancelled": cancelled},
        audit=[AuditRedaction(OutreachContact, contact_ids, ["notes"])],
    )


def _outreach_account_query(users, brief: bool):
    if brief:
        return users
    return users.prefetch_related(
        Prefetch(
            "outreach_contacts", queryset=OutreachContact.objects.select_related("organisation").order_by("date", "pk")
        ),
        "events_spoken",
    )


def _outreach_account_export(user, brief: bool) -> dict:
    if brief:
        return {}
    return {
        "outreach_contacts": [
            {
                "id": contact.pk,
                "date": iso(contact.date),
                "organisation": contact.organisation.name,
                "with_contact_person": contact.person_id is not None,
                **choice(contact, "channel"),
                **choice(contact, "stage"),
                "notes": contact.notes,
                "follow_up_on": iso(contact.follow_up_on),
                "follow_up_done": contact.follow_up_done,
            }
            for contact in user.outreach_contacts.all()
        ],
        "events_spoken": [
            {"title": event.title, "date": iso(event.date)}
            for event in sorted(user.events_spoken.all(), key=lambda event: (event.date, event.pk))
        ],
    }


OUTREACH = PersonalData(
    key="outreach",
    person_export=_outreach_export,
    person_erase=_outreach_erase,
    account_query=_outreach_account_query,
    account_export=_outreach_account_export,
)


# --- newsletters ---


def _subscriptions(person: Person) -> list[dict]:
    match = Q(person=person)
    if person.email:
        match |= Q(email_lower=person.email.lower())  # the index's expression (see subscribers_forget_person)
    subscribers = (
        Subscriber.objects.alias(email_lower=Lower("email"))
        .filter(match)
        .select_related("region")
        .prefetch_related(
            "lists",
            Prefetch("consents", queryset=ConsentRecord.objects.select_related("mailing_list").order_by("at", "pk")),
            Prefetch("deliveries", queryset=Delivery.objects.select_related("newsletter").order_by("pk")),
            Prefetch("mail_events", queryset=MailEvent.objects.order_by("at", "pk")),
        )
        .order_by("pk")
    )
    return [
        {
            "id": subscriber.pk,
            "email": subscriber.email,
            "name": subscriber.name,
            "first_name": subscriber.first_name,
            "organisation_name": subscriber.organisation_name,
            "target_group": subscriber.target_group,
            "region": subscriber.region.name if subscriber.region else None,
            **choice(subscriber, "status"),
            "language": subscriber.language,
            "created_at": iso(subscriber.created_at),
            "confirmed_at": iso(subscriber.confirmed_at),
            "unsubscribed_at": iso(subscriber.unsubscribed_at),
            "lists": sorted(mailing_list.name for mailing_list in subscriber.lists.all()),
            "consents": [
                {
                    "list": consent.mailing_list.name,
                    "email": consent.email,
                    **choice(consent, "action"),
                    "wording_version": consent.wording_version,
                    **choice(consent, "source"),
                    "proof": consent.proof,
                    "at": iso(consent.at),
                }
                for consent in subscriber.consents.all()
            ],
            "deliveries": [
                {
                    "newsletter": delivery.newsletter.subject,
                    **choice(delivery, "status"),
                    "sent_at": iso(delivery.sent_at),
                }
                for delivery in subscriber.deliveries.all()
            ],
            "mail_events": [
                {**choice(event, "kind"), "detail": event.detail, "at": iso(event.at)}
                for event in subscriber.mail_events.all()
            ],
        }
        for subscriber in subscribers
    ]


def _newsletters_erase(erasure) -> Erased:
    """First in an erasure, while the address is still known (retention.subscribers_forget_person)."""
    subscriber_ids = subscribers_forget_person(person=erasure.person, email=erasure.email)
    return Erased(
        counts={"subscribers": len(subscriber_ids)},
        audit=[AuditRedaction(Subscriber, subscriber_ids, ["email", "name", "first_name", "organisation_name"])],
    )


NEWSLETTERS = PersonalData(
    key="newsletters",
    person_export=lambda person: {"subscriptions": _subscriptions(person)},
    person_erase=_newsletters_erase,
)

PARTS = (RELATIONS, OUTREACH, NEWSLETTERS)
