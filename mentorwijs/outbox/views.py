from django.http import Http404
from django.views.generic import DetailView, ListView
from rules.contrib.views import PermissionRequiredMixin

from mentorwijs.mail import mail_html_response

from .models import CaughtMail


class CaughtMailListView(PermissionRequiredMixin, ListView):
    permission_required = "outbox.read_caught_mail"
    template_name = "outbox/caughtmail_list.html"
    queryset = CaughtMail.objects.defer("raw")
    paginate_by = 50


class CaughtMailDetailView(PermissionRequiredMixin, DetailView):
    permission_required = "outbox.read_caught_mail"
    template_name = "outbox/caughtmail_detail.html"
    model = CaughtMail


class CaughtMailHtmlView(PermissionRequiredMixin, DetailView):
    """The mail's HTML part on its own (mentorwijs.mail.MAIL_HTML_POLICY), for the sandboxed iframe
    of the detail page."""

    permission_required = "outbox.read_caught_mail"
    model = CaughtMail

    def render_to_response(self, context, **response_kwargs):
        html = self.object.html_body()
        if not html:
            raise Http404
        return mail_html_response(html)
