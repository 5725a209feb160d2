"""Mentorwijs settings: one file, driven by environment variables.

Without any environment the app runs embedded: SQLite, kombu's filesystem broker and mail caught
in the database (readable by staff at /beheer/mail/). DATABASE_URL=postgres://… and
CELERY_BROKER_URL=redis://… switch to real servers with no code change. See README.md for the
full table of variables.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")  # optional; real deployments set the environment

# Local state of the embedded default (SQLite file, broker folder, uploads).
VAR_DIR = Path(env("MENTORWIJS_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("DEBUG", default=False)
LOCAL_SECRET_KEY = "django-insecure-local-only-never-use-in-production"
SECRET_KEY = env("SECRET_KEY", default=LOCAL_SECRET_KEY)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
# The default key only suits local use: refuse to serve any other host with it.
if SECRET_KEY == LOCAL_SECRET_KEY and set(ALLOWED_HOSTS) - {"localhost", "127.0.0.1", "[::1]"}:
    raise ImproperlyConfigured("Set SECRET_KEY: the default key is for local use only.")
# How many reverse proxies of ours stand in front of the app, each appending to X-Forwarded-For:
# 0 when clients connect directly. The client address of every rate limit follows from it
# (mentorwijs/ratelimit.py). No default in production: with DEBUG off the app refuses to start
# without it (system check mentorwijs.E003).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=None)
# allauth reads the client address through the account adapter (mentorwijs.ratelimit.client_address);
# its own setting says the same for any allauth code that reads the header itself.
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT or 0
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "mentorwijs.apps.AdminConfig",  # Django's admin on the project's site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "import_export",
    "django_celery_beat",
    "anymail",
    "rules.apps.AutodiscoverRulesConfig",
    "csp",
    "auditlog",
    "mentorwijs.accounts",
    "mentorwijs.outbox",
    "mentorwijs.policy",
    "dissemination",
    "trainings",
    "ambassadors",
    "mentorwijs.overview",
    "mentorwijs.privacy",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "mentorwijs.accounts.middleware.SessionPolicyMiddleware",
    "mentorwijs.privacy.middleware.AuditlogMiddleware",
    "mentorwijs.accounts.middleware.LanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "mentorwijs.accounts.middleware.RequireTwoFactorMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
]

ROOT_URLCONF = "mentorwijs.urls"
WSGI_APPLICATION = "mentorwijs.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "mentorwijs.overview.context_processors.navigation",
            ],
        },
    },
    {
        # Plain-text mail (subjects and text parts): no HTML escaping, so "Ans & Co" stays as typed.
        "NAME": "text",
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"autoescape": False},
    },
]

# Database: SQLite file by default; DATABASE_URL=postgres://user@host:5432/name for PostgreSQL.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'mentorwijs.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and immediate transactions let the web server, worker and beat share one file.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # No JIT: compiling the dashboard's grouped subqueries cost 0.3-5 s per request (bench/pages, issue 7).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
    # Every select of a model's rows (ModelChoiceField) iterates its queryset with iterator(), which on
    # PostgreSQL opens a server-side cursor: four round trips instead of one. The few large
    # iterations (export, retention, a campaign's recipients) hold ids or plain rows, small enough.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://mentorwijs")}
# Sessions are read from the cache (written through to the database, which stays the record): one
# query less on every logged-in request.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "mentorwijs.accounts.backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "overview:home"

# django-allauth: email login, mandatory verification, no open sign-up (see accounts.adapter).
ACCOUNT_ADAPTER = "mentorwijs.accounts.adapter.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Mentorwijs] "
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
# Failed logins: at most 5 per 5 minutes per account and 20 per minute per address.
ACCOUNT_RATE_LIMITS = {
    "login_failed": env("LOGIN_RATE_LIMIT", default="20/m/ip,5/300s/key"),
    "reset_password": "20/m/ip,5/m/key",
}
# Security changes (adding or changing the email address, the password, two-factor) ask to log in
# again first: with the password or the second factor, not with a code mailed to the address that
# may be the one being replaced. The old address is told of a change (ACCOUNT_EMAIL_NOTIFICATIONS),
# and a new address replaces the old one only once it is verified (ACCOUNT_CHANGE_EMAIL).
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_REAUTHENTICATION_METHODS = ("password", "mfa")
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_CHANGE_EMAIL = True
# Two-factor for every role (accounts.roles.TWO_FACTOR_ROLES): a passkey (WebAuthn; on a phone the
# easy way, and it signs in on its own), an authenticator app (TOTP), and recovery codes.
MFA_SUPPORTED_TYPES = ["webauthn", "totp", "recovery_codes"]
MFA_PASSKEY_LOGIN_ENABLED = True
# allauth refuses a new (still unverified) address on an account with two-factor, against someone who
# signs up and locks another's address behind their own second factor. Here nobody signs up (people
# join by invitation, which checks the accounts' addresses), and a new address replaces the old one
# only once verified; without this nobody (every role has two-factor) could change their address.
MFA_ALLOW_UNVERIFIED_EMAIL = True
# Passkeys need HTTPS; plain http is accepted only for local use (make run on http://localhost:8000).
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG
MFA_TOTP_ISSUER = "Mentorwijs"
MFA_TOTP_TOLERANCE = 1  # accept the previous and next 30-second code: phones drift and people type slowly
INVITATION_VALID_DAYS = 7

# Trainings: the meetings a new run gets, and the most a completion rule (trainings.CompletionRule,
# set by staff on a page) may ask for.
TRAINING_DEFAULT_MEETINGS = 5
# Certifications of trainers: when the holder is warned before it expires (months), and the largest
# evidence file accepted. How long an approval lasts, how long a freed place is offered, the
# soft-bounce limit and the retention periods are data that staff change on a page (mentorwijs.policy).
CERTIFICATION_WARNING_MONTHS = (6, 1)
EVIDENCE_MAX_BYTES = env.int("EVIDENCE_MAX_BYTES", default=10 * 1024 * 1024)
# Newsletters: the version of the consent text shown on the sign-up form (recorded with every
# consent), how long a confirmation link works and the batch size of a send.
CONSENT_WORDING_VERSION = env("CONSENT_WORDING_VERSION", default="2026-1")
SUBSCRIPTION_CONFIRM_DAYS = 7
NEWSLETTER_BATCH_SIZE = env.int("NEWSLETTER_BATCH_SIZE", default=500)
# Seconds a newsletter row may stay SENDING before it counts as left by a dead worker and is handed
# back (also the sender lease). Keep the default in production (a live batch may take up to ~300 s);
# bench/newsletter --kill lowers it to keep the run short.
NEWSLETTER_STALE_SECONDS = env.int("NEWSLETTER_STALE_SECONDS", default=600)
# The address in List-Unsubscribe's mailto and where bounces arrive; a mailbox the bounce command reads
# (imaps://user:password@host/INBOX, or maildir:///path for tests and local use).
UNSUBSCRIBE_MAILTO = env("UNSUBSCRIBE_MAILTO", default="unsubscribe@mentorwijs.local")
BOUNCE_MAILBOX_URL = env("BOUNCE_MAILBOX_URL", default="")
# django-anymail: the provider's tracking webhook posts to /anymail/<esp>/tracking/ with this secret
# (as basic auth "user:password"); while it is empty the webhook URLs answer 404.
ANYMAIL = {"WEBHOOK_SECRET": env("ANYMAIL_WEBHOOK_SECRET", default="")}
MATERIAL_MAX_BYTES = env.int("MATERIAL_MAX_BYTES", default=50 * 1024 * 1024)
MEETING_REMINDER_DAYS_BEFORE = 2
# Event guests who said yes, or have not answered, get a reminder this many days before the event.
EVENT_REMINDER_DAYS_BEFORE = 3
# Keys the pseudonyms of the research export; set it once and keep it, or pseudonyms change. Never
# SECRET_KEY, so that rotating that key keeps them. The default is for local use and tests only: with
# DEBUG off the app refuses to start with it (system check mentorwijs.E002, mentorwijs/checks.py).
LOCAL_PSEUDONYM_KEY = "local-only-pseudonym-key-never-use-in-production"
EVALUATION_PSEUDONYM_KEY = env("EVALUATION_PSEUDONYM_KEY", default=LOCAL_PSEUDONYM_KEY)
# Public enrolments per client address per hour (each one mails the address typed in).
PUBLIC_ENROLMENTS_PER_HOUR = env.int("PUBLIC_ENROLMENTS_PER_HOUR", default=20)
# Public organisation searches per client address per hour (the enrolment form asks as you type).
PUBLIC_SEARCHES_PER_HOUR = env.int("PUBLIC_SEARCHES_PER_HOUR", default=300)
# Address changes on a personal page per client address per hour (each one mails two addresses).
PERSONAL_EMAIL_CHANGES_PER_HOUR = env.int("PERSONAL_EMAIL_CHANGES_PER_HOUR", default=10)
# Searches by name on a meeting's catch-up page per user per hour (a trainer types a full name).
CATCH_UP_SEARCHES_PER_HOUR = env.int("CATCH_UP_SEARCHES_PER_HOUR", default=30)
# Stored with each enrolment's consent; raise it when the privacy statement changes.
PRIVACY_STATEMENT_VERSION = "2026-11"

# Interface: Dutch first, English available.
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
# The named date formats per language (mentorwijs/formats): Dutch month names in lower case.
FORMAT_MODULE_PATH = ["mentorwijs.formats"]
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

FORM_RENDERER = "mentorwijs.forms.FormRenderer"
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "mentorwijs" / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Deployments run collectstatic and set STATIC_MANIFEST=true for hashed, compressed file names;
# local runs and tests serve the source files straight from the apps.
STATIC_MANIFEST = env.bool("STATIC_MANIFEST", default=False)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Files people upload about themselves (certification evidence): no URL, served by a view
    # that checks permission.
    "private": {
        "BACKEND": "ambassadors.storage.PrivateFileSystemStorage",
        "OPTIONS": {"location": env("PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "private"))},
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST

# Mail: caught in the database by default, readable by staff; set EMAIL_URL=smtp://… for real.
if env("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "mentorwijs.outbox.backends.OutboxBackend"
# Seconds an SMTP connect or reply may take. Well under trainings' STALE_AFTER: a hung send must fail
# before its row is handed out again, or the same mail would leave twice.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Mentorwijs <noreply@mentorwijs.local>")
SERVER_EMAIL = env("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)

# --- Error reporting (issue 15): docs/operations.md, "Error reporting" ---
# Who gets the error mail (an unhandled error on a page, a failed task), as "Name <a@b.nl>, c@d.nl".
# Email addresses inside the mail are replaced (mentorwijs/error_reporting.py).
from mentorwijs.error_reporting import init_sentry, parse_admins  # noqa: E402

ADMINS = parse_admins(env("ADMINS", default=""))
# Sentry (optional): only with SENTRY_DSN; no personal data, every email address scrubbed.
SENTRY_DSN = env("SENTRY_DSN", default="")
if SENTRY_DSN:
    init_sentry(
        dsn=SENTRY_DSN,
        environment=env("SENTRY_ENVIRONMENT", default="production"),
        release=env("SENTRY_RELEASE", default=""),
    )
# --- end Error reporting ---

# Celery: kombu's filesystem transport needs no server; CELERY_BROKER_URL=redis://… for Redis.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL == "filesystem://":
    _broker_dir = VAR_DIR / "broker"
    _broker_dir.mkdir(parents=True, exist_ok=True)
    # The filesystem transport reads and writes one folder; "in" and "out" must be the same.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "control_folder": str(_broker_dir / "control"),
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    # Picks up invitations whose mail could not be queued (broker down at the moment of saving).
    "send-unsent-invitations": {"task": "accounts.send_unsent_invitations", "schedule": 300},
    # Reminders, offers and other service mail are rows; this sends what is due.
    "trainings-send-due-messages": {"task": "trainings.send_due_messages", "schedule": 60},
    "trainings-lapse-offers": {"task": "trainings.lapse_offers", "schedule": 300},
    "trainings-advance-statuses": {"task": "trainings.advance_statuses", "schedule": 3600},
    # Each ambassador's open follow-ups of the coming week, once a week (idempotent per ISO week).
    "dissemination-follow-up-digests": {
        "task": "dissemination.send_follow_up_digests",
        "schedule": crontab(minute=0, hour=7, day_of_week="mon"),
    },
    # Newsletters: start due campaigns and queue batch senders for those with rows to send.
    "dissemination-start-due-newsletters": {"task": "dissemination.start_due_newsletters", "schedule": 60},
    # Newsletter confirmations whose task was lost (broker down): the request is kept on the row.
    "dissemination-send-pending-confirmations": {
        "task": "dissemination.send_pending_confirmations",
        "schedule": 300,
    },
    # Event invitations and reminders are rows of the outbox; reminders are stored once per guest.
    "dissemination-send-due-event-mails": {"task": "dissemination.send_due_event_mails", "schedule": 60},
    "dissemination-schedule-event-reminders": {
        "task": "dissemination.schedule_event_reminders",
        "schedule": crontab(minute=15),
    },
    # Certification mails (review steps, expiry warnings) are rows too.
    "ambassadors-send-due-notices": {"task": "ambassadors.send_due_notices", "schedule": 60},
    # Privacy: apply the retention periods below (idempotent).
    "privacy-apply-retention": {"task": "privacy.apply_retention", "schedule": crontab(minute=30, hour=2)},
    # Certifications lapse on their valid_until day (idempotent).
    "ambassadors-expire-certifications": {
        "task": "ambassadors.expire_certifications",
        "schedule": crontab(minute=5, hour=0),
    },
}
# The bounce mailbox, read every 5 minutes only when one is configured. The task also returns at once
# without one: the database scheduler keeps an entry stored before BOUNCE_MAILBOX_URL was emptied.
if BOUNCE_MAILBOX_URL:
    CELERY_BEAT_SCHEDULE["dissemination-read-bounce-mailbox"] = {
        "task": "dissemination.read_bounce_mailbox",
        "schedule": 300,
    }
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False  # keep the JSON logging below

# Security headers; HTTPS settings follow SECURE_COOKIES for deployments behind TLS.
SECURE_COOKIES = env.bool("SECURE_COOKIES", default=False)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SECURE_COOKIES else None
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
# Only switch these on when every subdomain serves HTTPS (preload: once submitted, hard to undo).
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# --- Security (issue 7) ---
# Content-Security-Policy (django-csp): only this origin's scripts, styles, images and fonts; no inline code.
from csp.constants import NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}
# Sessions end after an idle time (no request) and at the latest an absolute time after login, per
# role; a user with several roles gets the shortest of each (mentorwijs.accounts.middleware).
# docs/security.md says why: desk work with everyone's data ends soon, a phone in the field lasts a day.
SESSION_IDLE_SECONDS = {
    "staff": env.int("STAFF_SESSION_IDLE_SECONDS", default=30 * 60),
    "master_trainer": env.int("MASTER_TRAINER_SESSION_IDLE_SECONDS", default=30 * 60),
    "trainer": env.int("TRAINER_SESSION_IDLE_SECONDS", default=4 * 3600),
    "ambassador": env.int("AMBASSADOR_SESSION_IDLE_SECONDS", default=2 * 3600),
}
SESSION_MAX_SECONDS = {
    "staff": env.int("STAFF_SESSION_MAX_SECONDS", default=10 * 3600),
    "master_trainer": env.int("MASTER_TRAINER_SESSION_MAX_SECONDS", default=10 * 3600),
    "trainer": env.int("TRAINER_SESSION_MAX_SECONDS", default=14 * 3600),
    "ambassador": env.int("AMBASSADOR_SESSION_MAX_SECONDS", default=14 * 3600),
}
# The session cookie and row last no longer than the longest session may.
SESSION_COOKIE_AGE = max(SESSION_MAX_SECONDS.values())
# --- end Security ---

# --- Privacy (issue 7) ---
# Retention: how long each kind of personal data is kept is data, not settings: staff change the
# periods on the page "Periods and limits" (mentorwijs.policy); privacy.apply_retention applies them
# nightly and /privacy/bewaartermijnen/ states them.
# --- end Privacy ---

# Structured logging: one JSON object per line on stdout.
LOG_LEVEL = env("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "filters": {"require_debug_false": {"()": "django.utils.log.RequireDebugFalse"}},
    "handlers": {
        "stdout": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "json"},
        # Django's error mail to ADMINS, with email addresses replaced (mentorwijs/error_reporting.py).
        "mail_admins": {
            "level": "ERROR",
            "filters": ["require_debug_false"],
            "class": "mentorwijs.error_reporting.AdminEmailHandler",
        },
    },
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    "loggers": {
        # Replaces Django's default "django" logger, whose mail_admins handler would mail unscrubbed.
        "django": {"handlers": ["mail_admins"], "level": "INFO"},
        # A task that failed for good (after its retries).
        "celery.app.trace": {"handlers": ["mail_admins"], "level": "INFO"},
        "django.db.backends": {"level": "INFO"},
        "django.utils.autoreload": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},  # it logs every step of every PDF at INFO
        "fontTools": {"level": "WARNING"},
    },
}
