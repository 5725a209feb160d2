"""Account holders' data (list, readable page, JSON download) and their erasure: staff only."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.db.models.functions import Lower
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django.views.generic import ListView
from rules.contrib.views import PermissionRequiredMixin, permission_required

from dissemination.models import Person
from mentorwijs.accounts.models import User
from mentorwijs.forms import add_service_errors

from .forms_account import AccountEraseForm, AccountFilterForm
from .models import ErasureRecord
from .services.account_data import account_data
from .services.account_erasure import account_erase, account_erased_record, account_erasure_refusals
from .views_person import PERMISSION, json_attachment


class AccountListView(PermissionRequiredMixin, ListView):
    """Every account (staff, master trainers, trainers, ambassadors), filtered by name or address,
    role and status, each with its roles; a fixed number of queries whatever the number of accounts."""

    permission_required = PERMISSION
    template_name = "privacy/account_list.html"
    paginate_by = 50

    def get_queryset(self):
        self.filter_form = AccountFilterForm(self.request.GET or None)
        accounts = User.objects.prefetch_related("groups").order_by("first_name", "last_name", "email", "pk")
        if self.filter_form.is_bound and self.filter_form.is_valid():
            data = self.filter_form.cleaned_data
            for word in data["q"].split()[:5]:
                accounts = accounts.filter(
                    Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(email__icontains=word)
                )
            if data["role"]:
                accounts = accounts.filter(groups__name=data["role"])
            if data["state"] == AccountFilterForm.ACTIVE:
                accounts = accounts.filter(is_active=True)
            elif data["state"] == AccountFilterForm.INACTIVE:
                accounts = accounts.filter(is_active=False)
        return accounts

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter_form"] = self.filter_form
        return context


def _same_address_people(user: User):
    """Persons with the account's address (compared as the index on LOWER(email) does)."""
    people = Person.objects.alias(email_lower=Lower("email")).exclude(email="")
    return people.filter(email_lower=user.email.lower())


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
            "people": list(_same_address_people(user)),
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
            "people": list(_same_address_people(user)),
            "erased": erased,
        },
    )
