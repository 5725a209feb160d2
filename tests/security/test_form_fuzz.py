"""Every form of the project fed random and hostile input through its real view (issue 7, security).

For each example: never a 500; a refused form leaves the rows (and the edited object) as they were;
a saved form stores the text as typed (stripped, as Django's CharField does) and the page that shows
it escapes it; a redirect never leaves the site. The cases (one per form: page, user, fields, models
to count) are in form_cases_*.py, the strategies and the checks in fuzz.py; docs/security.md says how
to run more examples."""

import re
from urllib.parse import quote

import pytest
from django import forms
from django.core.validators import ProhibitNullCharactersValidator
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from dissemination.models import Event, Newsletter, Organisation
from tests.factories import MailingListFactory, OrganisationFactory, PersonFactory, TrainingFactory, UserFactory

from . import form_cases_ambassadors, form_cases_dissemination, form_cases_privacy, form_cases_trainings
from .form_helpers import login
from .fuzz import check_example, run_case

pytestmark = pytest.mark.django_db

CASES = [
    *form_cases_dissemination.CASES,
    *form_cases_trainings.CASES,
    *form_cases_ambassadors.CASES,
    *form_cases_privacy.CASES,
]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_form_survives_hostile_input(case, client):
    run_case(case, client)


def _project_forms():
    import importlib
    import pkgutil

    found = set()
    for package in ("mentorwijs", "dissemination", "trainings", "ambassadors"):
        module = importlib.import_module(package)
        for info in pkgutil.walk_packages(module.__path__, f"{package}."):
            # mentorwijs.wsgi is gunicorn's entry point: importing it runs the production checks.
            if ".migrations" in info.name or ".management" in info.name or info.name == "mentorwijs.wsgi":
                continue
            loaded = importlib.import_module(info.name)
            for obj in vars(loaded).values():
                if isinstance(obj, type) and issubclass(obj, forms.BaseForm) and obj.__module__ == info.name:
                    found.add(obj)
    return found


def test_every_text_field_of_every_form_refuses_nul():
    """PostgreSQL refuses NUL in text; Django's CharField puts ProhibitNullCharactersValidator on
    every form CharField (and its subclasses: email, URL, postcode...). A form that swaps the field
    for something else must keep that check."""
    project_forms = _project_forms()
    assert len(project_forms) > 40
    checked = 0
    for form_class in project_forms:
        for name, form_field in form_class.base_fields.items():
            if isinstance(form_field, forms.CharField):
                checked += 1
                assert any(isinstance(v, ProhibitNullCharactersValidator) for v in form_field.validators), (
                    f"{form_class.__name__}.{name}"
                )
    assert checked > 50


@pytest.mark.parametrize("sent", ["a\x00b", "\x00", "<script>\x00</script>"])
def test_nul_in_text_is_a_form_error(staff_client, sent):
    url = reverse("dissemination:organisation_create")
    data = {"name": sent, "target_group": "employers", "region": "1", "city": "Tiel", "save_anyway": "on"}
    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert "name" in response.context["form"].errors
    assert not Organisation.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        '"><img src=x onerror=alert(1)>',
        "<script>alert(1)</script>",
        "[x](javascript:alert(1))",
        "<a href=x onclick=y>a</a>",
    ],
)
def test_newsletter_markdown_is_sanitised_on_its_page(staff_client, body):
    mailing_list = MailingListFactory()
    data = {"subject": "Nieuws", "body": body, "lists": [mailing_list.pk]}
    response = staff_client.post(reverse("dissemination:newsletter_create"), data)
    newsletter = Newsletter.objects.get()
    assert response.status_code == 302
    assert newsletter.body == body
    page = staff_client.get(reverse("dissemination:newsletter_detail", args=[newsletter.pk])).content.decode()
    for dangerous in ("onerror=", "onclick=", "<script>alert", "javascript:alert"):
        assert dangerous not in page


# str.isdigit() says yes to "²" (int() refuses it) and to 5000 nines (int() refuses over 4300 digits).
TRICKY_IDS = ["²", "١٢", "9" * 5000, "99999999999999999999999"]


def _tricky_id_requests(client):
    """Every place that reads an id from the client with a digit test: GET parameters and posted fields."""
    staff = login(client, ["staff"])
    organisation = OrganisationFactory()
    person = PersonFactory(organisation=organisation)
    event = Event.objects.create(kind="conference", title="Congres", date=timezone.localdate())
    event.guests.create(person=person, invited=True)
    trainer = UserFactory(roles=["trainer"])
    for tricky in TRICKY_IDS:
        yield "get", reverse("dissemination:contact_log"), {"organisation": tricky}
        yield "get", reverse("dissemination:contact_log"), {"organisation": organisation.pk, "person": tricky}
        yield "get", reverse("dissemination:person_create"), {"organisation": tricky}
        yield "get", reverse("dissemination:organisation_merge", args=[organisation.pk]), {"other": tricky}
        yield "post", reverse("dissemination:person_merge", args=[person.pk]), {"other": tricky}
        yield "get", reverse("materials:upload"), {"from": tricky}
        yield "get", reverse("trainings:public_list"), {"region": tricky}
        yield "post", reverse("dissemination:event_attendance", args=[event.pk]), {"present": [tricky], "walk_ins": "x"}
        yield "post", reverse("dissemination:event_attendance", args=[event.pk]), {"walk_ins": [tricky, person.pk]}
        yield "post", reverse("dissemination:event_guests", args=[event.pk]), {"persons": [tricky]}
        yield "post", reverse("newsletter:signup"), {"email": "a@example.org", "first_name": "A", "lists": [tricky]}
        contact_data = {"organisation": tricky, "organisation_name": "Nieuw", "person": tricky}
        yield "post", reverse("dissemination:contact_log"), {**contact_data, "date": "2026-01-01"}
        yield "post", reverse("trainings:public_enrol", args=[TrainingFactory(meetings=1).pk]), contact_data
    client.force_login(trainer)
    for tricky in TRICKY_IDS:
        yield "get", reverse("ambassadors:certification_request"), {"renews": tricky}
    client.force_login(staff)


def test_ids_from_the_client_that_only_look_like_numbers_are_refused_without_an_error(client):
    for method, url, data in _tricky_id_requests(client):
        try:
            response = getattr(client, method)(url, data)
        except Exception as error:
            raise AssertionError(f"{method.upper()} {url} {str(data)[:80]}: {type(error).__name__}") from error
        assert response.status_code < 500


TOKEN_PAGES = [
    ("newsletter:confirm", ("get", "post")),
    ("newsletter:preferences", ("get", "post")),
    ("newsletter:unsubscribe", ("get", "post")),
    ("event:rsvp", ("get", "post")),
    ("accounts:invitation_accept", ("get", "post")),
    ("trainings:personal", ("get",)),
    ("trainings:personal_cancel", ("post",)),
    ("trainings:offer_accept", ("post",)),
    ("trainings:personal_email", ("get", "post")),
    ("trainings:personal_certificate", ("get",)),
    ("trainings:trainer_feed", ("get",)),
    ("trainings:participant_feed", ("get",)),
]
HOSTILE_TOKENS = [
    "x",
    "<script>alert(1)</script>",
    "'; DROP TABLE x; --",
    "a" * 5000,
    "..",
    "%00",
    "😀",
    "eyJ4IjoxfQ:1:2",
]


@pytest.mark.parametrize(("name", "methods"), TOKEN_PAGES, ids=[name for name, _ in TOKEN_PAGES])
def test_hostile_tokens_in_links_answer_without_an_error(client, name, methods):
    """The links in mails carry a token in the path: a forged one is a page or a 404, never a 500."""
    for token in HOSTILE_TOKENS:
        url = reverse(name, args=["TOKEN"]).replace("TOKEN", quote(token, safe=""))
        for method in methods:
            response = getattr(client, method)(url, {"lists": ["1"], "first_name": "A"})
            assert response.status_code < 500, (method, token[:20])
            assert b"<script>alert(1)" not in response.content


def test_the_contact_edit_page_starts_from_the_stored_contact(client):
    """Found by the fuzzing: FormView's empty `initial` hid the contact's values, so the page showed
    an empty form (and its stored text could not be checked for escaping)."""
    ctx = form_cases_dissemination.setup_contact_edit(client)
    contact = ctx["object"]
    contact.notes = "<b>Gesprek</b> met de directeur"
    contact.save()
    response = client.get(ctx["url"])
    form = response.context["form"]
    assert form["notes"].value() == "<b>Gesprek</b> met de directeur"
    assert form["stage"].value() == contact.stage
    assert "&lt;b&gt;Gesprek&lt;/b&gt; met de directeur" in response.content.decode()


@pytest.mark.parametrize(
    ("date_from", "date_to"), [("2026-01-01", "9999-12-31"), ("9999-12-01", "9999-12-31"), ("0001-01-01", "0001-02-01")]
)
def test_the_dashboard_takes_the_extreme_dates_a_visitor_can_type(staff_client, date_from, date_to):
    """Found by the fuzzing: stepping month by month past December 9999 overflowed (a 500)."""
    response = staff_client.get(reverse("overview:dashboard"), {"date_from": date_from, "date_to": date_to})
    assert response.status_code == 200


EXTREME_DATES = {"date": ["9999-12-31", "0001-01-01"], "datetime": ["9999-12-31T23:59", "0001-01-01T00:00"]}
DATE_PATTERN = re.compile(r"\d{4}-\d\d-\d\d(T.*)?")
DATE_NAME = re.compile(r"date|_on$|_at$|valid_")  # date fields whose valid value is empty
POST_CASES = [case for case in CASES if case.method == "post"]


def date_fields_of(fields) -> dict[str, str]:
    """The date and date-time fields among a case's fields: {name: "date" or "datetime"}."""
    found = {}
    for name, spec in fields.items():
        match = DATE_PATTERN.fullmatch(str(spec.valid))
        if match or (spec.valid == "" and DATE_NAME.search(name)):
            found[name] = "datetime" if (match and match.group(1)) or name.endswith("_at") else "date"
    return found


# Forms whose fields (with their dates) are only known once setup made the object they edit.
DATES_FROM_SETUP = {"training_create", "meetings_update"}
DATE_CASES = [case for case in POST_CASES if date_fields_of(case.fields) or case.id in DATES_FROM_SETUP]


@pytest.mark.parametrize("case", DATE_CASES, ids=[case.id for case in DATE_CASES])
def test_the_first_and_last_day_python_knows_in_every_date_field(case, client):
    """Valid input otherwise; each date field in turn gets 9999-12-31 or 0001-01-01, where adding or
    subtracting a day, a week or a year overflows."""
    ctx = case.setup(client)
    fields = ctx.get("fields", case.fields)
    base = {**case.extra, **ctx.get("extra", {})}
    date_fields = date_fields_of(fields)
    assert date_fields, f"{case.id} has no date field"
    base.update({name: spec.valid if spec.kind == "value" else "Tekst" for name, spec in fields.items()})
    for name, kind in date_fields.items():
        for extreme in EXTREME_DATES[kind]:
            with transaction.atomic():
                check_example(case, client, ctx, {**base, name: extreme})
                transaction.set_rollback(True)
