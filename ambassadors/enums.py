from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    CO_TRAINER = "co_trainer", _("Co-trainer")
    TRAINER = "trainer", _("Trainer")
    MASTER_TRAINER = "master_trainer", _("Master trainer")


# Higher ranks include the lower ones: a master trainer may do whatever a trainer may.
LEVEL_RANK = {Level.CO_TRAINER: 1, Level.TRAINER: 2, Level.MASTER_TRAINER: 3}


def levels_at_least(level: str) -> list[str]:
    return [other for other, rank in LEVEL_RANK.items() if rank >= LEVEL_RANK[level]]


class CertificationStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    INFO_REQUESTED = "info_requested", _("More information asked")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")


# Waiting for a reviewer or for the trainer.
OPEN_STATUSES = [CertificationStatus.REQUESTED, CertificationStatus.INFO_REQUESTED]
# A certification that was granted: valid on the days from valid_from up to (not including)
# valid_until. An expired one still covers the days before it expired; a revoked one covers nothing.
GRANTED_STATUSES = [CertificationStatus.APPROVED, CertificationStatus.EXPIRED]


class CertificationAction(models.TextChoices):
    """One step in a certification's history, recorded with who and when."""

    REQUESTED = "requested", _("Requested")
    INFO_REQUESTED = "info_requested", _("More information asked")
    INFO_ADDED = "info_added", _("Information added")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    REVOKED = "revoked", _("Revoked")
    WARNED = "warned", _("Expiry warning sent")
    EXPIRED = "expired", _("Expired")


class NoticeKind(models.TextChoices):
    """Mails to the holder of a certification."""

    REQUESTED = "requested", _("Request received")
    INFO_REQUESTED = "info_requested", _("More information asked")
    APPROVED = "approved", _("Certification approved")
    REJECTED = "rejected", _("Certification rejected")
    REVOKED = "revoked", _("Certification revoked")
    EXPIRES_IN_SIX_MONTHS = "expires_6m", _("Expires in six months")
    EXPIRES_IN_ONE_MONTH = "expires_1m", _("Expires in one month")
    EXPIRED = "expired", _("Certification expired")


# Sent at most once per certification.
ONCE_PER_CERTIFICATION = [NoticeKind.EXPIRES_IN_SIX_MONTHS, NoticeKind.EXPIRES_IN_ONE_MONTH, NoticeKind.EXPIRED]


class RuleKind(models.TextChoices):
    """What a renewal rule counts within the validity period of the certification being renewed."""

    RUNS_GIVEN = "runs_given", _("Training runs given (lead or co-trainer)")
    SUPERVISED_RUNS = "supervised_runs", _("Runs given as a candidate under supervision")
    FIDELITY_REVIEWS = "fidelity_reviews", _("Runs given with a fidelity review by someone else at the minimum score")
    REFRESHERS = "refreshers", _("Refresher meetings attended")


class AmbassadorKind(models.TextChoices):
    TRAINED_SUPERVISOR = "trained_supervisor", _("Trained supervisor")
    PROFESSIONAL = "professional", _("Professional")
    TRAINER = "trainer", _("Trainer")


class AmbassadorOffer(models.TextChoices):
    TELL_NETWORK = "tell_network", _("Tell my network")
    SPEAK_AT_EVENTS = "speak_at_events", _("Speak at events")
    HOST_RUN = "host_run", _("Host a training run")


class OfferStatus(models.TextChoices):
    OPEN = "open", _("Waiting for staff")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ReviewKind(models.TextChoices):
    SELF_REPORT = "self_report", _("Self-report by the lead trainer")
    OBSERVATION = "observation", _("Observation by a master trainer")


class ChecklistItem(models.TextChoices):
    """The fidelity checklist; each is a yes/no field on FidelityReview."""

    ALL_MEETINGS_HELD = "all_meetings_held", _("All meetings were held")
    GROUP_SIZE_OK = "group_size_ok", _("The group size was within bounds")
    OWN_CASES_USED = "own_cases_used", _("Participants' own cases were used")
    HANDBOOK_FOLLOWED = "handbook_followed", _("The handbook was followed")
    ADAPTATIONS_RECORDED = "adaptations_recorded", _("Local adaptations were recorded")
