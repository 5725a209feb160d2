"""Every URL pattern × every user answers as tests/security/matrix.py says (issues 7 and 14).

One data set (objects of ambassador A and B, a trainer's run and certification, another trainer's,
tokens for the public links) and one logged-in client per user (the six roles and the four users at
the edges); each request runs in a savepoint that is rolled back, so a POST by one changes nothing
for the next. Every view that accepts POST has a POST row. What the pages contain per user is
checked by test_permission_contents.py.
"""

import inspect
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db import transaction
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from ambassadors.models import Certification, CertificationEvidence, RefresherMeeting, RenewalRule
from ambassadors.storage import PrivateFileSystemStorage
from dissemination import tokens as newsletter_tokens
from dissemination.models import Event, EventGuest, Material
from mentorwijs.accounts.tokens import invitation_token
from mentorwijs.outbox.models import CaughtMail
from tests.factories import (
    AmbassadorFactory,
    AssignmentFactory,
    CertificationFactory,
    EnrolmentFactory,
    GoalFactory,
    InvitationFactory,
    LocationFactory,
    MailingListFactory,
    MaterialFactory,
    NewsletterFactory,
    OrganisationFactory,
    OutreachContactFactory,
    PersonFactory,
    SubscriberFactory,
    TrainingFactory,
    UserFactory,
)
from trainings.calendar import participant_feed_token, trainer_feed_token
from trainings.models import Certificate, ScheduledMessage

from .matrix import ANYMAIL_WEBHOOK, EDGE_USERS, EXCLUDED, ROLES, ROWS, USERS, Row, post

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@dataclass(frozen=True)
class Pattern:
    route: str
    name: str | None
    origin: str  # "admin", "allauth" or "" (ours)
    callback: object = None


def url_patterns(patterns=None, prefix="", namespace="", origin=""):
    """Every URL pattern of the project, with its full route, namespaced name, origin and view."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            module = getattr(entry.urlconf_module, "__name__", "")
            inner_origin = origin or (
                "admin" if entry.namespace == "admin" else "allauth" if module.startswith("allauth.") else ""
            )
            inner_namespace = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from url_patterns(entry.url_patterns, prefix + str(entry.pattern), inner_namespace, inner_origin)
        else:
            name = f"{namespace}{entry.name}" if entry.name else None
            yield Pattern(route=prefix + str(entry.pattern), name=name, origin=origin, callback=entry.callback)


HTTP_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"}
# The code of Django's require_http_methods (and so of require_GET, require_POST, require_safe):
# its inner function keeps the allowed methods in a closure cell.
REQUIRE_HTTP_METHODS_CODE = require_http_methods(["GET"])(lambda request: None).__code__


def _allowed_by_decorators(function) -> set[str] | None:
    """The methods that Django's require_http_methods decorators around `function` let through (the
    intersection, as they nest), or None when none wraps it."""
    allowed = None
    while function is not None:
        if getattr(function, "__code__", None) is REQUIRE_HTTP_METHODS_CODE:
            cells = inspect.getclosurevars(function).nonlocals
            methods = {method for method in cells["request_method_list"] if method in HTTP_METHODS}
            allowed = methods if allowed is None else allowed & methods
        function = getattr(function, "__wrapped__", None)
    return allowed


def accepts_post(view) -> bool:
    """Whether a view answers a POST with anything but 405: a class-based view with a `post`
    method (and no decorator on dispatch that refuses it), a function view unless a
    require_http_methods decorator leaves POST out."""
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        if "post" not in view_class.http_method_names or not hasattr(view_class, "post"):
            return False
        allowed = _allowed_by_decorators(view_class.dispatch)
    else:
        allowed = _allowed_by_decorators(view)
    return allowed is None or "POST" in allowed


def walked_patterns() -> list[Pattern]:
    return [pattern for pattern in url_patterns() if pattern.origin not in EXCLUDED]


def all_rows() -> list[Row]:
    """The table plus one generated row per anymail webhook (all alike; see ANYMAIL_WEBHOOK)."""
    webhooks = sorted({p.name for p in walked_patterns() if p.name and p.name.startswith("anymail:")})
    return [*ROWS, *(post(name, ANYMAIL_WEBHOOK) for name in webhooks)]


# --- the table covers every pattern, and only real ones ---


def test_every_url_pattern_has_a_row():
    covered = {row.name for row in all_rows()}
    missing = sorted(f"{p.name or '(unnamed)'} at /{p.route}" for p in walked_patterns() if p.name not in covered)
    assert not missing, "URL patterns without a row in tests/security/matrix.py:\n" + "\n".join(missing)


def test_every_row_names_an_existing_pattern_and_an_answer_per_role():
    names = {p.name for p in url_patterns()}
    stale = sorted({row.label for row in all_rows() if row.name not in names})
    assert not stale, "rows for URL patterns that no longer exist: " + ", ".join(stale)
    for row in all_rows():
        row.expected()  # raises on a wrong number of answers
    labels = [row.label for row in all_rows()]
    assert len(labels) == len(set(labels)), "two rows with one name need a different case"


def test_every_view_that_accepts_post_has_a_post_row():
    """A form, a button or an API that takes a POST has its own row: who may send it is decided
    apart from who may read the page."""
    posted = {row.name for row in all_rows() if row.method == "post"}
    missing = sorted(
        f"{p.name} at /{p.route}" for p in walked_patterns() if accepts_post(p.callback) and p.name not in posted
    )
    assert not missing, "Views that accept POST without a POST row in tests/security/matrix.py:\n" + "\n".join(missing)


def test_post_rows_are_for_views_that_accept_post():
    views = {p.name: p.callback for p in walked_patterns()}
    refusing = sorted({row.label for row in all_rows() if row.method == "post" and not accepts_post(views[row.name])})
    assert not refusing, "POST rows for views that refuse POST (405): " + ", ".join(refusing)


def test_accepts_post_reads_the_views_decorators_and_methods():
    from django.views.generic import DetailView, FormView

    from dissemination.views import relations as views_relations
    from dissemination.views import relations_directory as views
    from trainings.views import public, scheduling

    assert accepts_post(views_relations.person_update)  # require_http_methods(["GET", "POST"])
    assert not accepts_post(views.organisation_search)  # require_GET
    assert accepts_post(public.personal_offer_accept)  # require_POST
    assert accepts_post(scheduling.public_feed)  # no decorator: every method
    assert accepts_post(FormView.as_view())  # a FormView
    assert not accepts_post(DetailView.as_view())  # a DetailView


def test_exclusions_hold_only_admin_and_allauth():
    """Only the admin's and allauth's own URL sets are skipped, each under its own prefix."""
    excluded = [p for p in url_patterns() if p.origin in EXCLUDED]
    misplaced = [f"{p.name} at /{p.route}" for p in excluded if not p.route.startswith(EXCLUDED[p.origin])]
    assert not misplaced, "excluded patterns outside their prefix: " + ", ".join(misplaced)
    assert {p.origin for p in excluded} == set(EXCLUDED)
    # Ours under those prefixes (the outbox under /beheer/mail/, the wrapped password change under
    # /accounts/) are walked, not skipped.
    ours_under_prefixes = {p.name for p in walked_patterns() if p.route.startswith(tuple(EXCLUDED.values()))}
    assert ours_under_prefixes == {"outbox:list", "outbox:detail", "outbox:html", "account_change_password"}


# --- the data set ---


@pytest.fixture
def file_storage(monkeypatch, tmp_path):
    """Material files and evidence go to a temporary folder. The certificate PDF and the sign-in
    sheet are stubs here: the matrix checks who gets them, tests/trainings/test_certificates.py and
    test_participant_sheets.py render the real ones (two seconds a request in WeasyPrint)."""
    monkeypatch.setattr("trainings.views.certificates.certificate_pdf", lambda certificate: PDF_BYTES)
    monkeypatch.setattr("trainings.views.participants.sign_in_sheet_pdf", lambda meeting: PDF_BYTES)
    monkeypatch.setattr(Material._meta.get_field("file"), "storage", FileSystemStorage(location=tmp_path / "media"))
    monkeypatch.setattr(
        CertificationEvidence._meta.get_field("file"),
        "storage",
        PrivateFileSystemStorage(location=tmp_path / "private"),
    )


def _evidence(certification: Certification) -> CertificationEvidence:
    evidence = CertificationEvidence(
        certification=certification,
        original_name="bewijs.pdf",
        content_type="application/pdf",
        size=len(PDF_BYTES),
        uploaded_by=certification.holder,
    )
    evidence.file.save("bewijs.pdf", ContentFile(PDF_BYTES), save=True)
    return evidence


def build_data() -> tuple[dict, dict]:
    """(users per role, objects and tokens by the keys the rows use)."""
    users = {
        "ambassador_a": UserFactory(roles=["ambassador"]),
        "ambassador_b": UserFactory(roles=["ambassador"]),
        "trainer": UserFactory(roles=["trainer"]),
        "master_trainer": UserFactory(roles=["master_trainer"], two_factor=True),
        "staff": UserFactory(roles=["staff"], two_factor=True),
        "ambassador_trainer": UserFactory(roles=["ambassador", "trainer"]),
        "deactivated": UserFactory(roles=["staff"], two_factor=True, is_active=False),
        # A trainer and ambassador: every role now waits for its second factor, not only staff
        # (staff without one: tests/accounts/test_two_factor.py, every role in turn).
        "no_two_factor": UserFactory(roles=["ambassador", "trainer"], two_factor=False),
        "superuser": UserFactory(is_superuser=True, two_factor=True),
    }
    for role in ("ambassador_a", "ambassador_b", "ambassador_trainer"):
        AmbassadorFactory(user=users[role])
    other_trainer = UserFactory(roles=["trainer"])
    today = timezone.localdate()

    organisation = OrganisationFactory()
    person = PersonFactory(organisation=organisation)
    event = Event.objects.create(kind="conference", title="Slotconferentie", date=today, follow_up="Nabellen")
    event_guest = EventGuest.objects.create(event=event, person=person)
    mailing_list = MailingListFactory(name="Nieuws")
    subscriber = SubscriberFactory(lists=[mailing_list])
    material = MaterialFactory()
    material.file.save("materiaal.pdf", ContentFile(PDF_BYTES), save=True)

    run = TrainingFactory(meetings=5)
    AssignmentFactory(training=run, trainer=users["trainer"], role="lead")
    AssignmentFactory(training=run, trainer=users["ambassador_trainer"], role="co_trainer")
    other_run = TrainingFactory(meetings=5)
    AssignmentFactory(training=other_run, trainer=other_trainer, role="lead")
    # `person` is A's contact person and a participant at once; `participant` only takes part.
    enrolment = EnrolmentFactory(training=run, person=person)
    completed = EnrolmentFactory(training=run, status="completed")
    certification = CertificationFactory(holder=users["trainer"])
    other_certification = CertificationFactory(holder=other_trainer)
    invitation = InvitationFactory(invited_by=users["staff"])

    data = {
        "invitation": invitation,
        "invitation_token": invitation_token(invitation),
        "forged_token": "not-a-real-token",
        "forged_feed_token": "1:forged",
        "caught_mail": CaughtMail.objects.create(
            from_email="noreply@mentorwijs.nl", recipients="a@example.org", subject="Test", raw=b"Subject: Test\n\nx"
        ),
        "organisation": organisation,
        "person": person,
        "person_b": PersonFactory(organisation=organisation, added_by=users["ambassador_b"]),
        "participant": completed.person,
        "contact_a": OutreachContactFactory(
            logged_by=users["ambassador_a"], organisation=organisation, person=person, follow_up_on=today
        ),
        "contact_b": OutreachContactFactory(logged_by=users["ambassador_b"], organisation=organisation),
        "event": event,
        "event_guest": event_guest,
        "rsvp_token": newsletter_tokens.rsvp_token(event_guest),
        "goal": GoalFactory(),
        "newsletter": NewsletterFactory(created_by=users["staff"], lists=[mailing_list]),
        "subscriber": subscriber,
        "mailing_list": mailing_list,
        "confirm_token": newsletter_tokens.confirm_token(subscriber, list_ids=[mailing_list.pk]),
        "preferences_token": newsletter_tokens.preferences_token(subscriber),
        "unsubscribe_token": newsletter_tokens.unsubscribe_token(subscriber),
        "material": material,
        "run": run,
        "other_run": other_run,
        "meeting": run.meetings.order_by("number").first(),
        "location": run.meetings.order_by("number").first().location,
        "unused_location": LocationFactory(),
        "other_meeting": other_run.meetings.order_by("number").first(),
        "enrolment": enrolment,
        "enrolment_token": enrolment.token,
        "completed_token": completed.token,
        "certificate": Certificate.objects.create(enrolment=completed),
        "trainer_feed_token": trainer_feed_token(users["trainer"]),
        "participant_feed_token": participant_feed_token(enrolment),
        "certification": certification,
        "other_certification": other_certification,
        "requested_certification": CertificationFactory(
            holder=other_trainer, status="requested", valid_from=today + timedelta(days=1)
        ),
        "account": other_trainer,
        "colleague": users["master_trainer"],  # an account only a superuser changes (issue 14)
        "evidence": _evidence(certification),
        "other_evidence": _evidence(other_certification),
        "renewal_rule": RenewalRule.objects.order_by("pk").first(),
        "refresher": RefresherMeeting.objects.create(title="Terugkomdag", held_on=today),
    }
    # Edge part (issue 14): a run that takes enrolments only by link, and an organisation a
    # participant named that awaits staff's match.
    in_company_run = TrainingFactory(meetings=2, variant="in_company")
    data.update(
        {
            "in_company_run": in_company_run,
            "in_company_key": in_company_run.enrolment_link_key,
            "public_run_key": run.enrolment_link_key,
            # A reminder that could not be sent: the page of mail events sends it again.
            "failed_message": ScheduledMessage.objects.create(
                kind="meeting_reminder", status="failed", due_at=timezone.now(), enrolment=enrolment
            ),
            "named_organisation": OrganisationFactory(named_by_participant_at=timezone.now()),
        }
    )
    return users, data


# --- the matrix ---


def _url(row: Row, data: dict) -> str:
    kwargs = {}
    for argument, key in row.kwargs.items():
        value = data[key] if isinstance(key, str) and key in data else key
        kwargs[argument] = getattr(value, "pk", value)
    url = reverse(row.name, kwargs=kwargs)
    return f"{url}?{row.query}" if row.query else url


def _answer(response) -> str:
    """The answer in the matrix's words: "login", "mfa" (the two-factor set-up page), "302" (another
    redirect) or the status code."""
    if response.status_code == 302:
        target = response["Location"].split("?")[0]
        return {reverse("account_login"): "login", reverse("accounts:two_factor_setup"): "mfa"}.get(target, "302")
    answer = str(response.status_code)
    if response.status_code >= 500 and getattr(response, "exc_info", None):
        error = response.exc_info[1]
        first_line = str(error).splitlines()[0] if str(error) else ""
        answer += f" ({type(error).__name__}: {first_line[:200]})"
    return answer


def test_every_user_gets_the_expected_answer_on_every_url(db, settings, file_storage, quiet_request_log):
    settings.ANYMAIL = {**settings.ANYMAIL, "WEBHOOK_SECRET": ""}  # the webhooks' rows: off without a secret
    users, data = build_data()
    clients = {"anonymous": Client(raise_request_exception=False)}
    for role, user in users.items():
        clients[role] = Client(raise_request_exception=False)
        clients[role].force_login(user)

    mismatches = []
    for row in all_rows():
        url = _url(row, data)
        for role, expected in row.expected().items():
            cache.clear()  # rate limits of the public forms
            with transaction.atomic():
                response = getattr(clients[role], row.method)(url, row.data or None)
                transaction.set_rollback(True)
            got = _answer(response)
            if got != expected:
                mismatches.append(f"{row.label} {role}: expected {expected}, got {got} ({row.method.upper()} {url})")
    assert not mismatches, f"{len(mismatches)} answers differ from the matrix:\n" + "\n".join(mismatches)


def test_the_users_are_the_six_roles_of_the_issue_and_the_four_at_the_edges():
    assert ROLES == ("anonymous", "ambassador_a", "ambassador_b", "trainer", "master_trainer", "staff")
    assert EDGE_USERS == ("ambassador_trainer", "deactivated", "no_two_factor", "superuser")
    assert USERS == ROLES + EDGE_USERS
