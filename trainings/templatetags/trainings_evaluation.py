from django import template

from ..enums import EvaluationMoment
from ..services.evaluation import evaluation_path, evaluation_refusal

register = template.Library()


@register.simple_tag
def questionnaires_for(enrolment) -> list[dict]:
    """The questionnaires of an enrolment that can be filled in now or have been answered:
    [{"moment", "label", "url", "answered"}]."""
    answered = set(enrolment.evaluations.values_list("moment", flat=True))
    found = []
    for moment in EvaluationMoment:
        is_open = evaluation_refusal(enrolment=enrolment, moment=moment) is None
        if moment in answered or is_open:
            found.append(
                {
                    "moment": moment.value,
                    "label": moment.label,
                    "url": evaluation_path(enrolment=enrolment, moment=moment),
                    "answered": moment in answered,
                }
            )
    return found
