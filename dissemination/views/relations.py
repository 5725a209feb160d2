"""Pages for organisations and persons: detail, create and edit (staff and ambassadors), the list of
persons and the organisation search the person form uses. Merging, import and export (staff only)
are in relations_merge.py and relations_transfer.py."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe
from rules.contrib.views import permission_required

from mentorwijs.forms import add_service_errors, parse_id
from mentorwijs.http import filter_page

from ..filters import PersonFilter
from ..forms.relations import OrganisationForm, PersonForm
from ..models import Organisation, Person
from ..queries import relations as queries
from ..services.relations import organisation_save, person_save


@permission_required("dissemination.browse_organisations", raise_exception=True)
@require_safe
def organisation_detail_view(request, pk):
    """One organisation with its people; the permission is not per organisation."""
    organisation = get_object_or_404(queries.organisation_detail(), pk=pk)
    # Only the people this user may see (staff all, an ambassador their own).
    people = queries.organisation_people(request.user, organisation)
    context = {"object": organisation, "organisation": organisation, "people": people}
    return render(request, "dissemination/organisation_detail.html", context)


def _organisation_form(request, organisation: Organisation):
    form = OrganisationForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            organisation_save(
                organisation=organisation,
                data=form.service_data(),
                allow_similar_name=form.cleaned_data["save_anyway"],
            )
        except ValidationError as error:
            data = dict(form.cleaned_data)
            add_service_errors(form, error)
            form.similar = queries.similar_organisations(
                name=data["name"], city=data["city"], exclude_pk=organisation.pk
            )
            form.kvk_owner = queries.organisation_with_kvk(kvk_number=data["kvk_number"], exclude_pk=organisation.pk)
        else:
            messages.success(request, _("Organisation saved."))
            return redirect("dissemination:organisation_detail", pk=organisation.pk)
    return render(request, "dissemination/organisation_form.html", {"form": form, "organisation": organisation})


@permission_required("dissemination.edit_relations", raise_exception=True)
@require_http_methods(["GET", "POST"])
def organisation_create(request):
    return _organisation_form(request, Organisation())


@permission_required("dissemination.edit_relations", raise_exception=True)
@require_http_methods(["GET", "POST"])
def organisation_update(request, pk):
    return _organisation_form(request, get_object_or_404(Organisation, pk=pk))


@permission_required("dissemination.edit_relations", raise_exception=True)
@require_safe
def person_list_view(request):
    """The people this user may see, 25 a page, filtered by name and target group."""
    people = PersonFilter(request.GET or None, queryset=queries.person_list(request.user), request=request)
    return render(request, "dissemination/person_list.html", filter_page(request, people, 25))


def _person_form(request, person: Person, initial=None):
    form = PersonForm(request.POST or None, instance=person, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            person_save(person=person, data=form.service_data(), by=request.user)
        except ValidationError as error:
            email = form.cleaned_data["email"]
            add_service_errors(form, error)
            # The duplicate guard names the other person only to someone who may see them.
            owner = queries.person_with_email(email=email, exclude_pk=person.pk)
            form.email_owner = owner if queries.person_visible_to(request.user, owner) else None
            form.email_owner_hidden = owner is not None and form.email_owner is None
        else:
            messages.success(request, _("Person saved."))
            if person.organisation_id:
                return redirect("dissemination:organisation_detail", pk=person.organisation_id)
            return redirect("dissemination:person_list")
    return render(request, "dissemination/person_form.html", {"form": form, "person": person})


@permission_required("dissemination.edit_relations", raise_exception=True)
@require_http_methods(["GET", "POST"])
def person_create(request):
    organisation = None
    if parse_id(request.GET.get("organisation")):
        organisation = Organisation.objects.filter(pk=request.GET["organisation"]).first()
    return _person_form(request, Person(), initial={"organisation": organisation})


@permission_required("dissemination.edit_relations", raise_exception=True)
@require_http_methods(["GET", "POST"])
def person_update(request, pk):
    people = queries.people_visible_to(request.user).select_related("organisation")
    return _person_form(request, get_object_or_404(people, pk=pk))
