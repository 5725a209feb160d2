"""The staff page of mail events (dissemination.read_mail_events), under /relaties/mailmeldingen/:
bounces, complaints and mail that could not be sent, newsletters and service mail of every app
(queries_mail_events says how the apps' rows come together), filtered by kind, newsletter, address
and period. A failed service mail is sent again by a POST, through the service of the app that
owns the row (services/mail_events.py)."""

from datetime import datetime, time, timedelta

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from rules.contrib.views import permission_required

from mentorwijs.http import list_page, safe_next

from ..forms.newsletters_mail_events import MailEventFilterForm, MailEventSort
from ..queries.newsletters_mail_events import mail_event_rows, mail_events
from ..services.mail_events import service_mail_send_again

PERMISSION = "dissemination.read_mail_events"
PAGE_SIZE = 50


def _day_start(day):
    return timezone.make_aware(datetime.combine(day, time.min)) if day else None


@permission_required(PERMISSION, raise_exception=True)
@require_GET
def mail_event_list(request):
    form = MailEventFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    newsletter = filters.get("newsletter")
    until = filters.get("until")
    rows = mail_events(
        kind=filters.get("kind", ""),
        newsletter_id=newsletter.pk if newsletter else None,
        address=filters.get("address", ""),
        since=_day_start(filters.get("since")),
        until=_day_start(until + timedelta(days=1)) if until else None,
    )
    order = MailEventSort(request.GET or None, queryset=rows, request=request)
    rows = order.qs if order.is_valid() else rows
    context = list_page(request, rows, PAGE_SIZE)
    context |= {
        "form": form,
        "filter": order,
        "rows": mail_event_rows(context["object_list"]),
        "newsletter": newsletter,
        "back": request.get_full_path(),
    }
    return render(request, "dissemination/newsletters/mail_event_list.html", context)


@permission_required(PERMISSION, raise_exception=True)
@require_POST
def mail_event_send_again(request, source, pk):
    try:
        queued = service_mail_send_again(source=source, pk=pk)
    except ObjectDoesNotExist as error:
        raise Http404 from error
    if queued:
        messages.success(request, _("The mail is queued again; it goes out within a minute."))
    else:
        messages.info(request, _("This mail is no longer waiting to be sent again: nothing was queued."))
    return redirect(safe_next(request, request.POST.get("next"), reverse("dissemination:mail_event_list")))
