"""The participants' questionnaire: once before the first meeting and once after the last.

Both are reached through the personal link (the enrolment's token). Answers are stored as one
Evaluation row per enrolment and moment; staff read them only as averages and as a pseudonymised
export (trainings.queries.evaluation).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Min
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from ..enums import (
    ACTIVE_STATUSES,
    ActiveComponent,
    EvaluationMoment,
    MeetingStatus,
    MessageKind,
    MessageStatus,
    SelfEfficacyItem,
)
from ..models import Enrolment, Evaluation, ScheduledMessage

# The moment as it appears in the (Dutch) URL.
MOMENT_SLUGS = {EvaluationMoment.BEFORE: "voor", EvaluationMoment.AFTER: "na"}
MOMENT_BY_SLUG = {slug: moment for moment, slug in MOMENT_SLUGS.items()}
MESSAGE_KINDS = {
    EvaluationMoment.BEFORE: MessageKind.EVALUATION_BEFORE,
    EvaluationMoment.AFTER: MessageKind.EVALUATION_AFTER,
}

SATISFACTION_SCALE = range(1, 11)
ITEM_SCALE = range(1, 6)
REMARKS_MAX_LENGTH = 2000
PSEUDONYM_SALT = "mentorwijs.trainings.evaluation.pseudonym"


def evaluation_path(*, enrolment: Enrolment, moment: str) -> str:
    return reverse("trainings:evaluation_form", kwargs={"token": enrolment.token, "moment": MOMENT_SLUGS[moment]})


def evaluation_url(*, enrolment: Enrolment, moment: str) -> str:
    """The personal link to one questionnaire, for mail."""
    return settings.SITE_URL + evaluation_path(enrolment=enrolment, moment=moment)


def person_pseudonym(research_key: str) -> str:
    """A stable id for research exports: HMAC-SHA256 over the person's random research key
    (`Person.research_key`) with its own secret (EVALUATION_PSEUDONYM_KEY, which outlives SECRET_KEY
    rotations). The same person keeps the same pseudonym, so before/after pairs and a person's runs
    pair up; it says nothing about the person id, and without the secret the key alone does not give
    it. Erasure replaces the research key: from then on nothing links the person to the pseudonym in
    earlier exports."""
    return salted_hmac(
        PSEUDONYM_SALT, research_key, secret=settings.EVALUATION_PSEUDONYM_KEY, algorithm="sha256"
    ).hexdigest()[:16]


def evaluation_refusal(*, enrolment: Enrolment, moment: str, now=None) -> str | None:
    """Why this questionnaire cannot be answered now, or None when it can.

    BEFORE is open until the first meeting has ended, AFTER once the last meeting has started;
    both only for participants still taking part (enrolled or completed), and once."""
    now = now or timezone.now()
    if enrolment.status not in ACTIVE_STATUSES:
        return _("This questionnaire is only for participants of the training.")
    if enrolment.evaluations.filter(moment=moment).exists():
        return _("You have already filled in this questionnaire.")
    meetings = enrolment.training.meetings.filter(status=MeetingStatus.SCHEDULED).aggregate(
        first_end=Min("ends_at"), last_start=Max("starts_at")
    )
    if moment == EvaluationMoment.BEFORE and meetings["first_end"] is not None and meetings["first_end"] <= now:
        return _("The questionnaire before the training closed when the first meeting ended.")
    if moment == EvaluationMoment.AFTER and (meetings["last_start"] is None or meetings["last_start"] > now):
        return _("The questionnaire after the training opens when the last meeting starts.")
    return None


def _check_answers(*, answers, codes, scale, field: str) -> dict:
    if not isinstance(answers, dict) or set(answers) != set(codes):
        raise ValidationError({field: _("Answer every question.")})
    if any(isinstance(value, bool) or value not in scale for value in answers.values()):
        raise ValidationError(
            {field: _("Choose an answer from %(low)s to %(high)s.") % {"low": scale[0], "high": scale[-1]}}
        )
    return {code: int(answers[code]) for code in codes}


def evaluation_submit(
    *,
    enrolment: Enrolment,
    moment: str,
    satisfaction: int | None,
    self_efficacy: dict,
    usefulness: dict,
    remarks: str = "",
) -> Evaluation:
    """Store a participant's answers for one moment.

    BEFORE takes the self-efficacy items and remarks; AFTER also satisfaction (1–10) and the
    usefulness of each active component (1–5). Refused (ValidationError) when the questionnaire is
    not open (see evaluation_refusal) or an answer is missing or out of range. Side effect: a
    request for this questionnaire that has not gone out yet is cancelled."""
    if moment not in EvaluationMoment.values:
        raise ValidationError({"moment": _("Unknown questionnaire.")})
    self_efficacy = _check_answers(
        answers=self_efficacy, codes=SelfEfficacyItem.values, scale=ITEM_SCALE, field="self_efficacy"
    )
    if moment == EvaluationMoment.AFTER:
        if isinstance(satisfaction, bool) or satisfaction not in SATISFACTION_SCALE:
            raise ValidationError({"satisfaction": _("Choose a mark from 1 to 10.")})
        usefulness = _check_answers(
            answers=usefulness, codes=ActiveComponent.values, scale=ITEM_SCALE, field="usefulness"
        )
    else:
        if satisfaction is not None:
            raise ValidationError({"satisfaction": _("Satisfaction is asked after the training only.")})
        if usefulness:
            raise ValidationError({"usefulness": _("Usefulness is asked after the training only.")})
        usefulness = {}
    remarks = (remarks or "").strip()
    if len(remarks) > REMARKS_MAX_LENGTH:
        raise ValidationError(
            {"remarks": _("Keep your remarks under %(count)s characters.") % {"count": REMARKS_MAX_LENGTH}}
        )

    with transaction.atomic():
        # The lock makes a double click (or two tabs) store one answer and refuse the other.
        enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        refusal = evaluation_refusal(enrolment=enrolment, moment=moment)
        if refusal:
            raise ValidationError(refusal, code="closed")
        evaluation = Evaluation.objects.create(
            enrolment=enrolment,
            moment=moment,
            satisfaction=satisfaction if moment == EvaluationMoment.AFTER else None,
            self_efficacy=self_efficacy,
            usefulness=usefulness,
            remarks=remarks,
        )
        ScheduledMessage.objects.filter(
            enrolment=enrolment, kind=MESSAGE_KINDS[moment], status=MessageStatus.PENDING
        ).update(status=MessageStatus.CANCELLED)
    return evaluation
