"""Everything the system holds about one person (AVG art. 15: right of access), as JSON-ready data.

A person is found through the `Person` row and everything that points at it, plus the rows that
carry the same email address without a link: newsletter subscribers (compared without case) and a
user account. A fixed number of queries, whatever the amount of data (at most 17; fewer when the
person has no email address, no subscriptions or no account).
"""

from datetime import date, datetime

from django.db.models import OuterRef, Prefetch, Q, Subquery
from django.utils import timezone

from ambassadors.models import Ambassador, Certification, CertificationEvent, CertificationEvidence
from dissemination.models import ConsentRecord, Delivery, EventGuest, MailEvent, OutreachContact, Person, Subscriber
from mentorwijs.accounts.models import User
from trainings.enums import MeetingStatus
from trainings.models import Attendance, Enrolment, Evaluation, Meeting, ScheduledMessage


def _iso(value):
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _name(user) -> str | None:
    return (user.get_full_name() or user.email) if user else None


def _choice(instance, field: str) -> dict:
    """A choice field as its stored code and its label in the active language."""
    return {field: getattr(instance, field), f"{field}_label": str(getattr(instance, f"get_{field}_display")())}


def _organisation(organisation) -> dict | None:
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


def _ambassador(profile: Ambassador | None) -> dict | None:
    if profile is None:
        return None
    return {
        "id": profile.pk,
        **_choice(profile, "kind"),
        "organisation": profile.organisation.name if profile.organisation else None,
        "region": profile.region.name if profile.region else None,
        "offers": list(profile.offers),
        "public_listing": profile.public_listing,
        "public_listing_changed_at": _iso(profile.public_listing_changed_at),
        "created_at": _iso(profile.created_at),
    }


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
                    **_choice(enrolment.training, "variant"),
                    "first_meeting": _iso(enrolment.run_starts),
                    "last_meeting_ends": _iso(enrolment.run_ends),
                },
                **_choice(enrolment, "status"),
                "source": enrolment.source,
                "source_label": str(enrolment.get_source_display()) if enrolment.source else "",
                "dietary_wishes": enrolment.dietary_wishes,
                "privacy_version": enrolment.privacy_version,
                "consented_at": _iso(enrolment.consented_at),
                "language": enrolment.language,
                "created_at": _iso(enrolment.created_at),
                "waitlisted_at": _iso(enrolment.waitlisted_at),
                "offer_expires_at": _iso(enrolment.offer_expires_at),
                "cancelled_at": _iso(enrolment.cancelled_at),
                "completed_at": _iso(enrolment.completed_at),
                "attendances": [
                    {
                        "meeting": f"{attendance.meeting.training.title} #{attendance.meeting.number}",
                        "starts_at": _iso(attendance.meeting.starts_at),
                        "present": attendance.present,
                        "absence_reason": attendance.absence_reason,
                        "catches_up_meeting": attendance.catches_up.number if attendance.catches_up else None,
                        "recorded_at": _iso(attendance.recorded_at),
                    }
                    for attendance in enrolment.attendances.all()
                ],
                "certificate": (
                    {
                        "code": certificate.code,
                        "issued_at": _iso(certificate.issued_at),
                        "revoked_at": _iso(certificate.revoked_at),
                        "revocation_reason": certificate.revocation_reason,
                    }
                    if certificate
                    else None
                ),
                "evaluations": [
                    {
                        **_choice(evaluation, "moment"),
                        "satisfaction": evaluation.satisfaction,
                        "self_efficacy": dict(evaluation.self_efficacy),
                        "usefulness": dict(evaluation.usefulness),
                        "remarks": evaluation.remarks,
                        "submitted_at": _iso(evaluation.submitted_at),
                    }
                    for evaluation in enrolment.evaluations.all()
                ],
                "messages": [
                    {
                        **_choice(message, "kind"),
                        **_choice(message, "status"),
                        "due_at": _iso(message.due_at),
                        "sent_at": _iso(message.sent_at),
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
            "event": {"id": guest.event.pk, "title": guest.event.title, "date": _iso(guest.event.date)},
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
            "date": _iso(contact.date),
            "organisation": contact.organisation.name,
            "logged_by": _name(contact.logged_by),
            **_choice(contact, "channel"),
            **_choice(contact, "stage"),
            "notes": contact.notes,
            "follow_up_on": _iso(contact.follow_up_on),
            "follow_up_done": contact.follow_up_done,
        }
        for contact in contacts
    ]


def _subscriptions(person: Person) -> list[dict]:
    match = Q(person=person)
    if person.email:
        match |= Q(email__iexact=person.email)
    subscribers = (
        Subscriber.objects.filter(match)
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
            **_choice(subscriber, "status"),
            "language": subscriber.language,
            "created_at": _iso(subscriber.created_at),
            "confirmed_at": _iso(subscriber.confirmed_at),
            "unsubscribed_at": _iso(subscriber.unsubscribed_at),
            "lists": sorted(mailing_list.name for mailing_list in subscriber.lists.all()),
            "consents": [
                {
                    "list": consent.mailing_list.name,
                    "email": consent.email,
                    **_choice(consent, "action"),
                    "wording_version": consent.wording_version,
                    **_choice(consent, "source"),
                    "proof": consent.proof,
                    "at": _iso(consent.at),
                }
                for consent in subscriber.consents.all()
            ],
            "deliveries": [
                {
                    "newsletter": delivery.newsletter.subject,
                    **_choice(delivery, "status"),
                    "sent_at": _iso(delivery.sent_at),
                }
                for delivery in subscriber.deliveries.all()
            ],
            "mail_events": [
                {**_choice(event, "kind"), "detail": event.detail, "at": _iso(event.at)}
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
            Prefetch(
                "certifications",
                queryset=Certification.objects.select_related("certified_by")
                .prefetch_related(
                    Prefetch(
                        "events", queryset=CertificationEvent.objects.select_related("actor").order_by("at", "pk")
                    ),
                    Prefetch("evidence", queryset=CertificationEvidence.objects.order_by("uploaded_at", "pk")),
                )
                .order_by("requested_at", "pk"),
            ),
        )
        .first()
    )
    if user is None:
        return None
    return {
        "id": user.pk,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "roles": sorted(user.roles),
        "role_labels": user.role_labels,
        "language": user.language,
        "is_active": user.is_active,
        "date_joined": _iso(user.date_joined),
        "last_login": _iso(user.last_login),
        "certifications": [
            {
                "id": certification.pk,
                **_choice(certification, "level"),
                **_choice(certification, "status"),
                "valid_from": _iso(certification.valid_from),
                "valid_until": _iso(certification.valid_until),
                "requested_at": _iso(certification.requested_at),
                "request_note": certification.request_note,
                "certified_by": _name(certification.certified_by),
                "reviewed_at": _iso(certification.reviewed_at),
                "review_note": certification.review_note,
                "events": [
                    {**_choice(event, "action"), "by": _name(event.actor), "at": _iso(event.at), "note": event.note}
                    for event in certification.events.all()
                ],
                # The files themselves are not exported here: their names and sizes say what is kept.
                "evidence": [
                    {
                        "file_name": evidence.original_name,
                        "content_type": evidence.content_type,
                        "size": evidence.size,
                        "uploaded_at": _iso(evidence.uploaded_at),
                    }
                    for evidence in certification.evidence.all()
                ],
            }
            for certification in user.certifications.all()
        ],
        "ambassador": _ambassador(getattr(user, "ambassador", None)),
    }


def person_data(*, person: Person) -> dict:
    """Everything held about `person`, JSON-ready (dates and times as ISO 8601 strings in local time).
    Reads only. Another person's rows never appear: every part is selected by this person's id or
    by their own (non-empty) email address."""
    person = Person.objects.select_related(
        "organisation__region", "ambassador__organisation", "ambassador__region"
    ).get(pk=person.pk)
    return {
        "generated_at": _iso(timezone.now()),
        "person": {
            "id": person.pk,
            "first_name": person.first_name,
            "last_name": person.last_name,
            "email": person.email,
            "phone": person.phone,
            "function": person.function,
        },
        "organisation": _organisation(person.organisation),
        "enrolments": _enrolments(person),
        "event_guests": _event_guests(person),
        "outreach_contacts": _outreach_contacts(person),
        "subscriptions": _subscriptions(person),
        "account": _account(person),
        "ambassador": _ambassador(getattr(person, "ambassador", None)),
    }
