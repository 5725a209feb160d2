"""Trainings' part of a person's export and erasure and of an account holder's (mentorwijs.personal_data,
registered in TrainingsConfig.ready), and the retention of participants' details.

A person's erasure keeps their enrolments, attendance, certificates and evaluation scores (run
figures, completion counts, "supervisors trained" per trainer, evaluation averages) and clears the
free text: dietary wishes, reasons for absence, evaluation remarks and a certificate's revocation
reason (that and when it was revoked stays). The personal link (enrolment token) is replaced, so
links in old mails open nothing; pending service mails are cancelled and send errors (which may
quote the address) emptied. It is refused while they take part in a run that has not ended.
An account holder's erasure cancels the reminders still waiting for them and empties send errors.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, Subquery
from django.utils.translation import gettext as _

from mentorwijs.personal_data import AuditRedaction, Erased, PersonalData, choice, iso

from ..enums import EnrolmentStatus, MeetingStatus
from ..models import Assignment, Attendance, Certificate, Enrolment, Evaluation, Meeting, ScheduledMessage, new_token
from ..queries.scheduling import runs_not_ended
from .certificates import certificates_forget_reasons
from .messages import messages_forget_recipient

# Enrolments that still take part in a run (cancelled and dropped out ones no longer do).
TAKING_PART = [
    EnrolmentStatus.REGISTERED,
    EnrolmentStatus.WAITLISTED,
    EnrolmentStatus.OFFERED,
    EnrolmentStatus.COMPLETED,
]


def enrolments_in_unfinished_runs(person):
    """The person's enrolments that still take part in a run that has not ended (runs_not_ended)."""
    return (
        Enrolment.objects.filter(person=person, status__in=TAKING_PART)
        .filter(Exists(runs_not_ended().filter(pk=OuterRef("training_id"))))
        .select_related("training")
    )


def _run_dates(queryset):
    """Annotate the first start and last end of the scheduled meetings of each row's run."""
    scheduled = Meeting.objects.filter(training=OuterRef("training_id")).exclude(status=MeetingStatus.CANCELLED)
    return queryset.annotate(
        run_starts=Subquery(scheduled.order_by("starts_at").values("starts_at")[:1]),
        run_ends=Subquery(scheduled.order_by("-ends_at").values("ends_at")[:1]),
    )


def _message_rows(messages) -> list[dict]:
    return [
        {
            **choice(message, "kind"),
            **choice(message, "status"),
            "due_at": iso(message.due_at),
            "sent_at": iso(message.sent_at),
        }
        for message in messages
    ]


def _enrolments(person) -> list[dict]:
    enrolments = (
        _run_dates(Enrolment.objects.filter(person=person).select_related("training", "certificate"))
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
                "late_reason": enrolment.late_reason,
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
                "messages": _message_rows(enrolment.messages.all()),
            }
        )
    return rows


def _person_refusals(person) -> list[ValidationError]:
    unfinished = list(enrolments_in_unfinished_runs(person))
    if not unfinished:
        return []
    return [
        ValidationError(
            _(
                "This person takes part in a training run that has not ended yet (%(runs)s). "
                "Erase them after the run, or cancel the enrolment first."
            )
            % {"runs": ", ".join(enrolment.training.title for enrolment in unfinished)},
            code="running_enrolment",
        )
    ]


def _person_erase(erasure) -> Erased:
    enrolment_ids = list(Enrolment.objects.filter(person=erasure.person).values_list("pk", flat=True))
    for enrolment_id in enrolment_ids:
        # One token each (unique); the old personal links open nothing any more.
        Enrolment.objects.filter(pk=enrolment_id).update(dietary_wishes="", late_reason="", token=new_token())
    attendances = Attendance.objects.filter(enrolment_id__in=enrolment_ids)
    evaluations = Evaluation.objects.filter(enrolment_id__in=enrolment_ids)
    counts = {
        "enrolments": len(enrolment_ids),
        "attendances": attendances.exclude(absence_reason="").update(absence_reason=""),
        "evaluations": evaluations.exclude(remarks="").update(remarks=""),
        "certificates": certificates_forget_reasons(enrolment_ids=enrolment_ids),
        "messages_cancelled": messages_forget_recipient(enrolment_ids=enrolment_ids),
    }
    return Erased(
        counts=counts,
        audit=[
            AuditRedaction(Enrolment, enrolment_ids, ["dietary_wishes", "late_reason", "token"]),
            AuditRedaction(Attendance, attendances.values_list("pk", flat=True), ["absence_reason"]),
            AuditRedaction(Evaluation, evaluations.values_list("pk", flat=True), ["remarks"]),
            AuditRedaction(
                Certificate,
                Certificate.objects.filter(enrolment_id__in=enrolment_ids).values_list("pk", flat=True),
                ["revocation_reason"],
            ),
        ],
    )


def _assignments(user) -> list[dict]:
    assignments = _run_dates(Assignment.objects.filter(trainer=user).select_related("training")).order_by(
        "assigned_at", "pk"
    )
    return [
        {
            "training": {
                "id": assignment.training.pk,
                "title": assignment.training.title,
                **choice(assignment.training, "variant"),
                **choice(assignment.training, "status"),
                "first_meeting": iso(assignment.run_starts),
                "last_meeting_ends": iso(assignment.run_ends),
            },
            **choice(assignment, "role"),
            "assigned_at": iso(assignment.assigned_at),
        }
        for assignment in assignments
    ]


def _account_export(user, brief: bool) -> dict:
    if brief:
        return {}
    return {
        "assignments": _assignments(user),
        "messages": _message_rows(ScheduledMessage.objects.filter(user=user).order_by("due_at", "pk")),
    }


def _account_erase(erasure) -> Erased:
    return Erased(counts={"messages_cancelled": messages_forget_recipient(user=erasure.user)})


PART = PersonalData(
    key="trainings",
    person_export=lambda person: {"enrolments": _enrolments(person)},
    person_refusals=_person_refusals,
    person_erase=_person_erase,
    account_export=_account_export,
    account_erase=_account_erase,
)


# --- retention ---

BATCH_SIZE = 1000


@transaction.atomic
def run_details_clear(*, before) -> tuple[int, list[AuditRedaction]]:
    """Empty the dietary wishes and the reasons for absence of runs whose last meeting ended before
    `before` (both may tell something about health, and the run no longer needs them); a catch-up in
    a later run keeps its reason until that meeting is as old. Enrolment, attendance and certificate
    stay. Returns the number of rows emptied and their audit-trail redactions (the values only: the
    rows keep their names until the participant is anonymised)."""
    ended = Enrolment.objects.exclude(training__meetings__ends_at__gte=before).exclude(created_at__gte=before)
    due = (
        (Enrolment, "dietary_wishes", ended),
        (Attendance, "absence_reason", Attendance.objects.filter(enrolment__in=ended, meeting__ends_at__lt=before)),
    )
    count, redactions = 0, []
    for model, field_name, rows in due:
        ids = list(rows.exclude(**{field_name: ""}).values_list("pk", flat=True))
        for start in range(0, len(ids), BATCH_SIZE):  # a bounded IN (...) list, also on SQLite
            model.objects.filter(pk__in=ids[start : start + BATCH_SIZE]).update(**{field_name: ""})
        redactions.append(AuditRedaction(model, ids, [field_name], name=False))
        count += len(ids)
    return count, redactions
