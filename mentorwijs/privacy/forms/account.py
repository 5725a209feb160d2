import django_filters
from django import forms
from django.db.models.functions import Lower
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from mentorwijs.accounts.models import User
from mentorwijs.accounts.roles import Role
from mentorwijs.sorting import SortOrder

from ..queries import ACTIVE, INACTIVE


class AccountSort(django_filters.FilterSet):
    """The column order of the account list (its filters are AccountFilterForm's)."""

    sort = SortOrder(
        columns={
            "name": (_("Name"), Lower("first_name"), Lower("last_name"), Lower("email")),
            "last_login": (_("Last login"), "last_login"),
            "status": (_("Status"), "is_active"),
        },
        default="name",  # queries.account_list
    )

    class Meta:
        model = User
        fields = ["sort"]


class AccountFilterForm(forms.Form):
    """The account list's filters: words of the name or address, a role, active or not."""

    q = forms.CharField(label=_("Name or email address"), required=False, max_length=100)
    role = forms.ChoiceField(label=_("Role"), required=False, choices=[("", _("All"))] + list(Role.choices))
    state = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), (ACTIVE, _("Active")), (INACTIVE, _("Deactivated"))],
    )


class AccountEraseForm(forms.Form):
    """Confirms an account's erasure; the reason is kept in the ErasureRecord (never the name)."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=format_lazy(
            "{} {}",
            _(
                "Why this account is erased, for example: request by the trainer on a given date, or the end of "
                "the cooperation. Do not write the person's name."
            ),
            _("Never write anything about an employee's health or disability here."),
        ),
    )
