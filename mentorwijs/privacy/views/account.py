"""Account holders' data (list, readable page, JSON download) and their erasure: staff only."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_safe
from rules.contrib.views import permission_required

from mentorwijs.accounts.models import User
from mentorwijs.forms import add_service_errors
from mentorwijs.http import list_page

from ..forms.account import AccountEraseForm, AccountFilterForm, AccountSort
from ..models import ErasureRecord
from ..queries import account_list, people_with_address_of
from ..services.account_data import account_data
from ..services.account_erasure import account_erase, account_erased_record, account_erasure_refusals
from .person import PERMISSION, json_attachment

ACCOUNT_LIST_PAGE_SIZE = 50


@permission_required(PERMISSION, raise_exception=True)
@require_safe
def account_list_view(request):
    """Every account (staff, master trainers, trainers, ambassadors), filtered by name or address,
    role and status, each with its roles; a fixed number of queries whatever the number of accounts."""
    filter_form = AccountFilterForm(request.GET or None)
    if filter_form.is_bound and filter_form.is_valid():
        accounts = account_list(**filter_form.cleaned_data)
    else:
        accounts = account_list()
    order = AccountSort(request.GET or None, queryset=accounts, request=request)
    accounts = order.qs if order.is_valid() else accounts
    context = list_page(request, accounts, ACCOUNT_LIST_PAGE_SIZE, name="user_list")
    context["filter_form"] = filter_form
    context["filter"] = order
    return render(request, "privacy/account_list.html", context)


@permission_required(PERMISSION, raise_exception=True)
@require_GET
def account_data_view(request, pk):
    user = get_object_or_404(User, pk=pk)
    return render(
        request,
        "privacy/account_data.html",
        {
            "account": user,
            "data": account_data(user=user),
            "people": list(people_with_address_of(user)),
            "erasures": ErasureRecord.objects.filter(user_id=user.pk).select_related("by"),
            "erased": account_erased_record(user) is not None,
        },
    )


@permission_required(PERMISSION, raise_exception=True)
@require_GET
def account_data_json(request, pk):
    user = get_object_or_404(User, pk=pk)
    return json_attachment(account_data(user=user), filename=f"account-{user.pk}-gegevens.json")


@permission_required(PERMISSION, raise_exception=True)
@require_http_methods(["GET", "POST"])
def account_erase_view(request, pk):
    user = get_object_or_404(User, pk=pk)
    form = AccountEraseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account_erase(user=user, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The account was erased."))
            return redirect("privacy:account_data", pk=user.pk)
    erased = account_erased_record(user) is not None
    return render(
        request,
        "privacy/account_erase.html",
        {
            "account": user,
            "form": form,
            "refusals": []
            if erased
            else [error.messages[0] for error in account_erasure_refusals(user=user, by=request.user)],
            "people": list(people_with_address_of(user)),
            "erased": erased,
        },
    )
