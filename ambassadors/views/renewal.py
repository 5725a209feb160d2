"""A trainer's own certifications with their renewal progress, and the public register.

The public register needs no login: employers and the national database of social interventions
check there who is certified. It lists only trainers who opted in (Ambassador.public_listing)."""

import django_filters
from django.contrib.auth.decorators import login_not_required
from django.db.models.functions import Lower
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from rules.contrib.views import permission_required

from dissemination.models import Region
from mentorwijs.http import filter_page
from mentorwijs.sorting import SortOrder, in_choice_order

from ..enums import Level
from ..models import Ambassador
from ..queries import renewal as queries_renewal
from ..services.renewal import renewal_progress

REGISTER_PAGE_SIZE = 25


@require_GET
@permission_required("ambassadors.request_certification", raise_exception=True)
def my_certification_view(request):
    """Trainers and master trainers: their own certifications only, the current one first."""
    today = timezone.localdate()
    certifications = queries_renewal.my_certifications(user=request.user)
    current = queries_renewal.current_certification(certifications, today=today)
    if current is not None:
        certifications.remove(current)
        certifications.insert(0, current)
        current.days_left = (current.valid_until - today).days
    progress = renewal_progress(certification=current, today=today) if current else []
    context = {
        "certifications": certifications,
        "current": current,
        "progress": progress,
        "all_met": bool(progress) and all(item.met for item in progress),
        "open_renewal": queries_renewal.open_renewal(certifications, current=current),
    }
    return render(request, "ambassadors/my_certification.html", context)


class RegisterFilter(django_filters.FilterSet):
    region = django_filters.ModelChoiceFilter(
        label=_("Region"), queryset=Region.objects.all(), empty_label=_("All regions")
    )
    level = django_filters.ChoiceFilter(label=_("Level"), choices=Level.choices, empty_label=_("All levels"))
    sort = SortOrder(
        columns={
            "name": (_("Name"), Lower("user__last_name"), Lower("user__first_name")),
            "level": (_("Level"), in_choice_order("level", Level)),
            "region": (_("Region"), "region__name"),
            "expires": (_("Expires on"), "valid_until"),
        },
        default="name",  # queries.renewal.public_register
    )

    class Meta:
        model = Ambassador
        fields = ["region", "level", "sort"]


@login_not_required
@require_GET
def public_register_view(request):
    """Anyone: trainers certified today who opted in, by name, filtered by region and level."""
    queryset = queries_renewal.public_register()
    filterset = RegisterFilter(request.GET or None, queryset=queryset, request=request)
    context = filter_page(request, filterset, REGISTER_PAGE_SIZE, name="ambassador_list")
    labels = dict(Level.choices)
    for ambassador in context["object_list"]:
        ambassador.level_label = labels.get(ambassador.level, "")
    return render(request, "ambassadors/register.html", context)
