from django.views.generic import DetailView, ListView
from rules.contrib.views import PermissionRequiredMixin

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
