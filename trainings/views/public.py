"""Public pages: the runs open for enrolment, the enrolment form, the enrolment link of a run that
is not public, the organisation search, the privacy statement, and the personal page behind the link
in every mail (view, cancel, accept).

The public enrolment never tells the visitor whether the email address was enrolled already:
it ends on the same "check your mail" page either way, and only the mail carries the personal link.

Runs of a variant that is not public (in-company, train-the-trainer: PUBLIC_VARIANTS) are not on the
list or the feed, and their public enrolment page answers 404: they take enrolments through the link
staff send (`link_enrol`, the run's enrolment_link_key), which staff can replace when it leaked."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dissemination.services.relations import THE_PERSON, person_save, same_address
from mentorwijs.forms import parse_id
from mentorwijs.ratelimit import rate_limited

from ..calendar import participant_feed_url
from ..enums import ENROLLABLE_STATUSES, PUBLIC_STATUSES, PUBLIC_VARIANTS
from ..forms import add_service_errors
from ..forms.enrolment import EnrolmentForm, PersonalEmailForm
from ..models import Enrolment, Training
from ..queries import enrolment as queries
from ..services.enrolment import (
    enrolment_cancel,
    enrolment_cancellable,
    enrolment_create,
    offer_accept,
    offer_is_open,
    training_has_started,
)

# The list of open runs is rendered once per region and kept this long in the cache (a template
# fragment): hundreds of runs at national scale (bench/pages, issue 7). The enrolment form checks
# the places itself, so a number of free places at most this old does no harm.
PUBLIC_LIST_CACHE_SECONDS = 60
# Runs per page (a grid of two or three columns): all open runs of the country made 470 KB.
PUBLIC_LIST_PAGE_SIZE = 24


@login_not_required
@require_GET
def public_list(request):
    # The regions of the form change with the runs: kept as long as the list's fragment.
    regions = cache.get_or_set("public_regions", lambda: list(queries.public_regions()), PUBLIC_LIST_CACHE_SECONDS)
    region = None
    region_param = request.GET.get("region", "")
    if parse_id(region_param):
        region = next((r for r in regions if r.pk == parse_id(region_param)), None)

    page_number = parse_id(request.GET.get("page")) or 1

    def open_runs_page():
        runs = queries.public_training_list(region_id=region.pk if region else None)
        page = Paginator(runs, PUBLIC_LIST_PAGE_SIZE).get_page(page_number)
        for run in page.object_list:
            run.places_free = max(run.capacity - run.places_held, 0)
        return page

    # The runs are read only when the cached fragment of the page is missing (PUBLIC_LIST_CACHE_SECONDS).
    page_obj = SimpleLazyObject(open_runs_page)
    context = {
        "page_obj": page_obj,
        "page_number": page_number,
        "runs": SimpleLazyObject(lambda: page_obj.object_list),
        "regions": regions,
        "region": region,
    }
    return render(request, "trainings/public_list.html", {**context, "cache_seconds": PUBLIC_LIST_CACHE_SECONDS})


def too_many_enrolments(request) -> bool:
    """Every public enrolment mails an address someone typed in: at most PUBLIC_ENROLMENTS_PER_HOUR
    attempts per client address, so the form cannot be used to send mail in bulk."""
    return rate_limited(request, scope="enrol", limit=settings.PUBLIC_ENROLMENTS_PER_HOUR)


def _enrol(request, training, *, link_key="", done):
    """The enrolment form of a public run or of a run's enrolment link; `done` is where a saved
    enrolment goes."""
    started = training_has_started(training)
    host = training.host_organisation if link_key else None
    form = None if started else EnrolmentForm(request.POST or None, host=host)
    if request.method == "POST" and form is not None and too_many_enrolments(request):
        form.add_error(None, _("Many enrolments came from your connection just now. Please try again in an hour."))
    elif request.method == "POST" and form is not None and form.is_valid():
        try:
            enrolment_create(
                training=training, language=request.LANGUAGE_CODE, link_key=link_key, **form.service_kwargs()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            # The same page whether the address was new or enrolled already (see the module docstring).
            return redirect(done)
    meetings = training.meetings.select_related("location").order_by("number")
    return render(
        request,
        "trainings/public_enrol.html",
        {"training": training, "meetings": meetings, "form": form, "started": started, "by_link": bool(link_key)},
    )


@login_not_required
@require_http_methods(["GET", "POST"])
def public_enrol(request, pk):
    training = get_object_or_404(
        Training.objects.select_related("region"), pk=pk, status__in=ENROLLABLE_STATUSES, variant__in=PUBLIC_VARIANTS
    )
    return _enrol(request, training, done=reverse("trainings:public_enrolled", kwargs={"pk": training.pk}))


@login_not_required
@require_GET
def public_enrolled(request, pk):
    """After a public enrolment: check your mail. Carries no token and nothing about the person."""
    training = get_object_or_404(
        Training.objects.select_related("region"), pk=pk, status__in=PUBLIC_STATUSES, variant__in=PUBLIC_VARIANTS
    )
    return render(request, "trainings/public_enrolled.html", {"training": training})


def _training_for_link(key):
    """The run that takes enrolments through this link: not public, still open. 404 otherwise,
    also for the key of a public run (its public page is the way in) or an old, replaced key."""
    return get_object_or_404(
        Training.objects.select_related("region", "host_organisation").exclude(variant__in=PUBLIC_VARIANTS),
        enrolment_link_key=key,
        status__in=ENROLLABLE_STATUSES,
    )


@login_not_required
@require_http_methods(["GET", "POST"])
def link_enrol(request, key):
    """The enrolment page behind the link staff send for an in-company or train-the-trainer run."""
    training = _training_for_link(key)
    return _enrol(request, training, link_key=key, done=reverse("trainings:link_enrolled", kwargs={"key": key}))


@login_not_required
@require_GET
def link_enrolled(request, key):
    training = _training_for_link(key)
    return render(request, "trainings/public_enrolled.html", {"training": training, "by_link": True})


@login_not_required
@require_GET
def organisation_search(request):
    """JSON for the public enrolment form: at most ten public organisations whose name contains q,
    from three letters on, PUBLIC_SEARCHES_PER_HOUR times an hour per client (429 beyond that)."""
    if rate_limited(request, scope="organisation-search", limit=settings.PUBLIC_SEARCHES_PER_HOUR):
        return JsonResponse({"results": [], "error": _("Too many searches from your connection.")}, status=429)
    return JsonResponse({"results": queries.public_organisations_named(request.GET.get("q", ""))})


@login_not_required
@require_GET
def privacy(request):
    return render(request, "trainings/privacy.html", {"version": settings.PRIVACY_STATEMENT_VERSION})


def _enrolment_for(token):
    return get_object_or_404(Enrolment.objects.select_related("training__region", "person__organisation"), token=token)


@login_not_required
@require_GET
def personal(request, token):
    enrolment = _enrolment_for(token)
    meetings = enrolment.training.meetings.select_related("location").order_by("number")
    feed_url = participant_feed_url(enrolment)
    return render(
        request,
        "trainings/personal.html",
        {
            "enrolment": enrolment,
            "training": enrolment.training,
            "meetings": meetings,
            "offer_open": offer_is_open(enrolment),
            "can_cancel": enrolment_cancellable(enrolment),
            "feed_url": feed_url,
            "feed_webcal_url": "webcal://" + feed_url.split("://", 1)[-1],
        },
    )


@login_not_required
@require_http_methods(["GET", "POST"])
def personal_cancel(request, token):
    enrolment = _enrolment_for(token)
    if not enrolment_cancellable(enrolment):
        return redirect("trainings:personal", token=token)
    if request.method == "POST":
        try:
            enrolment_cancel(enrolment=enrolment)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Your enrolment is cancelled."))
        return redirect("trainings:personal", token=token)
    return render(request, "trainings/personal_cancel.html", {"enrolment": enrolment, "training": enrolment.training})


@login_not_required
@require_POST
def personal_offer_accept(request, token):
    enrolment = _enrolment_for(token)
    try:
        offer_accept(enrolment=enrolment)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("You have accepted the place. We sent a confirmation by email."))
    return redirect("trainings:personal", token=token)


ADDRESS_NOT_USABLE = gettext_lazy(
    "This address cannot be used for your enrolment. Contact Werkzaak Rivierenland to change it."
)


@login_not_required
@require_http_methods(["GET", "POST"])
def personal_email(request, token):
    """The participant changes their own address: only here (the link that reached them by mail)
    or by staff. The service records it in the audit trail, tells the old address and gives the
    enrolments new links, mailed to the new address; this page then goes on with the new link.
    Each change mails two addresses: PERSONAL_EMAIL_CHANGES_PER_HOUR attempts per client."""
    enrolment = _enrolment_for(token)
    person = enrolment.person
    form = PersonalEmailForm(request.POST or None, initial={"email": person.email})
    if request.method == "POST" and rate_limited(
        request, scope="personal-email", limit=settings.PERSONAL_EMAIL_CHANGES_PER_HOUR
    ):
        form.add_error(None, _("Many changes came from your connection just now. Please try again in an hour."))
    elif request.method == "POST" and form.is_valid():
        changed = not same_address(person.email, form.cleaned_data["email"])
        try:
            person_save(person=person, data={"email": form.cleaned_data["email"]}, by=THE_PERSON)
        except ValidationError as error:
            if any(e.code == "email_taken" for e in error.error_dict.get("email", [])):
                # Nothing about whose address it is: only that it cannot be used here.
                form.add_error("email", ADDRESS_NOT_USABLE)
            else:
                add_service_errors(form, error)
        else:
            if not changed:  # a change of case only is no change: the links stay
                messages.success(request, _("Your email address is saved."))
                return redirect("trainings:personal", token=token)
            enrolment.refresh_from_db(fields=["token"])
            messages.success(
                request,
                _(
                    "Your email address is changed. We sent your new personal link there: the links in "
                    "earlier mails no longer work. Your previous address got a notice."
                ),
            )
            return redirect("trainings:personal", token=enrolment.token)
    return render(
        request, "trainings/personal_email.html", {"enrolment": enrolment, "training": enrolment.training, "form": form}
    )
