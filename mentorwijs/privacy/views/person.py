"""A person's data (readable page and JSON download) and their erasure: staff only."""

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from rules.contrib.views import permission_required

from dissemination.models import Person
from mentorwijs.forms import add_service_errors
from trainings.enums import ActiveComponent, SelfEfficacyItem
from trainings.services.privacy import enrolments_in_unfinished_runs

from ..forms.person import PersonEraseForm
from ..models import ErasureRecord
from ..services.erasure import is_erased, person_erase
from ..services.person_data import person_data

PERMISSION = "privacy.manage_person_data"


def json_attachment(data: dict, *, filename: str) -> HttpResponse:
    """An export as a JSON download that no cache keeps (it holds personal data)."""
    body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@permission_required(PERMISSION, raise_exception=True)
@require_GET
def person_data_view(request, pk):
    person = get_object_or_404(Person, pk=pk)
    data = person_data(person=person)
    return render(
        request,
        "privacy/person_data.html",
        {
            "person": person,
            "data": data,
            # The profile linked to the person, or else the one of their account.
            "ambassador_profile": data["ambassador"] or (data["account"] or {}).get("ambassador"),
            "answer_labels": {**dict(SelfEfficacyItem.choices), **dict(ActiveComponent.choices)},
            "erasures": ErasureRecord.objects.filter(person_id=person.pk).select_related("by"),
            "erased": is_erased(person),
        },
    )


@permission_required(PERMISSION, raise_exception=True)
@require_GET
def person_data_json(request, pk):
    person = get_object_or_404(Person, pk=pk)
    return json_attachment(person_data(person=person), filename=f"persoon-{person.pk}-gegevens.json")


@permission_required(PERMISSION, raise_exception=True)
@require_http_methods(["GET", "POST"])
def person_erase_view(request, pk):
    person = get_object_or_404(Person, pk=pk)
    form = PersonEraseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person_erase(person=person, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The person's data was erased."))
            return redirect("privacy:person_data", pk=person.pk)
    return render(
        request,
        "privacy/person_erase.html",
        {
            "person": person,
            "form": form,
            "unfinished": list(enrolments_in_unfinished_runs(person)),
            "erased": is_erased(person),
        },
    )
