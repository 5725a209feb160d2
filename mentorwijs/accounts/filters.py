from datetime import timedelta

import django_filters
from django import forms
from django.conf import settings
from django.db.models import Case, IntegerField, Q, Value, When
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mentorwijs.sorting import SortOrder

from .models import Invitation, User
from .roles import Role

ACTIVE, DEACTIVATED = "active", "deactivated"


class TeamFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        widget=forms.TextInput(attrs={"placeholder": _("Name or email address"), "type": "search"}),
    )
    role = django_filters.ChoiceFilter(
        label=_("Role"), choices=Role.choices, method="with_role", empty_label=_("All roles")
    )
    state = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[(ACTIVE, _("Active")), (DEACTIVATED, _("Deactivated"))],
        method="in_state",
        empty_label=_("Active and deactivated"),
    )

    sort = SortOrder(
        columns={
            "name": (_("Name"), Lower("first_name"), Lower("last_name"), Lower("email")),
            "email": (_("Email address"), Lower("email")),
            "last_login": (_("Last login"), "last_login"),
        },
        default="name",  # queries.team_accounts
    )

    class Meta:
        model = User
        fields = ["q", "role", "state", "sort"]

    def search(self, queryset, name, value):
        for word in value.split()[:5]:
            queryset = queryset.filter(
                Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(email__icontains=word)
            )
        return queryset

    def with_role(self, queryset, name, value):
        holders = User.objects.filter(groups__name=value).values("pk")
        if value == Role.STAFF:  # a superuser counts as staff (User.roles)
            return queryset.filter(Q(pk__in=holders) | Q(is_superuser=True))
        return queryset.filter(pk__in=holders)

    def in_state(self, queryset, name, value):
        return queryset.filter(is_active=value == ACTIVE)


def invitation_status_order(now) -> Case:
    """An invitation's status (Invitation.status, worked out in Python) as a column, in the order of
    Invitation.Status: open, accepted, expired, revoked."""
    expired_before = now - timedelta(days=settings.INVITATION_VALID_DAYS)
    return Case(
        When(accepted_at__isnull=False, then=Value(1)),
        When(revoked_at__isnull=False, then=Value(3)),
        When(created_at__lte=expired_before, then=Value(2)),
        default=Value(0),
        output_field=IntegerField(),
    )


class InvitationFilter(django_filters.FilterSet):
    """The column order of the invitation list; it has no filters."""

    sort = SortOrder(
        columns={
            "email": (_("Email address"), Lower("email")),
            "invited_by": (_("Invited by"), Lower("invited_by__first_name"), Lower("invited_by__last_name")),
            "created": (_("Created"), "created_at"),
            "status": (_("Status"), "pk"),  # set per request: the status depends on the time
        },
        default="-created",  # Invitation.Meta.ordering
    )

    class Meta:
        model = Invitation
        fields = ["sort"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["sort"].columns["status"] = [invitation_status_order(timezone.now())]
