"""A bare view for bench/pages: the same server and middleware, no database work in the view.

Included by mentorwijs/urls.py only when the environment sets BENCH_BARE_VIEW=true (never in
production): bench/pages compares every page's requests per second with this one's."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse


@login_not_required
def bare(request):
    return HttpResponse("ok", content_type="text/plain")
