"""Renewal rules and refresher meetings, kept by staff on their own pages.

What a rule asks is read by services/renewal.py (renewal_progress) at the moment a holder's progress is
shown or a renewal is reviewed: a changed, added or deactivated rule counts from then on, and so does
a refresher meeting's attendance. Every change runs in one transaction and lands in the audit trail
(mentorwijs/privacy/auditlog.py tracks both models, the attendees included)."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from ..enums import RuleKind
from ..models import RefresherMeeting, RenewalRule
from ..queries.renewal import refresher_attendee_choices

RULE_FIELDS = ("level", "kind", "minimum", "minimum_score")
SCORE_ONLY_FOR_REVIEWS = _("Only a rule on fidelity reviews has a minimum score; leave it empty.")
RULE_EXISTS = _("There is already a rule for this level and this kind; change that one.")
NOT_A_TRAINER = _("Only trainers and master trainers can attend a refresher meeting.")


@transaction.atomic
def renewal_rule_save(*, rule: RenewalRule, data: dict) -> RenewalRule:
    """Set `data` (keys from RULE_FIELDS) on a new or existing rule and save it. Refuses, by field and
    saving nothing: a level or kind that does not exist, a minimum below 1, a score outside 0-4, a
    minimum score on a rule that does not count fidelity reviews, and a second rule for the same level
    and kind. Side effects: one RenewalRule row inserted or updated (an audit entry); from then on
    renewal_progress asks what the rule says."""
    for field in data:
        if field not in RULE_FIELDS:
            raise ValueError(f"not a renewal rule field: {field}")
    if rule.pk:
        rule = RenewalRule.objects.select_for_update().get(pk=rule.pk)
    for field, value in data.items():
        setattr(rule, field, value)
    errors: dict[str, list] = {}
    try:
        rule.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        errors.update(error.error_dict)
    if rule.minimum_score is not None and rule.kind != RuleKind.FIDELITY_REVIEWS:
        errors.setdefault("minimum_score", []).append(ValidationError(SCORE_ONLY_FOR_REVIEWS, code="score_only"))
    if RenewalRule.objects.filter(level=rule.level, kind=rule.kind).exclude(pk=rule.pk).exists():
        errors.setdefault("kind", []).append(ValidationError(RULE_EXISTS, code="rule_exists"))
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            rule.save()
    except IntegrityError:  # the same rule added at the same moment
        raise ValidationError({"kind": [ValidationError(RULE_EXISTS, code="rule_exists")]}) from None
    return rule


@transaction.atomic
def renewal_rule_set_active(*, rule: RenewalRule, active: bool) -> RenewalRule:
    """Put a rule in force or out of force (nothing is deleted: a rule out of force is kept, shown
    apart and can be put back). Side effects: `active` saved when it changes (an audit entry)."""
    rule = RenewalRule.objects.select_for_update().get(pk=rule.pk)
    if rule.active != active:
        rule.active = active
        rule.save(update_fields=["active"])
    return rule


@transaction.atomic
def refresher_save(*, meeting: RefresherMeeting, title: str, held_on, attendees) -> RefresherMeeting:
    """Save a new or existing refresher meeting with exactly these attendees (users). Refuses, by
    field: an empty title, and an attendee who is no active trainer or master trainer (one who
    attended already may stay). Side effects: the row inserted or updated and the attendees replaced
    (audit entries for both); attending counts toward the refreshers renewal rule."""
    if meeting.pk:
        meeting = RefresherMeeting.objects.select_for_update().get(pk=meeting.pk)
    meeting.title = " ".join(str(title).split())
    meeting.held_on = held_on
    attendees = list(attendees)
    errors: dict[str, list] = {}
    try:
        meeting.full_clean()
    except ValidationError as error:
        errors.update(error.error_dict)
    allowed = set(refresher_attendee_choices(meeting=meeting).values_list("pk", flat=True))
    if any(user.pk not in allowed for user in attendees):
        errors["attendees"] = [ValidationError(NOT_A_TRAINER, code="not_a_trainer")]
    if errors:
        raise ValidationError(errors)
    meeting.save()
    meeting.attendees.set(attendees)
    return meeting
