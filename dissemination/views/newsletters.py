"""Staff pages for newsletter campaigns (dissemination.manage_newsletters), under /relaties/nieuwsbrieven/.

Compose, test send, schedule, cancel, and progress (newsletter_progress answers JSON that
mentorwijs/static/js/newsletter-progress.js polls; the numbers are in the HTML too).

The previews are pages of their own in a sandboxed iframe, with the mail policy
(mentorwijs.mail.MAIL_HTML_POLICY): a srcdoc document would inherit the page's policy, which refuses
the mail's inline styles. The detail page frames newsletter_html (the saved newsletter); on the compose
page the "Preview" button posts the form to newsletter_preview into the iframe (formaction,
formtarget), and mentorwijs/static/js/newsletter-preview.js does the same while the writer types.

The mailing lists too: create, describe, public or internal, archive and restore
(services/mailing_lists.py).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from rules.contrib.views import permission_required

from mentorwijs.forms import add_service_errors
from mentorwijs.http import filter_page
from mentorwijs.mail import mail_html_response

from .. import newsletter_mail
from ..enums import NewsletterStatus, TargetGroup
from ..filters import NewsletterFilter
from ..forms.newsletters import MailingListForm, NewsletterForm, PreviewForm, ScheduleForm
from ..models import MailingList, Newsletter
from ..queries.newsletters import mailing_list_list, newsletter_for_page, newsletter_list, newsletter_progress
from ..services.mailing_lists import mailing_list_archive, mailing_list_restore, mailing_list_save
from ..services.newsletters import (
    audience,
    newsletter_cancel,
    newsletter_save,
    newsletter_schedule,
    newsletter_test_send,
)

PERMISSION = "dissemination.manage_newsletters"
NEWSLETTER_LIST_PAGE_SIZE = 25


def _newsletter(pk) -> Newsletter:
    newsletter = newsletter_for_page(pk)
    if newsletter is None:
        raise Http404
    return newsletter


def _preview_html(subject: str, body: str, *, language: str, name: str) -> str:
    """The mail as a subscriber called `name` (the writer's own first name) gets it, greeting and
    sign-off included."""
    rendered = newsletter_mail.render_campaign(subject=subject, body=body, language=language)
    message = newsletter_mail.build_test_message(rendered=rendered, to="preview@mentorwijs.nl", name=name)
    return message.alternatives[0][0]


@permission_required(PERMISSION, raise_exception=True)
@require_GET
def newsletter_list_view(request):
    """The newsletters, newest first or sorted by a column, 25 a page."""
    newsletters = NewsletterFilter(request.GET or None, queryset=newsletter_list(), request=request)
    # The page counts its rows in its own query: the list kept its three queries when it was paged.
    context = filter_page(request, newsletters, NEWSLETTER_LIST_PAGE_SIZE, name="newsletters", count_in_page=True)
    return render(request, "dissemination/newsletters/newsletter_list.html", context)


def _compose(request, newsletter: Newsletter):
    form = NewsletterForm(request.POST or None, newsletter=newsletter)
    if request.method == "POST" and form.is_valid():
        try:
            newsletter = newsletter_save(newsletter=newsletter, data=form.service_data(), created_by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Newsletter saved."))
            return redirect("dissemination:newsletter_detail", pk=newsletter.pk)
    context = {
        "form": form,
        "newsletter": newsletter,
        "fixed": newsletter_mail.fixed_parts("nl"),
        "fixed_en": newsletter_mail.fixed_parts("en"),
    }
    return render(request, "dissemination/newsletters/newsletter_form.html", context)


@permission_required(PERMISSION, raise_exception=True)
@require_http_methods(["GET", "POST"])
def newsletter_create_view(request):
    return _compose(request, Newsletter())


@permission_required(PERMISSION, raise_exception=True)
@require_http_methods(["GET", "POST"])
def newsletter_update_view(request, pk):
    newsletter = _newsletter(pk)
    if newsletter.status != NewsletterStatus.DRAFT:
        messages.error(request, _("Only a draft can be changed."))
        return redirect("dissemination:newsletter_detail", pk=newsletter.pk)
    return _compose(request, newsletter)


@permission_required(PERMISSION, raise_exception=True)
@require_POST
def newsletter_preview_view(request):
    """The mail the posted subject and body make (the English ones when preview_language is "en" and
    there is an English text), as a page for the compose page's iframe."""
    form = PreviewForm(request.POST)
    form.is_valid()
    subject, body, language = form.version()
    return mail_html_response(_preview_html(subject, body, language=language, name=request.user.first_name))


@permission_required(PERMISSION, raise_exception=True)
@require_GET
def newsletter_html_view(request, pk):
    """The saved newsletter as its recipients get it, as a page for the iframe of the detail and edit
    pages; ?taal=en: the English version (404 when it has none)."""
    newsletter = _newsletter(pk)
    if request.GET.get("taal") == "en":
        if not newsletter.has_english:
            raise Http404
        subject, body, language = newsletter.subject_en, newsletter.body_en, "en"
    else:
        subject, body, language = newsletter.subject, newsletter.body, "nl"
    return mail_html_response(_preview_html(subject, body, language=language, name=request.user.first_name))


def _detail(request, newsletter: Newsletter, schedule_form=None, status=200):
    progress = newsletter_progress(newsletter.pk)
    if newsletter.status in (NewsletterStatus.DRAFT, NewsletterStatus.SCHEDULED):
        audience_size = audience(newsletter).count()
    else:
        audience_size = progress["total"]
    labels = dict(TargetGroup.choices)
    context = {
        "newsletter": newsletter,
        "progress": progress,
        "audience_size": audience_size,
        "target_group_labels": [labels.get(value, value) for value in newsletter.target_groups],
        "schedule_form": schedule_form or ScheduleForm(),
        "live": newsletter.status in (NewsletterStatus.SCHEDULED, NewsletterStatus.SENDING),
    }
    return render(request, "dissemination/newsletters/newsletter_detail.html", context, status=status)


@permission_required(PERMISSION, raise_exception=True)
@require_GET
def newsletter_detail_view(request, pk):
    return _detail(request, _newsletter(pk))


@permission_required(PERMISSION, raise_exception=True)
@require_POST
def newsletter_test_send_view(request, pk):
    newsletter = _newsletter(pk)
    newsletter_test_send(newsletter=newsletter, user=request.user)
    messages.success(request, _("A test is on its way to %(email)s.") % {"email": request.user.email})
    return redirect("dissemination:newsletter_detail", pk=newsletter.pk)


@permission_required(PERMISSION, raise_exception=True)
@require_POST
def newsletter_schedule_view(request, pk):
    newsletter = _newsletter(pk)
    form = ScheduleForm(request.POST)
    if form.is_valid():
        try:
            newsletter_schedule(newsletter=newsletter, at=form.service_at())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The newsletter is scheduled."))
            return redirect("dissemination:newsletter_detail", pk=newsletter.pk)
    return _detail(request, newsletter, schedule_form=form, status=400)


@permission_required(PERMISSION, raise_exception=True)
@require_POST
def newsletter_cancel_view(request, pk):
    newsletter = _newsletter(pk)
    try:
        newsletter_cancel(newsletter=newsletter)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The newsletter is cancelled."))
    return redirect("dissemination:newsletter_detail", pk=newsletter.pk)


@permission_required(PERMISSION, raise_exception=True)
@require_GET
def newsletter_progress_view(request, pk):
    status = Newsletter.objects.filter(pk=pk).values_list("status", flat=True).first()
    if status is None:
        raise Http404
    return JsonResponse({"status": status, **newsletter_progress(pk)})


# Mailing lists ------------------------------------------------------------------------------------


@permission_required(PERMISSION, raise_exception=True)
@require_GET
def mailing_list_list_view(request):
    return render(request, "dissemination/newsletters/mailing_list_list.html", {"lists": mailing_list_list()})


def _list_form(request, mailing_list: MailingList):
    form = MailingListForm(request.POST or None, mailing_list=mailing_list)
    if request.method == "POST" and form.is_valid():
        created = mailing_list.pk is None
        try:
            mailing_list = mailing_list_save(mailing_list=mailing_list, data=form.service_data())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            message = _("List %(name)s added.") if created else _("List %(name)s saved.")
            messages.success(request, message % {"name": mailing_list.name})
            return redirect("dissemination:mailing_list_list")
    return render(
        request,
        "dissemination/newsletters/mailing_list_form.html",
        {"form": form, "mailing_list": mailing_list},
        status=400 if form.errors else 200,
    )


@permission_required(PERMISSION, raise_exception=True)
@require_http_methods(["GET", "POST"])
def mailing_list_create_view(request):
    return _list_form(request, MailingList())


@permission_required(PERMISSION, raise_exception=True)
@require_http_methods(["GET", "POST"])
def mailing_list_update_view(request, pk):
    return _list_form(request, get_object_or_404(MailingList, pk=pk))


@permission_required(PERMISSION, raise_exception=True)
@require_POST
def mailing_list_archive_view(request, pk):
    mailing_list = mailing_list_archive(mailing_list=get_object_or_404(MailingList, pk=pk))
    messages.success(request, _("List %(name)s is archived; its subscribers are kept.") % {"name": mailing_list.name})
    return redirect("dissemination:mailing_list_list")


@permission_required(PERMISSION, raise_exception=True)
@require_POST
def mailing_list_restore_view(request, pk):
    mailing_list = mailing_list_restore(mailing_list=get_object_or_404(MailingList, pk=pk))
    messages.success(request, _("List %(name)s is restored.") % {"name": mailing_list.name})
    return redirect("dissemination:mailing_list_list")
