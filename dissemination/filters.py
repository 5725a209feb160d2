import django_filters
from django import forms
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from mentorwijs.accounts.models import User
from mentorwijs.accounts.roles import Role
from mentorwijs.search import every_word
from mentorwijs.sorting import SortOrder, in_choice_order

from .enums import NewsletterStatus, OutreachChannel, SubscriberStatus, TargetGroup
from .models import Newsletter, Organisation, OutreachContact, Person, Region, Subscriber


class OrganisationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    target_group = django_filters.ChoiceFilter(
        label=_("Target group"), choices=TargetGroup.choices, empty_label=_("All target groups")
    )
    region = django_filters.ModelChoiceFilter(
        label=_("Region"), queryset=Region.objects.all(), empty_label=_("All regions")
    )

    sort = SortOrder(
        columns={
            "name": (_("Name"), Lower("name")),
            "target_group": (_("Target group"), in_choice_order("target_group", TargetGroup)),
            "region": (_("Region"), "region__name"),
            "city": (_("City"), Lower("city")),
        },
        default="name",  # Organisation.Meta.ordering
    )

    class Meta:
        model = Organisation
        fields = ["q", "target_group", "region", "sort"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(city__icontains=value) | Q(kvk_number=value))


class PersonFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    target_group = django_filters.ChoiceFilter(
        label=_("Target group"),
        field_name="organisation__target_group",
        choices=TargetGroup.choices,
        empty_label=_("All target groups"),
    )

    sort = SortOrder(
        columns={
            "name": (_("Name"), Lower("last_name"), Lower("first_name")),
            "email": (_("Email address"), Lower("email")),
            "organisation": (_("Organisation"), Lower("organisation__name")),
        },
        default="name",  # Person.Meta.ordering
    )

    class Meta:
        model = Person
        fields = ["q", "target_group", "sort"]

    def search(self, queryset, name, value):
        return every_word(
            queryset,
            value,
            lambda word: (
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(email__icontains=word)
                | Q(organisation__name__icontains=word)
            ),
        )


class ContactFilter(django_filters.FilterSet):
    """Search and sort the contacts; staff also filter by ambassador (`may_filter_by_ambassador`).
    The search only narrows the queryset it is given, which holds what the user may see."""

    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        widget=forms.TextInput(attrs={"placeholder": _("Organisation, person or notes"), "type": "search"}),
    )
    logged_by = django_filters.ModelChoiceFilter(
        label=_("Ambassador"), queryset=User.objects.none(), empty_label=_("All ambassadors")
    )
    sort = SortOrder(
        columns={
            "date": (_("Date"), "date"),
            "organisation": (_("Organisation"), Lower("organisation__name")),
            "channel": (_("Channel"), in_choice_order("channel", OutreachChannel)),
        },
        default="-date",  # OutreachContact.Meta.ordering
    )

    class Meta:
        model = OutreachContact
        fields = ["q", "logged_by", "sort"]

    def __init__(self, *args, may_filter_by_ambassador=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_filter_by_ambassador:
            # An ambassador's list ignores ?logged_by=.
            del self.filters["logged_by"]
            return
        self.filters["logged_by"].queryset = (
            User.objects.filter(Q(groups__name=Role.AMBASSADOR) | Q(outreach_contacts__isnull=False))
            .distinct()
            .order_by("first_name", "last_name", "pk")
        )

    def search(self, queryset, name, value):
        return every_word(
            queryset,
            value,
            lambda word: (
                Q(organisation__name__icontains=word)
                | Q(person__first_name__icontains=word)
                | Q(person__last_name__icontains=word)
                | Q(notes__icontains=word)
            ),
        )


class NewsletterFilter(django_filters.FilterSet):
    """The newsletter list has no filters, only its column order."""

    sort = SortOrder(
        columns={
            "subject": (_("Subject"), Lower("subject")),
            "status": (_("Status"), in_choice_order("status", NewsletterStatus)),
            "send_at": (_("Send at"), "scheduled_at"),
            "created": (_("Created"), "created_at"),
        },
        default="-created",  # queries.newsletters.newsletter_list: the newest first
    )

    class Meta:
        model = Newsletter
        fields = ["sort"]


class SubscriberSort(django_filters.FilterSet):
    """The column order of the subscriber list (its filters are SubscriberFilterForm's)."""

    sort = SortOrder(
        columns={
            "email": (_("Email address"), Lower("email")),
            "name": (_("Name"), Lower("name")),
            "status": (_("Status"), in_choice_order("status", SubscriberStatus)),
        },
        default="email",  # queries.newsletters_subscribers.subscriber_list
    )

    class Meta:
        model = Subscriber
        fields = ["sort"]
