"""JSON-ready rows that both exports (a person's and an account holder's) build the same way."""

from datetime import date, datetime

from django.db.models import Prefetch
from django.utils import timezone

from ambassadors.models import Ambassador, Certification, CertificationEvent, CertificationEvidence
from mentorwijs.accounts.roles import role_labels


def iso(value):
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def name(user) -> str | None:
    return (user.get_full_name() or user.email) if user else None


def choice(instance, field: str) -> dict:
    """A choice field as its stored code and its label in the active language."""
    return {field: getattr(instance, field), f"{field}_label": str(getattr(instance, f"get_{field}_display")())}


def account_row(user) -> dict:
    """An account's own fields; never its password."""
    return {
        "id": user.pk,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "roles": sorted(user.held_roles),  # the roles held; a superuser's staff powers show below
        "role_labels": role_labels(user.held_roles),
        "language": user.language,
        "is_active": user.is_active,
        "is_superuser": user.is_superuser,
        "date_joined": iso(user.date_joined),
        "last_login": iso(user.last_login),
    }


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


def ambassador_row(profile: Ambassador | None) -> dict | None:
    if profile is None:
        return None
    return {
        "id": profile.pk,
        **choice(profile, "kind"),
        "organisation": profile.organisation.name if profile.organisation else None,
        "region": profile.region.name if profile.region else None,
        "offers": list(profile.offers),
        "public_listing": profile.public_listing,
        "public_listing_changed_at": iso(profile.public_listing_changed_at),
        "created_at": iso(profile.created_at),
    }


def certifications_queryset():
    """A holder's certifications with steps and evidence, as both exports show them."""
    return (
        Certification.objects.select_related("certified_by")
        .prefetch_related(
            Prefetch("events", queryset=CertificationEvent.objects.select_related("actor").order_by("at", "pk")),
            Prefetch("evidence", queryset=CertificationEvidence.objects.order_by("uploaded_at", "pk")),
        )
        .order_by("requested_at", "pk")
    )


def certification_rows(certifications) -> list[dict]:
    return [
        {
            "id": certification.pk,
            **choice(certification, "level"),
            **choice(certification, "status"),
            "valid_from": iso(certification.valid_from),
            "valid_until": iso(certification.valid_until),
            "requested_at": iso(certification.requested_at),
            "request_note": certification.request_note,
            "certified_by": name(certification.certified_by),
            "reviewed_at": iso(certification.reviewed_at),
            "review_note": certification.review_note,
            "events": [
                {**choice(event, "action"), "by": name(event.actor), "at": iso(event.at), "note": event.note}
                for event in certification.events.all()
            ],
            # The files themselves are not exported here: their names and sizes say what is kept. An
            # empty name: the file was deleted (retention or erasure); the row stays as a figure.
            "evidence": [
                {
                    "file_name": evidence.original_name,
                    "content_type": evidence.content_type,
                    "size": evidence.size,
                    "uploaded_at": iso(evidence.uploaded_at),
                    "file_kept": bool(evidence.file),
                }
                for evidence in certification.evidence.all()
            ],
        }
        for certification in certifications
    ]
