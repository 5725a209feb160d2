from django.http import Http404, HttpResponse
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.generic import DetailView, ListView
from rules.contrib.views import PermissionRequiredMixin

from .models import CaughtMail

# The HTML part of a mail as its recipient would see it: mail carries inline styles, so this one
# response allows them, and nothing else (no scripts, no forms, no remote images), sandboxed and
# framable only by our own detail page. It replaces the site-wide policy set by CSPMiddleware.
MAIL_HTML_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; font-src 'self'; "
    "form-action 'none'; base-uri 'none'; frame-ancestors 'self'; sandbox"
)


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
    """The mail's HTML part on its own, for the sandboxed iframe of the detail page."""

    permission_required = "outbox.read_caught_mail"
    model = CaughtMail

    @classmethod
    def as_view(cls, **initkwargs):
        return xframe_options_sameorigin(super().as_view(**initkwargs))

    def render_to_response(self, context, **response_kwargs):
        html = self.object.html_body()
        if not html:
            raise Http404
        response = HttpResponse(html, content_type="text/html; charset=utf-8")
        response["Content-Security-Policy"] = MAIL_HTML_POLICY
        response["Cache-Control"] = "private, no-store"
        return response
