"""Staff match the organisations participants named on the public enrolment form: confirm one as a
new organisation, or merge it into the existing one it stands for (services/matching.py). Either way
the organisation that stays is public from then on: the public search finds it."""

from functools import reduce
from operator import or_

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from rules.contrib.views import permission_required

from mentorwijs.forms import parse_id
from mentorwijs.http import list_page

from ..models import Organisation
from ..queries import relations as queries
from ..services.matching import organisation_confirm_public, organisation_match
from ..services.merge import merge_conflicts, merge_moves

CANDIDATES = 20


@permission_required("dissemination.match_organisations", raise_exception=True)
@require_safe
def matching_list_view(request):
    """The organisations participants named that still await a match, 25 a page."""
    context = list_page(request, queries.organisations_awaiting_match(), 25)
    return render(request, "dissemination/matching/list.html", {**context, "organisations": context["object_list"]})


def _awaiting(pk):
    """An organisation still awaiting a match; any other (confirmed, never named) answers 404."""
    return get_object_or_404(queries.organisations_awaiting_match(), pk=pk)


@require_POST
@permission_required("dissemination.match_organisations", raise_exception=True)
def match_confirm(request, pk):
    organisation = organisation_confirm_public(organisation=_awaiting(pk), by=request.user)
    messages.success(
        request, _("%(name)s is confirmed: the public search finds it from now on.") % {"name": organisation.name}
    )
    return redirect("dissemination:organisation_matching")


def _candidates(named, q):
    """Organisations whose name holds a word of q (three letters or more), the named one left out."""
    words = [word for word in q.split() if len(word) >= 3]
    if not words:
        return []
    found = Organisation.objects.exclude(pk=named.pk).filter(reduce(or_, (Q(name__icontains=w) for w in words)))
    return list(found.select_related("region").order_by("name", "pk")[:CANDIDATES])


@require_http_methods(["GET", "POST"])
@permission_required("dissemination.match_organisations", raise_exception=True)
def match_merge(request, pk):
    named = _awaiting(pk)
    existing = None
    existing_id = parse_id(request.POST.get("existing") or request.GET.get("existing"))
    if existing_id:
        existing = get_object_or_404(Organisation.objects.select_related("region").exclude(pk=named.pk), pk=existing_id)
    if request.method == "POST" and existing is not None:
        try:
            organisation_match(named=named, existing=existing, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("%(named)s is merged into %(existing)s, which the public search finds from now on.")
                % {"named": named.name, "existing": existing.name},
            )
            return redirect("dissemination:organisation_matching")
    q = request.GET.get("q", named.name).strip()
    context = {"named": named, "existing": existing, "q": q, "max_candidates": CANDIDATES}
    if existing is None:
        context["candidates"] = _candidates(named, q)
    else:
        context["moves"] = merge_moves(remove=named)
        context["conflicts"] = merge_conflicts(keep=existing, remove=named)
    return render(request, "dissemination/matching/merge.html", context)
