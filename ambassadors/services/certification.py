"""The certification flow: a trainer requests a certification (or its renewal), a master trainer
or staff reviews it: approve, reject with a reason, or ask for more; an approved one can be
revoked. Every step is a CertificationEvent (who, when, note) and mails the holder through a
CertificationNotice row.

Every decision locks the certification row first, so two reviewers cannot both decide. A
certification is locked before its renewals (approve and revoke take them in that order).

Dates: `valid_until` is exclusive, the day the certification expires."""

from datetime import datetime, time

from dateutil.relativedelta import relativedelta
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mentorwijs.accounts.rules import is_staff_member
from mentorwijs.policy.queries import policy_value
from trainings.enums import MeetingStatus, TrainingStatus, Variant
from trainings.models import Assignment, Meeting

from ..enums import GRANTED_STATUSES, OPEN_STATUSES, CertificationAction, CertificationStatus, Level, NoticeKind
from ..evidence import evidence_check_all, evidence_store
from ..models import Certification, CertificationEvent
from ..queries import granted_certifications
from ..queries.certification import holds_master_certification, is_reviewer
from .eligibility import ROLE_MINIMUM_LEVEL, days_not_covered
from .notices import notice_schedule, notices_cancel, warnings_schedule
from .renewal import renewal_progress


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


def _lock_ids(ids) -> None:
    list(Certification.objects.select_for_update().filter(pk__in=list(ids)).values_list("pk", flat=True))


def _rules_text(progress) -> str:
    return "; ".join(
        gettext("%(rule)s: %(achieved)s of %(minimum)s")
        % {"rule": item.label, "achieved": item.achieved, "minimum": item.minimum}
        for item in progress
    )


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
    override_rules: bool = False,
) -> Certification:
    """Approve an open request.

    `certified_by` defaults to the reviewer when they hold a master-trainer certification valid
    today; otherwise it must be named, except that staff may approve an original (founding)
    trainer with `original=True` and nobody. `valid_from` defaults to today, or for a renewal to
    the end of the renewed certification when that is later; `valid_until` (exclusive: the day it
    expires) to the validity staff set (policy certification_valid_years) after it, and must come after today.

    A renewal is refused when the certification it renews was revoked (request a new one instead),
    and when the holder does not meet every renewal rule of that certification, unless the reviewer
    overrides the rules (`override_rules=True`): the event then records which rules were not met.

    Side effects: status APPROVED with the period, certified_by, reviewed_by/at and the note;
    event APPROVED; the APPROVED notice; the expiry warnings; for a renewal, the renewed
    certification's pending notices are cancelled."""
    today = timezone.localdate()
    with transaction.atomic():
        if certification.renews_id is not None:
            _lock_ids([certification.renews_id])  # the renewed one first, as certification_revoke does
        certification = _locked(certification)
        _check_reviewer(certification, reviewer)
        _check_open(certification)
        renewed = certification.renews
        if renewed is not None and renewed.status == CertificationStatus.REVOKED:
            raise ValidationError(
                _("The certification this request renews was revoked: the trainer must request a new certification."),
                code="renews_revoked",
            )
        certifier = _certifier(
            reviewer=reviewer,
            certified_by=certified_by,
            original=original,
            holder_id=certification.holder_id,
            today=today,
        )
        if valid_from is None:
            valid_from = today
            if renewed is not None and renewed.valid_until and renewed.valid_until > today:
                valid_from = renewed.valid_until
        if valid_until is None:
            valid_until = valid_from + relativedelta(years=policy_value("certification_valid_years"))
        if valid_until <= valid_from:
            raise ValidationError({"valid_until": _("The end must come after the start.")})
        if valid_until <= today:
            raise ValidationError(
                {"valid_until": _("The certification would already have expired: choose a day after today.")}
            )
        event_note = (note or "").strip()
        if renewed is not None:
            unmet = [item for item in renewal_progress(certification=renewed, today=today) if not item.met]
            if unmet and not override_rules:
                raise ValidationError(
                    {
                        "override_rules": _(
                            "The trainer does not meet every renewal rule: %(rules)s. Approve anyway only by "
                            "ticking the override."
                        )
                        % {"rules": _rules_text(unmet)}
                    }
                )
            if unmet:
                overridden = gettext("Renewal rules overridden by the reviewer; not met: %(rules)s.") % {
                    "rules": _rules_text(unmet)
                }
                event_note = f"{event_note}\n\n{overridden}" if event_note else overridden
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
        _event(certification, CertificationAction.APPROVED, reviewer, event_note)
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


def _renewals_to_close(certification: Certification, today):
    """The renewals that go down with a revoked certification, followed down the chain (a renewal
    of a renewal), locked: (open requests to reject, approved renewals starting after today to
    revoke). An approved renewal that has already started stands on its own."""
    to_reject, to_revoke = [], []
    parents = [certification.pk]
    while parents:
        renewals = list(Certification.objects.select_for_update().filter(renews_id__in=parents).order_by("pk"))
        to_reject += [c for c in renewals if c.status in OPEN_STATUSES]
        later = [c for c in renewals if c.status == CertificationStatus.APPROVED and c.valid_from > today]
        to_revoke += later
        parents = [c.pk for c in later]  # only a granted certification can be renewed
    return to_reject, to_revoke


def _runs_left_uncovered(*, holder_id: int, revoked_ids, today) -> list:
    """Runs the holder gives (not cancelled or completed) with scheduled meetings from today on,
    on whose meeting dates the holder's certifications other than `revoked_ids` no longer cover
    their role, where they did before (three queries). A gap that was there already (a meeting
    after the end of every certification) is the assignments page's warning, not this one's."""
    upcoming = Meeting.objects.filter(
        status=MeetingStatus.SCHEDULED,
        starts_at__gte=timezone.make_aware(datetime.combine(today, time.min)),
    ).order_by("starts_at")
    assignments = (
        Assignment.objects.filter(trainer_id=holder_id)
        .exclude(training__status__in=[TrainingStatus.CANCELLED, TrainingStatus.COMPLETED])
        .filter(Exists(upcoming.filter(training=OuterRef("training"))))
        .select_related("training")
        .prefetch_related(Prefetch("training__meetings", queryset=upcoming, to_attr="upcoming_meetings"))
        .order_by("training__title", "training_id")
    )
    granted = granted_certifications([holder_id]).get(holder_id, [])
    left = [c for c in granted if c.pk not in revoked_ids]
    uncovered = []
    for assignment in assignments:
        days = {timezone.localdate(meeting.starts_at) for meeting in assignment.training.upcoming_meetings}
        minimum = ROLE_MINIMUM_LEVEL[assignment.role]
        if set(days_not_covered(left, days, minimum)) - set(days_not_covered(granted, days, minimum)):
            uncovered.append(assignment.training)
    return uncovered


def certification_revoke(*, certification: Certification, by, reason: str) -> Certification:
    """Revoke an approved certification with a reason.

    Refused while the holder gives runs (not cancelled or completed, with meetings from today on)
    that their remaining certifications do not cover on those dates for their role: staff reassign
    those runs first. The error names them.

    Side effects: status REVOKED (the reason is kept with the event); its pending notices (the expiry
    warnings) are cancelled; event REVOKED; the REVOKED notice with the reason in its context. Its
    open renewal requests are rejected (event REJECTED noting the revocation, REJECTED notice), and
    an approved renewal of it that starts after today is revoked as well (event REVOKED, notices
    cancelled, REVOKED notice); both followed down a chain of renewals."""
    reason = _required(reason, "reason", _("Give a reason for revoking the certification."))
    today = timezone.localdate()
    with transaction.atomic():
        certification = _locked(certification)
        _check_reviewer(certification, by)
        if certification.status != CertificationStatus.APPROVED:
            raise ValidationError(_("Only an approved certification can be revoked."), code="not_approved")
        to_reject, to_revoke = _renewals_to_close(certification, today)
        revoked_ids = {certification.pk} | {c.pk for c in to_revoke}
        runs = _runs_left_uncovered(holder_id=certification.holder_id, revoked_ids=revoked_ids, today=today)
        if runs:
            raise ValidationError(
                _(
                    "The trainer still gives runs that no other certification of theirs covers: %(runs)s. "
                    "Reassign these runs first, then revoke."
                )
                % {"runs": ", ".join(run.title for run in runs)},
                code="runs_not_covered",
            )
        now = timezone.now()
        for revoked in [certification, *to_revoke]:
            revoked.status = CertificationStatus.REVOKED
            revoked.save(update_fields=["status"])
            notices_cancel(certification=revoked)
        _event(certification, CertificationAction.REVOKED, by, reason)
        notice_schedule(certification=certification, kind=NoticeKind.REVOKED, context={"reason": reason})
        with_it = gettext("The certification this renews was revoked: %(reason)s") % {"reason": reason}
        for renewal in to_revoke:
            _event(renewal, CertificationAction.REVOKED, by, with_it)
            notice_schedule(
                certification=renewal, kind=NoticeKind.REVOKED, context={"reason": reason, "renews_revoked": True}
            )
        for request in to_reject:
            request.status = CertificationStatus.REJECTED
            request.reviewed_by = by
            request.reviewed_at = now
            request.review_note = with_it
            request.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])
            _event(request, CertificationAction.REJECTED, by, with_it)
            notice_schedule(
                certification=request, kind=NoticeKind.REJECTED, context={"reason": reason, "renews_revoked": True}
            )
    return certification
