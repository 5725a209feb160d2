"""Merging two organisations or two persons (staff): search the other record, see what will move,
confirm. The record whose page it is stays; the chosen one goes."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from rules.contrib.views import permission_required

from mentorwijs.forms import parse_id

from ..models import Organisation, Person
from ..services.merge import merge_conflicts, merge_moves, organisation_merge, person_merge

CANDIDATES = 20

ORGANISATION_FIELDS = ["name", "kvk_number", "target_group", "region", "postcode", "city", "website"]
PERSON_FIELDS = ["first_name", "last_name", "email", "phone", "function", "organisation"]


def _field_rows(model, fields, keep, other):
    rows = []
    for name in fields:
        field = model._meta.get_field(name)
        mine = getattr(keep, f"get_{name}_display")() if field.choices else getattr(keep, name)
        theirs = getattr(other, f"get_{name}_display")() if field.choices else getattr(other, name)
        rows.append(
            {
                "label": field.verbose_name,
                "keep": mine,
                "other": theirs,
                "filled": mine in (None, "") and theirs not in (None, ""),
            }
        )
    return rows


def _merge_page(request, *, keep, queryset, search, fields, merge, template_context):
    other = None
    other_param = request.POST.get("other") or request.GET.get("other", "")
    if parse_id(other_param):
        other = get_object_or_404(queryset.exclude(pk=keep.pk), pk=other_param)
    if request.method == "POST" and other is not None:
        try:
            merge(keep=keep, remove=other, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Merged: %(other)s is now part of %(keep)s.") % {"other": other, "keep": keep})
            return redirect(template_context["done_url"])
    q = request.GET.get("q", "").strip()
    candidates = []
    if other is None and len(q) >= 2:
        candidates = list(search(queryset.exclude(pk=keep.pk), q)[:CANDIDATES])
    context = {
        "keep": keep,
        "other": other,
        "q": q,
        "candidates": candidates,
        "max_candidates": CANDIDATES,
        **template_context,
    }
    if other is not None:
        context["fields"] = _field_rows(type(keep), fields, keep, other)
        context["moves"] = merge_moves(remove=other)
        context["conflicts"] = merge_conflicts(keep=keep, remove=other)
    return render(request, "dissemination/merge.html", context)


def _search_organisations(queryset, q):
    return queryset.filter(Q(name__icontains=q) | Q(city__icontains=q) | Q(kvk_number=q)).order_by("name", "pk")


def _search_persons(queryset, q):
    found = queryset
    for word in q.split():
        found = found.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(email__icontains=word))
    return found.order_by("last_name", "first_name", "pk")


@permission_required("dissemination.manage_relations", raise_exception=True)
@require_http_methods(["GET", "POST"])
def organisation_merge_view(request, pk):
    keep = get_object_or_404(Organisation.objects.select_related("region"), pk=pk)
    return _merge_page(
        request,
        keep=keep,
        queryset=Organisation.objects.select_related("region"),
        search=_search_organisations,
        fields=ORGANISATION_FIELDS,
        merge=organisation_merge,
        template_context={
            "kind": "organisation",
            "back_url": reverse("dissemination:organisation_detail", kwargs={"pk": keep.pk}),
            "done_url": reverse("dissemination:organisation_detail", kwargs={"pk": keep.pk}),
            "list_url": reverse("dissemination:organisation_list"),
        },
    )


@permission_required("dissemination.manage_relations", raise_exception=True)
@require_http_methods(["GET", "POST"])
def person_merge_view(request, pk):
    keep = get_object_or_404(Person.objects.select_related("organisation"), pk=pk)
    return _merge_page(
        request,
        keep=keep,
        queryset=Person.objects.select_related("organisation"),
        search=_search_persons,
        fields=PERSON_FIELDS,
        merge=person_merge,
        template_context={
            "kind": "person",
            "back_url": reverse("dissemination:person_update", kwargs={"pk": keep.pk}),
            "done_url": reverse("dissemination:person_update", kwargs={"pk": keep.pk}),
            "list_url": reverse("dissemination:person_list"),
        },
    )
