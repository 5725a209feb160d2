"""What erasing an account and the retention periods do in this app (called by mentorwijs.privacy).

The rows stay, so a trainer's teaching history, the renewal rules' counts and the train-the-trainer
lineage (`Certification.certified_by`) keep their figures; what goes is what describes the person:
free text (notes with requests, reviews and steps, offers and their decisions, fidelity notes about
their runs, the reasons kept for notices), the evidence files (and their names), and the profile's
offers and public listing.

An evidence file is deleted from storage after the transaction that empties its row commits
(transaction.on_commit): an erasure or retention run that rolls back keeps both the row and the file.
A file whose deletion fails after the commit is logged with its stored name (a random UUID, which
names nobody) to be removed by hand; the row no longer leads to it.
"""

import logging

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from trainings.enums import MessageStatus
from trainings.models import Assignment, Training
from trainings.queries.scheduling import runs_not_ended

from ..enums import CertificationAction, CertificationStatus, OfferStatus, ReviewKind
from ..models import (
    Ambassador,
    AssignmentOffer,
    Certification,
    CertificationEvent,
    CertificationEvidence,
    CertificationNotice,
    FidelityReview,
)

logger = logging.getLogger(__name__)


def runs_still_to_give(*, user) -> list[Training]:
    """The runs the user is assigned to (any role) that have not ended (trainings.queries.runs_not_ended)."""
    return list(
        runs_not_ended()
        .filter(Exists(Assignment.objects.filter(training=OuterRef("pk"), trainer=user)))
        .order_by("title", "pk")
    )


def lapsed_evidence(*, before):
    """Evidence that still has its file, of certifications that lapsed before `before`: expired
    (valid_until before that day), or rejected or revoked (the step that did so, or else the
    review, before that moment)."""
    lapse_steps = CertificationEvent.objects.filter(
        certification=OuterRef("certification_id"),
        action__in=[CertificationAction.REJECTED, CertificationAction.REVOKED],
    )
    expired = Q(
        certification__status=CertificationStatus.EXPIRED, certification__valid_until__lt=timezone.localdate(before)
    )
    ended = (
        Q(certification__status__in=[CertificationStatus.REJECTED, CertificationStatus.REVOKED])
        & ~Q(Exists(lapse_steps.filter(at__gte=before)))
        & (Q(Exists(lapse_steps)) | Q(certification__reviewed_at__lt=before))
    )
    return CertificationEvidence.objects.exclude(file="").filter(expired | ended)


def _files_delete(files) -> None:
    """After commit: delete these (storage, name) files; one that fails is logged and the rest go."""
    for storage, name in files:
        try:
            storage.delete(name)  # a missing file is no error
        except Exception:  # OSError on disk, the storage's own errors on object storage
            logger.exception("evidence file %s not deleted; remove it by hand", name)


@transaction.atomic
def evidence_remove(*, evidence_ids) -> int:
    """Empty the file and file name of these evidence rows and delete their files from storage once
    the transaction commits (see the module docstring); type, size and upload time stay as a
    figure. Rows already emptied are skipped. Returns the number of files removed."""
    rows = list(CertificationEvidence.objects.select_for_update().filter(pk__in=evidence_ids).exclude(file=""))
    CertificationEvidence.objects.filter(pk__in=[evidence.pk for evidence in rows]).update(file="", original_name="")
    files = [(evidence.file.storage, evidence.file.name) for evidence in rows]
    if files:
        transaction.on_commit(lambda: _files_delete(files))
    return len(rows)


@transaction.atomic
def profile_forget(*, profile: Ambassador) -> bool:
    """The profile stays (kind, organisation and region count in the figures), without what the
    person offers and out of the public register. Returns whether anything changed."""
    changed = Ambassador.objects.filter(pk=profile.pk).filter(Q(public_listing=True) | ~Q(offers=[]))
    return bool(changed.update(offers=[], public_listing=False, public_listing_changed_at=timezone.now()))


@transaction.atomic
def holder_forget(*, user) -> dict[str, int]:
    """Clear what this app holds about the user as a person, keeping every figure.

    Side effects: the notes of their certifications and of every step on them emptied; the evidence
    files deleted (evidence_remove); their certification mails: pending ones cancelled, the reasons
    kept for them and any error emptied; their open offers to give a run withdrawn, the notes of all
    their offers emptied; the notes of fidelity reviews of runs they were assigned to and of their own
    self-reports emptied (scores and checklist stay); their ambassador profile forgotten
    (profile_forget). Returns counts per kind."""
    certifications = Certification.objects.filter(holder=user)
    notices = CertificationNotice.objects.filter(certification__holder=user)
    offers = AssignmentOffer.objects.filter(trainer=user)
    their_runs = Assignment.objects.filter(trainer=user).values("training_id")
    profile = Ambassador.objects.filter(user=user).first()
    return {
        "certifications": certifications.exclude(request_note="", review_note="").update(
            request_note="", review_note=""
        ),
        "certification_steps": CertificationEvent.objects.filter(certification__holder=user)
        .exclude(note="")
        .update(note=""),
        "evidence_files": evidence_remove(
            evidence_ids=CertificationEvidence.objects.filter(certification__holder=user).values_list("pk", flat=True)
        ),
        "notices_cancelled": notices.filter(status=MessageStatus.PENDING).update(status=MessageStatus.CANCELLED),
        "notices_emptied": notices.exclude(context={}, last_error="").update(context={}, last_error=""),
        "offers_withdrawn": offers.filter(status=OfferStatus.OPEN).update(status=OfferStatus.WITHDRAWN),
        "offer_notes": offers.exclude(note="", decision_note="").update(note="", decision_note=""),
        "fidelity_notes": FidelityReview.objects.filter(
            Q(training_id__in=their_runs) | Q(reviewer=user, kind=ReviewKind.SELF_REPORT)
        )
        .exclude(notes="")
        .update(notes=""),
        "profile": int(profile_forget(profile=profile)) if profile else 0,
    }
