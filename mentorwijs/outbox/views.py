from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe
from rules.contrib.views import permission_required

from mentorwijs.http import list_page
from mentorwijs.mail import mail_html_response

from .models import CaughtMail

PERMISSION = "outbox.read_caught_mail"
CAUGHT_MAIL_PAGE_SIZE = 50


def _caught_mail(request, pk) -> CaughtMail:
    """The mail, found before the permission is asked (as a DetailView's permission object): a
    missing one answers 404 to everyone."""
    mail = get_object_or_404(CaughtMail, pk=pk)
    if not request.user.has_perm(PERMISSION, mail):
        raise PermissionDenied
    return mail


@permission_required(PERMISSION, raise_exception=True)
@require_safe
def caught_mail_list_view(request):
    mails = CaughtMail.objects.defer("raw")
    return render(
        request, "outbox/caughtmail_list.html", list_page(request, mails, CAUGHT_MAIL_PAGE_SIZE, name="caughtmail_list")
    )


@require_safe
def caught_mail_detail_view(request, pk):
    mail = _caught_mail(request, pk)
    return render(request, "outbox/caughtmail_detail.html", {"object": mail, "caughtmail": mail})


@require_safe
def caught_mail_html_view(request, pk):
    """The mail's HTML part on its own (mentorwijs.mail.MAIL_HTML_POLICY), for the sandboxed iframe
    of the detail page."""
    html = _caught_mail(request, pk).html_body()
    if not html:
        raise Http404
    return mail_html_response(html)
