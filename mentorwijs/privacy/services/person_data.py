"""Everything the system holds about one person (AVG art. 15: right of access), as JSON-ready data.

A person is found through the `Person` row and everything that points at it, plus the rows that
carry the same email address without a link: newsletter subscribers (compared without case) and a
user account. A fixed number of queries, whatever the amount of data (at most 17; fewer when the
person has no email address, no subscriptions or no account).
"""

from django.db.models import OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Lower
from django.utils import timezone

from dissemination.models import ConsentRecord, Delivery, EventGuest, MailEvent, OutreachContact, Person, Subscriber
from mentorwijs.accounts.models import User
from trainings.enums import MeetingStatus
from trainings.models import Attendance, Enrolment, Evaluation, Meeting, ScheduledMessage

from .rows import (
    account_row,
    ambassador_row,
    certification_rows,
    certifications_queryset,
    choice,
    iso,
    name,
    organisation_row,
)


def _enrolments(person: Person) -> list[dict]:
    scheduled = Meeting.objects.filter(training=OuterRef("training_id")).exclude(status=MeetingStatus.CANCELLED)
    enrolments = (
        Enrolment.objects.filter(person=person)
        .select_related("training", "certificate")
        .annotate(
            run_starts=Subquery(scheduled.order_by("starts_at").values("starts_at")[:1]),
            run_ends=Subquery(scheduled.order_by("-ends_at").values("ends_at")[:1]),
        )
        .prefetch_related(
            Prefetch(
                "attendances",
                queryset=Attendance.objects.select_related("meeting__training", "catches_up").order_by(
                    "meeting__starts_at", "pk"
                ),
            ),
            Prefetch("evaluations", queryset=Evaluation.objects.order_by("submitted_at", "pk")),
            Prefetch("messages", queryset=ScheduledMessage.objects.order_by("due_at", "pk")),
        )
        .order_by("created_at", "pk")
    )
    rows = []
    for enrolment in enrolments:
        certificate = getattr(enrolment, "certificate", None)
        rows.append(
            {
                "id": enrolment.pk,
                "training": {
                    "id": enrolment.training.pk,
                    "title": enrolment.training.title,
                    **choice(enrolment.training, "variant"),
                    "first_meeting": iso(enrolment.run_starts),
                    "last_meeting_ends": iso(enrolment.run_ends),
                },
                **choice(enrolment, "status"),
                "source": enrolment.source,
                "source_label": str(enrolment.get_source_display()) if enrolment.source else "",
                "dietary_wishes": enrolment.dietary_wishes,
                "privacy_version": enrolment.privacy_version,
                "consented_at": iso(enrolment.consented_at),
                "language": enrolment.language,
                "created_at": iso(enrolment.created_at),
                "waitlisted_at": iso(enrolment.waitlisted_at),
                "offer_expires_at": iso(enrolment.offer_expires_at),
                "cancelled_at": iso(enrolment.cancelled_at),
                "completed_at": iso(enrolment.completed_at),
                "attendances": [
                    {
                        "meeting": f"{attendance.meeting.training.title} #{attendance.meeting.number}",
                        "starts_at": iso(attendance.meeting.starts_at),
                        "present": attendance.present,
                        "absence_reason": attendance.absence_reason,
                        "catches_up_meeting": attendance.catches_up.number if attendance.catches_up else None,
                        "recorded_at": iso(attendance.recorded_at),
                    }
                    for attendance in enrolment.attendances.all()
                ],
                "certificate": (
                    {
                        "code": certificate.code,
                        "issued_at": iso(certificate.issued_at),
                        "revoked_at": iso(certificate.revoked_at),
                        "revocation_reason": certificate.revocation_reason,
                    }
                    if certificate
                    else None
                ),
                "evaluations": [
                    {
                        **choice(evaluation, "moment"),
                        "satisfaction": evaluation.satisfaction,
                        "self_efficacy": dict(evaluation.self_efficacy),
                        "usefulness": dict(evaluation.usefulness),
                        "remarks": evaluation.remarks,
                        "submitted_at": iso(evaluation.submitted_at),
                    }
                    for evaluation in enrolment.evaluations.all()
                ],
                "messages": [
                    {
                        **choice(message, "kind"),
                        **choice(message, "status"),
                        "due_at": iso(message.due_at),
                        "sent_at": iso(message.sent_at),
                    }
                    for message in enrolment.messages.all()
                ],
            }
        )
    return rows


def _event_guests(person: Person) -> list[dict]:
    guests = EventGuest.objects.filter(person=person).select_related("event").order_by("event__date", "pk")
    return [
        {
            "event": {"id": guest.event.pk, "title": guest.event.title, "date": iso(guest.event.date)},
            "invited": guest.invited,
            "attended": guest.attended,
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


def _subscriptions(person: Person) -> list[dict]:
    match = Q(person=person)
    if person.email:
        match |= Q(email_lower=person.email.lower())  # the index's expression (see erasure)
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


def _account(person: Person) -> dict | None:
    if not person.email:
        return None
    user = (
        User.objects.filter(email__iexact=person.email)
        .select_related("ambassador__organisation", "ambassador__region")
        .prefetch_related(
            "groups",
            Prefetch("certifications", queryset=certifications_queryset()),
        )
        .first()
    )
    if user is None:
        return None
    return {
        **account_row(user),
        "certifications": certification_rows(user.certifications.all()),
        "ambassador": ambassador_row(getattr(user, "ambassador", None)),
    }


def person_data(*, person: Person) -> dict:
    """Everything held about `person`, JSON-ready (dates and times as ISO 8601 strings in local time).
    Reads only. Another person's rows never appear: every part is selected by this person's id or
    by their own (non-empty) email address."""
    person = Person.objects.select_related(
        "organisation__region", "ambassador__organisation", "ambassador__region"
    ).get(pk=person.pk)
    return {
        "generated_at": iso(timezone.now()),
        "person": {
            "id": person.pk,
            "first_name": person.first_name,
            "last_name": person.last_name,
            "email": person.email,
            "phone": person.phone,
            "function": person.function,
        },
        "organisation": organisation_row(person.organisation),
        "enrolments": _enrolments(person),
        "event_guests": _event_guests(person),
        "outreach_contacts": _outreach_contacts(person),
        "subscriptions": _subscriptions(person),
        "account": _account(person),
        "ambassador": ambassador_row(getattr(person, "ambassador", None)),
    }
