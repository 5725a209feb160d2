"""Public newsletter pages: sign-up, confirmation, preferences and one-click unsubscribe.

None of them needs a login. The sign-up always ends on the same "check your mail" page, so it never
tells whether an address was known. The links in mails carry signed tokens (dissemination.tokens):
a wrong or expired link answers 400 with a page that says so, and changes nothing.

Mail scanners open links: a GET never changes anything. Confirming and unsubscribing are POSTs from
a page with a button. The unsubscribe POST also serves RFC 8058 one-click (List-Unsubscribe-Post):
it is csrf_exempt and needs no cookie or session, and answers 200 however often it comes."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from mentorwijs.forms import add_service_errors
from mentorwijs.ratelimit import rate_limited

from ..enums import SubscriberStatus
from ..forms.newsletters_subscriptions import PreferencesForm, SignUpForm
from ..models import MailingList
from ..services.subscriptions import (
    consented_list_ids,
    preferences_choices,
    preferences_update,
    subscriber_confirm,
    subscriber_settings_update,
    subscriber_sign_up,
    subscriber_unsubscribe,
)
from ..tokens import read_confirm_token, read_preferences_token, read_unsubscribe_token, unsubscribe_token


def too_many_sign_ups(request) -> bool:
    """Every sign-up mails an address someone typed in: at most PUBLIC_ENROLMENTS_PER_HOUR per client
    address per hour (counted apart from the enrolments)."""
    return rate_limited(request, scope="newsletter-sign-up", limit=settings.PUBLIC_ENROLMENTS_PER_HOUR)


def _invalid_link(request, *, expired: bool = False):
    """Nothing is changed; the page says whether the link expired or is not (or no longer) valid."""
    return render(request, "dissemination/newsletter/public_invalid_link.html", {"expired": expired}, status=400)


@login_not_required
@require_http_methods(["GET", "POST"])
def signup(request):
    form = SignUpForm(request.POST or None)
    if not form.offered:  # no public list: the page says so and shows no form
        return render(request, "dissemination/newsletter/public_signup.html", {"form": None})
    if request.method == "POST" and too_many_sign_ups(request):
        form.add_error(None, _("Many sign-ups came from your connection just now. Please try again in an hour."))
    elif request.method == "POST" and form.is_valid():
        try:
            subscriber_sign_up(
                language=request.LANGUAGE_CODE,
                wording_version=settings.CONSENT_WORDING_VERSION,  # the version the form showed
                **form.service_kwargs(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("newsletter:signup_done")
    return render(
        request, "dissemination/newsletter/public_signup.html", {"form": form}, status=400 if form.errors else 200
    )


@login_not_required
@require_GET
def signup_done(request):
    """Check your mail. The same page whether the address was new, pending or confirmed."""
    return render(
        request, "dissemination/newsletter/public_signup_done.html", {"valid_days": settings.SUBSCRIPTION_CONFIRM_DAYS}
    )


@login_not_required
@require_http_methods(["GET", "POST"])
def confirm(request, token):
    """GET shows the lists and a button; the POST confirms them (a scanner following the link
    confirms nothing)."""
    try:
        subscriber, list_ids, wording_version = read_confirm_token(token)
    except signing.SignatureExpired:
        return _invalid_link(request, expired=True)
    except signing.BadSignature:
        return _invalid_link(request)
    if request.method == "POST":
        subscriber_confirm(subscriber=subscriber, list_ids=list_ids, wording_version=wording_version)
        subscriber.refresh_from_db(fields=["status"])
        return render(
            request,
            "dissemination/newsletter/public_confirmed.html",
            {"subscriber": subscriber, "lists": list(subscriber.lists.all())},
        )
    lists = list(MailingList.objects.filter(pk__in=list_ids))
    return render(request, "dissemination/newsletter/public_confirm.html", {"subscriber": subscriber, "lists": lists})


def _preferences_initial(subscriber, consented) -> dict:
    return {"lists": sorted(consented), "language": subscriber.language, "region": subscriber.region_id}


@login_not_required
@require_http_methods(["GET", "POST"])
def preferences(request, token):
    try:
        subscriber = read_preferences_token(token)
    except signing.BadSignature:
        return _invalid_link(request)
    consented = consented_list_ids(subscriber)
    form = PreferencesForm(
        request.POST if request.method == "POST" else None,  # an empty POST is a choice too: no lists
        choices=preferences_choices(consented=consented),
        initial=_preferences_initial(subscriber, consented),
    )
    saved = awaiting_confirmation = False
    if request.method == "POST" and form.is_valid():
        try:
            preferences_update(subscriber=subscriber, lists=form.cleaned_data["lists"])
            if (chosen := form.settings_kwargs()) is not None:
                subscriber_settings_update(subscriber=subscriber, **chosen)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            saved = True
            subscriber.refresh_from_db(fields=["status", "language", "region"])
            # Not confirmed and lists chosen: a confirmation link is (or was lately) on its way.
            awaiting_confirmation = bool(form.cleaned_data["lists"]) and subscriber.status != SubscriberStatus.CONFIRMED
            consented = consented_list_ids(subscriber)
            form = PreferencesForm(
                choices=preferences_choices(consented=consented), initial=_preferences_initial(subscriber, consented)
            )
    return render(
        request,
        "dissemination/newsletter/public_preferences.html",
        {"subscriber": subscriber, "form": form, "saved": saved, "awaiting_confirmation": awaiting_confirmation},
        status=400 if form.errors else 200,
    )


@csrf_exempt
@login_not_required
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """GET: a page with a button, nothing changes. POST (the button, or a mail client's RFC 8058
    one-click): every list is left; a second POST changes nothing and answers 200 as well."""
    try:
        subscriber = read_unsubscribe_token(token)
    except signing.BadSignature:
        return _invalid_link(request)
    if request.method == "POST":
        subscriber_unsubscribe(subscriber=subscriber)
        return render(request, "dissemination/newsletter/public_unsubscribed.html", {"subscriber": subscriber})
    return render(
        request,
        "dissemination/newsletter/public_unsubscribe.html",
        {"subscriber": subscriber, "token": unsubscribe_token(subscriber)},
    )


# What the personal links of a staff member's test mail lead to (newsletter_mail.build_test_message).
TEST_LINKS = {"voorkeuren": "preferences", "afmelden": "unsubscribe"}


@login_not_required
@require_GET
def test_link(request, kind):
    """A test newsletter's personal link: the staff member is no subscriber, so the page says what
    the link does in the real newsletter, and changes nothing."""
    if kind not in TEST_LINKS:
        raise Http404
    return render(request, "dissemination/newsletter/public_test_link.html", {"kind": TEST_LINKS[kind]})
