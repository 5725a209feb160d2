"""The completion rule per variant: how many meetings of their own run a participant attends (or
catches up) to complete the training. Staff change it on a page; every change is in the audit
trail (mentorwijs/privacy/auditlog.py). trainings.services.attendance reads it."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..enums import Variant
from ..models import DEFAULT_COMPLETION_MEETINGS, CompletionRule


def meetings_required(variant: str) -> int:
    """The number of meetings the rule of `variant` asks for (one query)."""
    found = CompletionRule.objects.filter(variant=variant).values_list("meetings_required", flat=True).first()
    return found or DEFAULT_COMPLETION_MEETINGS


@transaction.atomic
def completion_rule_set(*, variant: str, meetings_required: int) -> CompletionRule:
    """Set how many meetings a participant of `variant` needs to complete (creating the variant's
    rule when it has none). Refused (ValidationError on "meetings_required") below 1 or above
    settings.TRAINING_DEFAULT_MEETINGS, the meetings of a run.

    Side effects: none beyond the row and its audit entry. The new number counts from the next
    attendance registered; who completed stays completed, and who has attended enough under a
    lower number completes when their next attendance is registered."""
    if variant not in Variant.values:
        raise ValidationError({"variant": _("Unknown variant.")})
    most = settings.TRAINING_DEFAULT_MEETINGS
    if not 1 <= meetings_required <= most:
        raise ValidationError(
            {"meetings_required": _("Choose a number from 1 to %(most)s, the meetings of a run.") % {"most": most}}
        )
    rule = CompletionRule.objects.select_for_update().filter(variant=variant).first()
    if rule is None:
        return CompletionRule.objects.create(variant=variant, meetings_required=meetings_required)
    if rule.meetings_required != meetings_required:
        rule.meetings_required = meetings_required
        rule.save(update_fields=["meetings_required"])
    return rule
