"""Ambassadors' part of a person's export and erasure and of an account holder's (mentorwijs.personal_data,
registered in AmbassadorsConfig.ready): the ambassador profile, certifications with their steps and
evidence (file names and sizes, not the files), offers to give a run, fidelity reviews they wrote
or that are about runs they gave, and refresher meetings. What the erasure clears is in
services/erasure.py (holder_forget, profile_forget); an account is not erased while it still has
runs to give."""

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.utils.translation import gettext as _

from mentorwijs.personal_data import AuditNames, AuditRedaction, Erased, PersonalData, choice, iso, name
from trainings.models import Assignment

from ..models import (
    Ambassador,
    AssignmentOffer,
    Certification,
    CertificationEvent,
    CertificationEvidence,
    FidelityReview,
    RefresherMeeting,
)
from .erasure import holder_forget, profile_forget, runs_still_to_give

PROFILE_RELATED = ("ambassador__organisation", "ambassador__region")


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


def _fidelity_reviews(user) -> list[dict]:
    """Reviews they wrote, and reviews of runs they were assigned to (those are about their work)."""
    their_runs = Assignment.objects.filter(trainer=user).values("training_id")
    reviews = (
        FidelityReview.objects.filter(Q(reviewer=user) | Q(training_id__in=their_runs))
        .select_related("training", "reviewer")
        .prefetch_related("scores")
        .order_by("submitted_at", "pk")
    )
    return [
        {
            "training": review.training.title,
            **choice(review, "kind"),
            "written_by_them": review.reviewer_id == user.pk,
            "reviewer": name(review.reviewer),
            "scores": {score.component: score.score for score in review.scores.all()},
            "average": str(review.average),
            "all_meetings_held": review.all_meetings_held,
            "group_size_ok": review.group_size_ok,
            "own_cases_used": review.own_cases_used,
            "handbook_followed": review.handbook_followed,
            "adaptations_recorded": review.adaptations_recorded,
            "notes": review.notes,
            "submitted_at": iso(review.submitted_at),
        }
        for review in reviews
    ]


def _person_erase(erasure) -> Erased:
    """A profile of the person (without an account) loses its offers and public listing."""
    profile = Ambassador.objects.filter(person=erasure.person).first()
    return Erased(
        counts={"ambassador_profile": int(profile_forget(profile=profile)) if profile else 0},
        audit=[AuditRedaction(Ambassador, [profile.pk] if profile else [], ["offers"])],
    )


def _account_query(users, brief: bool):
    users = users.select_related(*PROFILE_RELATED).prefetch_related(
        Prefetch("certifications", queryset=certifications_queryset())
    )
    if brief:
        return users
    return users.prefetch_related(
        Prefetch(
            "assignment_offers",
            queryset=AssignmentOffer.objects.select_related("training").order_by("created_at", "pk"),
        ),
        "refreshers_attended",
    )


def _account_export(user, brief: bool) -> dict:
    sections = {
        "certifications": certification_rows(user.certifications.all()),
        "ambassador": ambassador_row(getattr(user, "ambassador", None)),
    }
    if brief:
        return sections
    return {
        **sections,
        "offers": [
            {
                "training": offer.training.title,
                **choice(offer, "role"),
                **choice(offer, "status"),
                "note": offer.note,
                "created_at": iso(offer.created_at),
                "decided_at": iso(offer.decided_at),
                "decision_note": offer.decision_note,
            }
            for offer in user.assignment_offers.all()
        ],
        "fidelity_reviews": _fidelity_reviews(user),
        "refresher_meetings": [
            {"title": meeting.title, "held_on": iso(meeting.held_on)}
            for meeting in sorted(user.refreshers_attended.all(), key=lambda meeting: (meeting.held_on, meeting.pk))
        ],
    }


def _account_refusals(user) -> list[ValidationError]:
    runs = runs_still_to_give(user=user)
    if not runs:
        return []
    return [
        ValidationError(
            _(
                "This account still gives training runs that have not ended (%(runs)s). "
                "Assign another trainer first, or erase the account after the runs."
            )
            % {"runs": ", ".join(run.title for run in runs)},
            code="runs_to_give",
        )
    ]


def _account_erase(erasure) -> Erased:
    user = erasure.user
    certification_ids = Certification.objects.filter(holder=user).values_list("pk", flat=True)
    return Erased(
        counts=holder_forget(user=user),
        audit=[
            AuditRedaction(Ambassador, Ambassador.objects.filter(user=user).values_list("pk", flat=True), ["offers"]),
            AuditRedaction(Certification, certification_ids, ["request_note", "review_note"]),
            AuditRedaction(
                CertificationEvent,
                CertificationEvent.objects.filter(certification_id__in=certification_ids).values_list("pk", flat=True),
                ["note"],
            ),
            AuditRedaction(
                CertificationEvidence,
                CertificationEvidence.objects.filter(certification_id__in=certification_ids).values_list(
                    "pk", flat=True
                ),
                ["original_name", "file"],
            ),
            # How auditlog named them among the attendees of refresher meetings (read before the
            # account part renames them: erasure.user is the row as it was).
            AuditNames(RefresherMeeting, "attendees", {str(user), erasure.email}),
        ],
    )


PART = PersonalData(
    key="ambassadors",
    person_query=lambda people: people.select_related(*PROFILE_RELATED),
    person_export=lambda person: {"ambassador": ambassador_row(getattr(person, "ambassador", None))},
    person_erase=_person_erase,
    account_query=_account_query,
    account_export=_account_export,
    account_refusals=_account_refusals,
    account_erase=_account_erase,
)
