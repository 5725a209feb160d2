"""The team pages (issue 15): staff find accounts, change their roles and access, reset their
two-factor and correct their names; everyone corrects their own name on their account page. Every
change goes through a service of accounts.services, which holds the rules; the views only show."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST, require_safe
from rules.contrib.views import permission_required

from mentorwijs.http import list_page

from .. import queries, services
from ..filters import TeamFilter
from ..forms import AccountNameForm, AccountRolesForm
from ..models import Invitation, User

TEAM_LIST_PAGE_SIZE = 50


@permission_required("accounts.manage_accounts", raise_exception=True)
@require_safe
def team_list(request):
    """Every account, searched by name or address and filtered by role and status; three queries
    (count, page, groups) whatever the number of accounts."""
    filterset = TeamFilter(request.GET or None, queryset=queries.team_accounts())
    accounts = filterset.qs if filterset.is_valid() else queries.team_accounts()
    context = {"filter": filterset, **list_page(request, accounts, TEAM_LIST_PAGE_SIZE, name="user_list")}
    return render(request, "accounts/team/list.html", context)


def _account(pk) -> User:
    try:
        return queries.team_account(pk)
    except User.DoesNotExist as missing:
        raise Http404 from missing


def account_page(request, account, *, roles_form=None, name_form=None, status=200):
    may_change = request.user.has_perm("accounts.change_account", account)
    if may_change:
        roles_form = roles_form or AccountRolesForm(initial={"roles": sorted(account.held_roles)})
        name_form = name_form or AccountNameForm(instance=account)
    context = {
        "account": account,
        "may_change": may_change,
        "refusal": services.account_change_refusal(user=account, by=request.user),
        "is_me": account.pk == request.user.pk,
        "roles_form": roles_form,
        "name_form": name_form,
        "invitations": list(queries.invitations_of(account)),
    }
    return render(request, "accounts/team/detail.html", context, status=status)


@require_GET
@permission_required("accounts.manage_accounts", raise_exception=True)
def account_detail(request, pk):
    return account_page(request, _account(pk))


def _changeable(request, pk) -> User:
    """The account, when the user may change it: 404 when there is none, 403 when not theirs to change."""
    account = _account(pk)
    if not request.user.has_perm("accounts.change_account", account):
        raise PermissionDenied
    return account


@require_POST
@permission_required("accounts.manage_accounts", raise_exception=True)
def account_roles(request, pk):
    account = _changeable(request, pk)
    form = AccountRolesForm(request.POST)
    if form.is_valid():
        try:
            services.user_change_roles(user=account, roles=form.cleaned_data["roles"], by=request.user)
        except services.AccountError as error:
            form.add_error("roles", str(error))
        else:
            messages.success(request, _("The roles of %(name)s are changed.") % {"name": account})
            return redirect("accounts:account_detail", pk=account.pk)
    return account_page(request, account, roles_form=form)


@require_POST
@permission_required("accounts.manage_accounts", raise_exception=True)
def account_name(request, pk):
    account = _changeable(request, pk)
    form = AccountNameForm(request.POST, instance=User.objects.get(pk=account.pk))
    if form.is_valid():
        services.user_rename(user=account, by=request.user, **form.cleaned_data)
        messages.success(request, _("The name is changed."))
        return redirect("accounts:account_detail", pk=account.pk)
    return account_page(request, account, name_form=form)


def _action(service, done_message, *, refusal=None, confirm=None):
    """A change of one account's access by a button on its page. With `confirm` (a template) a GET
    first shows what will happen, with a button that POSTs to the same address; the GET is refused
    as the POST is (403, 404), and what the service would refuse (`refusal`) goes back to the
    account page with the reason. Without it only the POST answers (one click)."""

    @require_http_methods(["GET", "POST"] if confirm else ["POST"])
    @permission_required("accounts.manage_accounts", raise_exception=True)
    def view(request, pk):
        account = _changeable(request, pk)
        if request.method == "GET":
            reason = refusal(user=account, by=request.user)
            if not reason:
                return render(request, confirm, {"account": account, "commitments": queries.commitments_of(account)})
            messages.error(request, reason)
            return redirect("accounts:account_detail", pk=account.pk)
        try:
            service(user=account, by=request.user)
        except services.AccountError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, done_message() % {"name": account})
        return redirect("accounts:account_detail", pk=account.pk)

    return view


account_deactivate = _action(
    services.user_deactivate,
    lambda: _("%(name)s is deactivated: they can no longer log in and were logged out."),
    refusal=services.user_deactivate_refusal,
    confirm="accounts/team/confirm_deactivate.html",
)
account_reactivate = _action(services.user_reactivate, lambda: _("%(name)s can log in again."))
account_two_factor_reset = _action(
    services.user_two_factor_reset,
    lambda: _("The two-factor authentication of %(name)s is reset: they set it up again at their next login."),
    refusal=services.user_two_factor_reset_refusal,
    confirm="accounts/team/confirm_two_factor_reset.html",
)


@require_POST
@permission_required("accounts.manage_invitations", raise_exception=True)
def invitation_resend(request, pk):
    invitation = get_object_or_404(Invitation, pk=pk)
    try:
        sent = services.invitation_resend(invitation=invitation, by=request.user)
    except services.AccountExists as exists:
        messages.info(request, str(exists))
        return redirect("accounts:account_detail", pk=exists.user.pk)
    except services.InvitationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Invitation sent again to %(email)s.") % {"email": sent.email})
    return redirect("accounts:invitation_list")


@require_http_methods(["GET", "HEAD", "POST"])
def my_account(request):
    """Everyone's own account: their name here; address, password and two-factor on allauth's pages."""
    if request.method != "POST":
        form = AccountNameForm(instance=request.user)
    else:
        form = AccountNameForm(request.POST, instance=User.objects.get(pk=request.user.pk))
        if form.is_valid():
            services.user_rename(user=request.user, by=request.user, **form.cleaned_data)
            messages.success(request, _("Your name is changed."))
            return redirect("accounts:my_account")
    return render(request, "accounts/team/mine.html", {"form": form})
