"""The certification flow: a trainer requests a certification (or its renewal), a master trainer
or staff reviews it: approve, reject with a reason, or ask for more; an approved one can be
revoked. Every step is a CertificationEvent (who, when, note) and mails the holder through a
CertificationNotice row.

Every decision locks the certification row first, so two reviewers cannot both decide."""

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mentorwijs.accounts.rules import is_staff_member
from trainings.enums import Variant

from ..enums import GRANTED_STATUSES, OPEN_STATUSES, CertificationAction, CertificationStatus, Level, NoticeKind
from ..evidence import evidence_check_all, evidence_store
from ..models import Certification, CertificationEvent
from ..queries.certification import holds_master_certification, is_reviewer
from .notices import notice_schedule, notices_cancel, warnings_schedule


def _locked(certification: Certification) -> Certification:
    return Certification.objects.select_for_update().get(pk=certification.pk)


def _event(certification, action, actor, note=""):
    return CertificationEvent.objects.create(certification=certification, action=action, actor=actor, note=note)


def _check_reviewer(certification: Certification, reviewer) -> None:
    if not is_reviewer(reviewer):
        raise ValidationError(_("Only staff and master trainers review certifications."), code="not_reviewer")
    if certification.holder_id == reviewer.pk:
        raise ValidationError(_("You cannot review your own certification."), code="own")


def _check_open(certification: Certification) -> None:
    if certification.status not in OPEN_STATUSES:
        raise ValidationError(_("This request has already been decided."), code="decided")


def _required(value: str, field: str, message) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message}, code="required")
    return value


def certification_request(
    *, holder, level=None, training=None, note: str = "", files=(), renews: Certification | None = None
) -> Certification:
    """A trainer asks for a certification at `level`, or for the renewal of `renews` (their own
    granted certification; the level defaults to its level).

    Side effects: creates the Certification (REQUESTED), its evidence rows and files, the event
    REQUESTED (by the holder) and the REQUESTED notice, mailed on commit. Refuses a second open
    request at the same level, a run that is not train-the-trainer, and any refused file (then
    nothing is stored)."""
    checked = evidence_check_all(files)
    if renews is not None:
        if renews.holder_id != holder.pk or renews.status not in GRANTED_STATUSES:
            raise ValidationError({"renews": _("You can only renew a certification of your own that was granted.")})
        level = level or renews.level
    if level not in Level.values:
        raise ValidationError({"level": _("Choose a level.")})
    if training is not None and training.variant != Variant.TRAIN_THE_TRAINER:
        raise ValidationError({"training": _("Choose a train-the-trainer run.")})
    with transaction.atomic():
        # One request at a time per holder: the lock makes the check below hold.
        get_user_model().objects.select_for_update().filter(pk=holder.pk).first()
        mine = Certification.objects.filter(holder_id=holder.pk)
        if mine.filter(level=level, status__in=OPEN_STATUSES).exists():
            raise ValidationError({"level": _("You already have an open request at this level.")})
        if renews is not None and renews.renewals.filter(status=CertificationStatus.APPROVED).exists():
            raise ValidationError({"renews": _("This certification has already been renewed.")})
        certification = Certification.objects.create(
            holder=holder,
            level=level,
            status=CertificationStatus.REQUESTED,
            training=training,
            renews=renews,
            request_note=(note or "").strip(),
            requested_at=timezone.now(),
        )
        _event(certification, CertificationAction.REQUESTED, holder, certification.request_note)
        notice_schedule(certification=certification, kind=NoticeKind.REQUESTED)
        evidence_store(certification=certification, checked=checked, by=holder)  # last: files go when it fails
    return certification


def certification_add_info(*, certification: Certification, by, note: str = "", files=()) -> Certification:
    """The holder answers a request for more information with a note and/or files.

    Side effects: stores the evidence, status back to REQUESTED, event INFO_ADDED, and a
    REQUESTED notice (context info_added) telling the holder it was received."""
    checked = evidence_check_all(files)
    note = (note or "").strip()
    if not note and not checked:
        raise ValidationError({"note": _("Write a note or add a file.")})
    with transaction.atomic():
        certification = _locked(certification)
        if certification.holder_id != by.pk:
            raise ValidationError(_("Only the holder can add information."), code="not_holder")
        if certification.status != CertificationStatus.INFO_REQUESTED:
            raise ValidationError(_("No information was asked for this request."), code="not_asked")
        certification.status = CertificationStatus.REQUESTED
        certification.save(update_fields=["status"])
        _event(certification, CertificationAction.INFO_ADDED, by, note)
        notice_schedule(certification=certification, kind=NoticeKind.REQUESTED, context={"info_added": True})
        evidence_store(certification=certification, checked=checked, by=by)
    return certification


def certification_ask_info(*, certification: Certification, reviewer, note: str) -> Certification:
    """A reviewer asks the holder for more before deciding.

    Side effects: status INFO_REQUESTED, event INFO_REQUESTED with the note, and the
    INFO_REQUESTED notice with the note in its context."""
    note = _required(note, "note", _("Write what you need from the trainer."))
    with transaction.atomic():
        certification = _locked(certification)
        _check_reviewer(certification, reviewer)
        if certification.status != CertificationStatus.REQUESTED:
            raise ValidationError(_("Only a request waiting for review can get a question."), code="not_requested")
        certification.status = CertificationStatus.INFO_REQUESTED
        certification.save(update_fields=["status"])
        _event(certification, CertificationAction.INFO_REQUESTED, reviewer, note)
        notice_schedule(certification=certification, kind=NoticeKind.INFO_REQUESTED, context={"note": note})
    return certification


def _certifier(*, reviewer, certified_by, original: bool, holder_id: int, today):
    """Who certifies (the lineage): named, or the reviewer when they hold a master-trainer
    certification valid today; staff may leave it empty for an original (founding) trainer."""
    if certified_by is not None:
        if certified_by.pk == holder_id:
            raise ValidationError({"certified_by": _("Nobody certifies themselves.")})
        if not holds_master_certification(certified_by, today):
            raise ValidationError(
                {"certified_by": _("Name somebody who holds a master-trainer certification valid today.")}
            )
        return certified_by
    if holds_master_certification(reviewer, today):
        return reviewer
    if original and is_staff_member(reviewer):
        return None
    raise ValidationError(
        {"certified_by": _("Name the master trainer who certifies this trainer (one with a valid certification).")}
    )


def certification_approve(
    *,
    certification: Certification,
    reviewer,
    certified_by=None,
    valid_from=None,
    valid_until=None,
    note: str = "",
    original: bool = False,
) -> Certification:
    """Approve an open request.

    `certified_by` defaults to the reviewer when they hold a master-trainer certification valid
    today; otherwise it must be named, except that staff may approve an original (founding)
    trainer with `original=True` and nobody. `valid_from` defaults to today, or for a renewal to
    the end of the renewed certification when that is later; `valid_until` (exclusive) to
    CERTIFICATION_VALID_YEARS after it.

    Side effects: status APPROVED with the period, certified_by, reviewed_by/at and the note;
    event APPROVED; the APPROVED notice; the two expiry warnings; for a renewal, the renewed
    certification's pending notices are cancelled."""
    today = timezone.localdate()
    with transaction.atomic():
        certification = _locked(certification)
        _check_reviewer(certification, reviewer)
        _check_open(certification)
        certifier = _certifier(
            reviewer=reviewer,
            certified_by=certified_by,
            original=original,
            holder_id=certification.holder_id,
            today=today,
        )
        renewed = certification.renews
        if valid_from is None:
            valid_from = today
            if renewed is not None and renewed.valid_until and renewed.valid_until > today:
                valid_from = renewed.valid_until
        if valid_until is None:
            valid_until = valid_from + relativedelta(years=settings.CERTIFICATION_VALID_YEARS)
        if valid_until <= valid_from:
            raise ValidationError({"valid_until": _("The end must come after the start.")})
        certification.status = CertificationStatus.APPROVED
        certification.valid_from = valid_from
        certification.valid_until = valid_until
        certification.certified_by = certifier
        certification.reviewed_by = reviewer
        certification.reviewed_at = timezone.now()
        certification.review_note = (note or "").strip()
        certification.save(
            update_fields=[
                "status",
                "valid_from",
                "valid_until",
                "certified_by",
                "reviewed_by",
                "reviewed_at",
                "review_note",
            ]
        )
        _event(certification, CertificationAction.APPROVED, reviewer, certification.review_note)
        notice_schedule(certification=certification, kind=NoticeKind.APPROVED)
        warnings_schedule(certification=certification)
        if renewed is not None:
            notices_cancel(certification=renewed)
    return certification


def certification_reject(*, certification: Certification, reviewer, reason: str) -> Certification:
    """Reject an open request with a reason.

    Side effects: status REJECTED, reviewed_by/at, the reason as review note; event REJECTED; the
    REJECTED notice with the reason in its context."""
    reason = _required(reason, "reason", _("Give a reason for the rejection."))
    with transaction.atomic():
        certification = _locked(certification)
        _check_reviewer(certification, reviewer)
        _check_open(certification)
        certification.status = CertificationStatus.REJECTED
        certification.reviewed_by = reviewer
        certification.reviewed_at = timezone.now()
        certification.review_note = reason
        certification.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])
        _event(certification, CertificationAction.REJECTED, reviewer, reason)
        notice_schedule(certification=certification, kind=NoticeKind.REJECTED, context={"reason": reason})
    return certification


def certification_revoke(*, certification: Certification, by, reason: str) -> Certification:
    """Revoke an approved certification with a reason.

    Side effects: status REVOKED (the reason is kept with the event); its pending notices (the expiry
    warnings) are cancelled; event REVOKED; the REVOKED notice with the reason in its context."""
    reason = _required(reason, "reason", _("Give a reason for revoking the certification."))
    with transaction.atomic():
        certification = _locked(certification)
        _check_reviewer(certification, by)
        if certification.status != CertificationStatus.APPROVED:
            raise ValidationError(_("Only an approved certification can be revoked."), code="not_approved")
        certification.status = CertificationStatus.REVOKED
        certification.save(update_fields=["status"])
        notices_cancel(certification=certification)
        _event(certification, CertificationAction.REVOKED, by, reason)
        notice_schedule(certification=certification, kind=NoticeKind.REVOKED, context={"reason": reason})
    return certification
