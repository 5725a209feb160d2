"""Every URL pattern × every role answers as tests/security/matrix.py says (issue 7, security).

One data set (objects of ambassador A and B, a trainer's run and certification, another trainer's,
tokens for the public links) and one logged-in client per role; each request runs in a savepoint
that is rolled back, so a POST by one role changes nothing for the next.
"""

import logging
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

from ambassadors.models import Certification, CertificationEvidence
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
from trainings.models import Certificate
from trainings.views.scheduling import participant_feed_token, trainer_feed_token

from .matrix import ANYMAIL_WEBHOOK, EXCLUDED, ROLES, ROWS, Row, post

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@dataclass(frozen=True)
class Pattern:
    route: str
    name: str | None
    origin: str  # "admin", "allauth" or "" (ours)


def url_patterns(patterns=None, prefix="", namespace="", origin=""):
    """Every URL pattern of the project, with its full route, namespaced name and origin."""
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
            yield Pattern(route=prefix + str(entry.pattern), name=name, origin=origin)


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


def test_exclusions_hold_only_admin_and_allauth():
    """Only the admin's and allauth's own URL sets are skipped, each under its own prefix."""
    excluded = [p for p in url_patterns() if p.origin in EXCLUDED]
    misplaced = [f"{p.name} at /{p.route}" for p in excluded if not p.route.startswith(EXCLUDED[p.origin])]
    assert not misplaced, "excluded patterns outside their prefix: " + ", ".join(misplaced)
    assert {p.origin for p in excluded} == set(EXCLUDED)
    # Ours under those prefixes (the outbox under /beheer/mail/) are walked, not skipped.
    ours_under_prefixes = {p.name for p in walked_patterns() if p.route.startswith(tuple(EXCLUDED.values()))}
    assert ours_under_prefixes == {"outbox:list", "outbox:detail", "outbox:html"}


# --- the data set ---


@pytest.fixture
def file_storage(monkeypatch, tmp_path):
    """Material files and evidence go to a temporary folder. The certificate PDF is a stub here:
    the matrix checks who gets it, tests/trainings/test_certificates.py renders the real one (two
    seconds a request in WeasyPrint)."""
    monkeypatch.setattr("trainings.views.certificates.certificate_pdf", lambda certificate: PDF_BYTES)
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
    }
    for role in ("ambassador_a", "ambassador_b"):
        AmbassadorFactory(user=users[role])
    other_trainer = UserFactory(roles=["trainer"])
    today = timezone.localdate()

    organisation = OrganisationFactory()
    person = PersonFactory(organisation=organisation)
    event = Event.objects.create(kind="conference", title="Slotconferentie", date=today, follow_up="Nabellen")
    mailing_list = MailingListFactory(name="Nieuws")
    subscriber = SubscriberFactory(lists=[mailing_list])
    material = MaterialFactory()
    material.file.save("materiaal.pdf", ContentFile(PDF_BYTES), save=True)

    run = TrainingFactory(meetings=5)
    AssignmentFactory(training=run, trainer=users["trainer"], role="lead")
    other_run = TrainingFactory(meetings=5)
    AssignmentFactory(training=other_run, trainer=other_trainer, role="lead")
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
        "contact_a": OutreachContactFactory(
            logged_by=users["ambassador_a"], organisation=organisation, person=person, follow_up_on=today
        ),
        "contact_b": OutreachContactFactory(logged_by=users["ambassador_b"], organisation=organisation),
        "event": event,
        "event_guest": EventGuest.objects.create(event=event, person=person),
        "goal": GoalFactory(),
        "newsletter": NewsletterFactory(created_by=users["staff"], lists=[mailing_list]),
        "subscriber": subscriber,
        "confirm_token": newsletter_tokens.confirm_token(subscriber, list_ids=[mailing_list.pk]),
        "preferences_token": newsletter_tokens.preferences_token(subscriber),
        "unsubscribe_token": newsletter_tokens.unsubscribe_token(subscriber),
        "material": material,
        "run": run,
        "other_run": other_run,
        "meeting": run.meetings.order_by("number").first(),
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
        "evidence": _evidence(certification),
        "other_evidence": _evidence(other_certification),
    }
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
    """The answer in the matrix's words: "login", "302" (another redirect) or the status code."""
    if response.status_code == 302:
        login = reverse("account_login")
        return "login" if response["Location"].split("?")[0] == login else "302"
    answer = str(response.status_code)
    if response.status_code >= 500 and getattr(response, "exc_info", None):
        error = response.exc_info[1]
        first_line = str(error).splitlines()[0] if str(error) else ""
        answer += f" ({type(error).__name__}: {first_line[:200]})"
    return answer


@pytest.fixture
def quiet_request_log():
    """Hundreds of refusals are the point here: keep django.request's warnings (each with its
    traceback) out of the log; errors (500) still go there, and into the mismatches."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


def test_every_role_gets_the_expected_answer_on_every_url(db, settings, file_storage, quiet_request_log):
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
                response = getattr(clients[role], row.method)(url)
                transaction.set_rollback(True)
            got = _answer(response)
            if got != expected:
                mismatches.append(f"{row.label} {role}: expected {expected}, got {got} ({row.method.upper()} {url})")
    assert not mismatches, f"{len(mismatches)} answers differ from the matrix:\n" + "\n".join(mismatches)


def test_the_roles_are_the_six_of_the_issue():
    assert ROLES == ("anonymous", "ambassador_a", "ambassador_b", "trainer", "master_trainer", "staff")
