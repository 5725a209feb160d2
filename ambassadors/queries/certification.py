"""Read paths of the certification pages: who sees which certification and evidence, the review
queue, and who may certify (holds a master-trainer certification valid on a day)."""

from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, QuerySet

from mentorwijs.accounts.rules import is_master_trainer, is_staff_member
from trainings.enums import TrainingStatus, Variant
from trainings.models import Training

from ..enums import GRANTED_STATUSES, OPEN_STATUSES, Level
from ..models import Certification, CertificationEvent, CertificationEvidence


def is_reviewer(user) -> bool:
    return bool(is_staff_member(user) or is_master_trainer(user))


def certifications_visible_to(user) -> QuerySet[Certification]:
    """Reviewers see every certification, anybody else only their own."""
    certifications = Certification.objects.all()
    if is_reviewer(user):
        return certifications
    return certifications.filter(holder_id=user.pk)


def certification_detail(user) -> QuerySet[Certification]:
    """The detail and review pages: the certification with its history and evidence, in a fixed
    number of queries."""
    return (
        certifications_visible_to(user)
        .select_related("holder", "training", "renews", "certified_by", "reviewed_by")
        .prefetch_related(
            Prefetch("events", queryset=CertificationEvent.objects.select_related("actor")),
            Prefetch("evidence", queryset=CertificationEvidence.objects.all()),
        )
    )


def evidence_visible_to(user) -> QuerySet[CertificationEvidence]:
    """The holder's own evidence; reviewers see all of it."""
    evidence = CertificationEvidence.objects.select_related("certification")
    if is_reviewer(user):
        return evidence
    return evidence.filter(certification__holder_id=user.pk)


def open_requests(*, reviewer) -> QuerySet[Certification]:
    """Requests waiting for a decision, oldest first, without the reviewer's own."""
    return (
        Certification.objects.filter(status__in=OPEN_STATUSES)
        .exclude(holder_id=reviewer.pk)
        .select_related("holder", "training", "renews")
        .annotate(evidence_count=Count("evidence", distinct=True))
        .order_by("requested_at", "pk")
    )


def master_certifications_valid_on(day) -> QuerySet[Certification]:
    return Certification.objects.filter(
        level=Level.MASTER_TRAINER, status__in=GRANTED_STATUSES, valid_from__lte=day, valid_until__gt=day
    )


def holds_master_certification(user, day) -> bool:
    return user is not None and master_certifications_valid_on(day).filter(holder_id=user.pk).exists()


def master_trainers_on(day):
    """Users who may certify on `day`: holders of a master-trainer certification valid then."""
    holders = master_certifications_valid_on(day).values("holder_id")
    return get_user_model().objects.filter(pk__in=holders)


def train_the_trainer_runs() -> QuerySet[Training]:
    """Runs a certification may rest on: train-the-trainer runs that were not cancelled."""
    return (
        Training.objects.filter(variant=Variant.TRAIN_THE_TRAINER)
        .exclude(status=TrainingStatus.CANCELLED)
        .order_by("-created_at")
    )
