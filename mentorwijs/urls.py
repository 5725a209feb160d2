import os

from allauth.account import views as account_views
from allauth.account.decorators import reauthentication_required, secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from dissemination.signals import webhook_urls
from dissemination.urls import event_urlpatterns, material_urlpatterns, newsletter_urlpatterns
from mentorwijs.accounts.views import switch_language
from mentorwijs.health import healthz

# The admin login goes through allauth: the same rate limits and two-factor rules.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", include("mentorwijs.overview.urls")),
    path("instellingen/termijnen/", include("mentorwijs.policy.urls")),
    # A new password only after logging in again (password or second factor), as allauth already asks
    # for the email address (ACCOUNT_REAUTHENTICATION_REQUIRED); allauth's own view and name.
    path(
        "accounts/password/change/",
        reauthentication_required(account_views.password_change, app="allauth.account"),
        name="account_change_password",
    ),
    path("accounts/", include("allauth.urls")),
    path("team/", include("mentorwijs.accounts.urls")),
    path("beheer/mail/", include("mentorwijs.outbox.urls")),
    path("beheer/", admin.site.urls),
    path("relaties/", include("dissemination.urls")),
    path("materialen/", include(material_urlpatterns)),
    path("nieuwsbrief/", include(newsletter_urlpatterns)),
    path("evenement/", include(event_urlpatterns)),
    # The provider webhooks: anymail marks its views login_not_required (and csrf_exempt) itself and
    # checks ANYMAIL["WEBHOOK_SECRET"] as basic auth; without a secret they answer 404
    # (dissemination.signals.webhook_urls; tests/dissemination/test_bounces.py holds all three).
    path("anymail/", include(webhook_urls())),
    path("trainingen/", include("trainings.urls")),
    path("ambassadeurs/", include("ambassadors.urls")),
    path("privacy/", include("mentorwijs.privacy.urls")),
    path("taal/", switch_language, name="switch_language"),
    path("healthz", healthz, name="healthz"),
]

# bench/pages only: a constant-string view to compare the pages with (mentorwijs/bench.py).
if os.environ.get("BENCH_BARE_VIEW", "").lower() == "true":
    from mentorwijs import bench

    urlpatterns += [path("bench/bare/", bench.bare, name="bench_bare")]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
