"""The Django admin fed random and hostile input, for every registered ModelAdmin (ours and the
third-party ones: django-celery-beat, auditlog, allauth, auth's groups), as a superuser: the admin is
a superuser's last resort (issue 15); a staff member is sent to its login page like everyone else.

For each admin: the add form (where adding is allowed), the change form of an existing row, the
changelist with hostile query parameters, and every list action with hostile selected ids and
unknown action names. Never a 500; a refused form or action changes no row; nothing sent comes back
unescaped; no redirect leaves the site. Where the user may not use a page, it answers 403 and a
forged POST changes nothing. docs/security.md says how to run more examples."""

import pytest
from auditlog.models import LogEntry
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django_celery_beat.models import CrontabSchedule
from hypothesis import given, settings
from hypothesis import strategies as st

from ambassadors.models import RefresherMeeting, RenewalRule
from dissemination.models import Person
from tests.factories import UserFactory

from .admin_fuzz import (
    ADD_VALUES,
    HOSTILE_IDS,
    REGISTERED,
    ROLES,
    action_may_change,
    admin_url,
    an_object,
    browser_data,
    changelist_keys,
    form_fields,
    hostile_action,
    hostile_query,
    login,
    rows,
)
from .fuzz import ADMIN_PROFILE, FormCase, assert_escaped, run_case

pytestmark = pytest.mark.django_db

PARAMS = [(role, model) for role in ROLES for model in REGISTERED]
IDS = [f"{role}-{model._meta.label}" for role, model in PARAMS]
LABELS = [model._meta.label for model in REGISTERED]


@pytest.fixture
def clients(client):
    """The browsers of the roles that reach the admin: a superuser's."""
    login(client, "superuser")
    return {"superuser": client}


@pytest.fixture
def superuser_client(clients):
    return clients["superuser"]


@pytest.mark.parametrize("model", REGISTERED, ids=LABELS)
def test_a_staff_member_is_sent_to_the_admin_login_and_changes_nothing(model):
    staff = Client()
    login(staff, "staff")
    obj = an_object(model)
    url = admin_url(model, "changelist")
    page = staff.get(url)
    assert page.status_code == 302
    assert page["Location"].startswith("/beheer/login/")
    before = rows(model)
    forged = {"action": "delete_selected", ACTION_CHECKBOX_NAME: [obj.pk], "post": "yes"}
    assert staff.post(url, forged).status_code == 302
    assert rows(model) == before


def _examples(strategy, check):
    """Run `check` for each example, each in a savepoint rolled back afterwards."""

    @settings(settings.get_profile(ADMIN_PROFILE))
    @given(data=strategy)
    def examples(data):
        cache.clear()
        with transaction.atomic():
            check(*data)
            transaction.set_rollback(True)

    examples()


def _request(client, method, url, data, where):
    try:
        return getattr(client, method)(url, data)
    except Exception as error:  # the test client re-raises what the view raised: a 500
        raise AssertionError(f"{where}: {type(error).__name__}: {str(error)[:200]} for input {data!r:.300}") from error


def _refused(client, url, data, model, where):
    """A request the user may not make: 403 and no row changed."""
    before = rows(model)
    response = _request(client, "post", url, data, where)
    assert response.status_code == 403, f"{where}: {response.status_code}"
    assert rows(model) == before, f"{where}: rows changed"


def _reaching(clients, model, obj):
    """The roles that may open the changelist; the others are refused, also a forged action."""
    url = admin_url(model, "changelist")
    pages = {}
    for role, client in clients.items():
        page = client.get(url)
        assert page.status_code == 200, f"{role} {url}: {page.status_code}"
        pages[role] = page
    return pages


def _off_site(response, where):
    if response.has_header("Location"):
        assert response["Location"].startswith(("/", "http://testserver/")), f"{where}: off the site"
        assert not response["Location"].startswith("//"), f"{where}: off the site"


@pytest.mark.parametrize("model", REGISTERED, ids=LABELS)
def test_changelist_survives_hostile_query_parameters(clients, model):
    pages = _reaching(clients, model, an_object(model))
    url = admin_url(model, "changelist")
    keys = changelist_keys(pages["superuser"].context["cl"])

    def check(role, query):
        where = f"{role} {url}"
        response = _request(clients[role], "get", url, query, where)
        assert response.status_code < 500
        sent = {**query, **{f"key {key}": key for key in query}}
        assert_escaped(response.content.decode(errors="replace"), sent, where)
        _off_site(response, where)

    _examples(st.tuples(st.sampled_from(sorted(pages)), hostile_query(keys)), check)


@pytest.mark.parametrize("model", REGISTERED, ids=LABELS)
def test_list_actions_survive_hostile_ids_and_unknown_actions(clients, model):
    pages = _reaching(clients, model, an_object(model))
    url = admin_url(model, "changelist")
    actions = {role: _actions(page) for role, page in pages.items()}
    ids = [str(pk) for pk in model._default_manager.values_list("pk", flat=True)]

    def check(role, data):
        before = rows(model)
        where = f"{role} {url} {data.get('action')!r:.60}"
        response = _request(clients[role], "post", url, data, where)
        assert response.status_code < 500
        assert_escaped(response.content.decode(errors="replace"), data, where)
        _off_site(response, where)
        if not action_may_change(model, data, actions[role], ids):
            assert rows(model) == before, f"{where}: rows changed, input {data!r:.300}"

    every_action = sorted({name for names in actions.values() for name in names})
    _examples(st.tuples(st.sampled_from(sorted(pages)), hostile_action(every_action, ids)), check)


def _actions(page) -> list[str]:
    """The list actions the page offers."""
    action_form = page.context.get("action_form")
    return [name for name, _label in action_form.fields["action"].choices if name] if action_form else []


def _field_name(posted: str) -> str:
    """The form field of a posted name (a split date and time posts name_0 and name_1)."""
    return posted[:-2] if posted[-2:] in ("_0", "_1") else posted


def _form_case(client, role, model, view):
    """A FormCase for the admin's add or change page, with the browser's values as the valid ones;
    None when the user may not use the page (then a forged POST is refused)."""
    obj = an_object(model)
    change_url = admin_url(model, "change", obj.pk)
    url = admin_url(model, "add") if view == "add" else change_url
    page = client.get(url)
    snapshot = (lambda ctx: rows(model)) if view == "change" else None
    if (
        page.status_code == 403
        or not page.context["has_change_permission" if view == "change" else "has_add_permission"]
    ):
        data = browser_data(page.content.decode(), f"{model._meta.model_name}_form") if page.status_code == 200 else {}
        _refused(client, url, {**data, "_saveasnew": "1"}, model, f"{role} {url}")
        _refused(client, url, data, model, f"{role} {url}")
        return None
    assert page.status_code == 200
    form = page.context["adminform"].form
    form_id = f"{model._meta.model_name}_form"
    data = browser_data(page.content.decode(), form_id)
    if view == "add":
        # The existing row's values fill the add form's fields (but not its inlines' management forms).
        existing = browser_data(client.get(change_url).content.decode(), form_id)
        data.update({name: value for name, value in existing.items() if _field_name(name) in form.fields})
        data.update(ADD_VALUES.get(model._meta.label, {}))
    fields = form_fields(model, form, data)
    # The text as typed is stored, except that a nullable field keeps an empty text as None.
    text = [name for name, spec in fields.items() if spec.kind == "text" and form.fields[name].empty_value == ""]

    def stored(ctx, sent):
        return (
            model._default_manager.get(pk=obj.pk) if view == "change" else model._default_manager.order_by("pk").last()
        )

    return FormCase(
        id=f"{role} {url}",
        setup=lambda client: {"url": url},
        fields=fields,
        models=(model,),
        snapshot=snapshot,
        stored=stored,
        stored_fields={name: name for name in text},
        show=lambda ctx, saved: admin_url(model, "change", saved.pk),
    )


@pytest.mark.parametrize(("role", "model"), PARAMS, ids=IDS)
def test_add_form_survives_hostile_input(client, role, model):
    login(client, role)
    case = _form_case(client, role, model, "add")
    if case is not None:
        run_case(case, client, ADMIN_PROFILE)


@pytest.mark.parametrize(("role", "model"), PARAMS, ids=IDS)
def test_change_form_survives_hostile_input(client, role, model):
    login(client, role)
    case = _form_case(client, role, model, "change")
    if case is not None:
        run_case(case, client, ADMIN_PROFILE)


# --- found by the fuzzing (each of these answered 500) ---


def test_hostile_selected_ids_refuse_every_action_of_every_admin(clients):
    """Django filtered the changelist with `pk__in` of whatever was posted: "²" and 5,000 digits
    raised ValueError, 2**63 OverflowError on SQLite. Now the whole action is refused."""
    client = clients["superuser"]
    for model in REGISTERED:
        obj = an_object(model)
        url = admin_url(model, "changelist")
        for action in [*_actions(client.get(url)), "nope"]:
            for confirmed in ({}, {"post": "yes"}):
                data = {"action": action, ACTION_CHECKBOX_NAME: [*HOSTILE_IDS, str(obj.pk)], **confirmed}
                before = rows(model)
                response = _request(client, "post", url, data, f"{url} {action}")
                # back to the list with a message (200 where the admin has no actions at all)
                assert response.status_code in (200, 302), f"{url} {action}: {response.status_code}"
                assert rows(model) == before, f"{url} {action} changed rows"


@pytest.mark.parametrize("hostile", HOSTILE_IDS)
def test_each_hostile_id_alone_deletes_nothing(superuser_client, hostile):
    meeting = an_object(RefresherMeeting)
    url = admin_url(RefresherMeeting, "changelist")
    data = {"action": "delete_selected", ACTION_CHECKBOX_NAME: [hostile], "post": "yes", "index": "0"}
    response = superuser_client.post(url, data)
    assert response.status_code == 302
    assert RefresherMeeting.objects.filter(pk=meeting.pk).exists()


@pytest.mark.parametrize("hostile", ["²", "9" * 5000, str(2**63), "abc", "-1"])
def test_the_refresher_meeting_form_refuses_hostile_attendees(superuser_client, hostile):
    """The autocomplete widget looked the posted attendees up unchecked when it showed the form
    again, and 2**63 overflowed in the many-to-many field itself."""
    trainer = UserFactory(roles=["trainer"])
    url = admin_url(RefresherMeeting, "add")
    data = {"title": "Terugkomdag", "held_on": "2026-03-12", "attendees": [str(trainer.pk), hostile]}
    response = superuser_client.post(url, data)
    assert response.status_code == 200
    assert "attendees" in response.context["adminform"].form.errors
    assert not RefresherMeeting.objects.exists()


@pytest.mark.parametrize("hostile", ["²", "9" * 5000, str(2**63), "abc"])
def test_the_renewal_rules_list_refuses_hostile_row_ids(superuser_client, hostile):
    before = rows(RenewalRule)
    data = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-0-id": hostile,
        "form-0-minimum": "9",
        "form-0-active": "on",
        "_save": "Opslaan",
    }
    response = superuser_client.post(admin_url(RenewalRule, "changelist"), data)
    assert response.status_code == 200
    assert rows(RenewalRule) == before


DATED = [model for model in REGISTERED if admin.site.get_model_admin(model).date_hierarchy]


@pytest.mark.parametrize("model", DATED, ids=[model._meta.label for model in DATED])
def test_a_year_beyond_the_calendar_in_the_date_hierarchy_is_refused(clients, model):
    """datetime() raised OverflowError for a year of 2**63, which Django's changelist did not catch."""
    field = admin.site.get_model_admin(model).date_hierarchy
    response = clients["superuser"].get(admin_url(model, "changelist"), {f"{field}__year": str(2**63)})
    assert response.status_code == 302
    assert response["Location"].endswith("?e=1")


@pytest.mark.parametrize("hostile", ["²", "9" * 5000, "abc"])
def test_a_list_filter_that_reads_its_value_unchecked_is_refused(clients, hostile):
    """auditlog's resource type filter put its value into content_type_id unchecked."""
    response = clients["superuser"].get(admin_url(LogEntry, "changelist"), {"resource_type": hostile})
    assert response.status_code == 302
    assert response["Location"].endswith("?e=1")


def test_an_empty_to_field_on_a_change_page_is_ignored(clients):
    """`?_to_field=` passed Django's check of the field and then named no field."""
    person = an_object(Person)
    url = admin_url(Person, "change", person.pk)
    assert clients["superuser"].get(url, {"_to_field": ""}).status_code == 200
    response = clients["superuser"].post(url, {"_to_field": "", "first_name": "Sanne", "last_name": "Smit"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.last_name == "Smit"


@pytest.mark.parametrize("hour", ["-", "5-", "-5", "*/0"])
def test_cron_fields_that_celery_cannot_read_are_refused(superuser_client, hour):
    """django-celery-beat's checks let "-" through; celery's parser, which its readable description
    and beat use, raised on the refused form's page (and would have on every list once saved)."""
    data = {"minute": "0", "hour": hour, "day_of_week": "*", "day_of_month": "*", "month_of_year": "*"}
    response = superuser_client.post(admin_url(CrontabSchedule, "add"), {**data, "timezone": "Europe/Amsterdam"})
    assert response.status_code == 200
    assert "hour" in response.context["adminform"].form.errors
    assert not CrontabSchedule.objects.exists()
    assert superuser_client.get(admin_url(CrontabSchedule, "changelist")).status_code == 200


def test_a_task_name_too_long_is_refused_next_to_the_field(superuser_client):
    """django-celery-beat's form read cleaned_data["task"] after the field had refused it: KeyError."""
    from django_celery_beat.models import PeriodicTask

    response = superuser_client.post(
        admin_url(PeriodicTask, "add"),
        {"name": "Te lang", "regtask": "", "task": "x" * 201, "enabled": "on", "args": "[]", "kwargs": "{}"},
    )
    assert response.status_code == 200
    assert "task" in response.context["adminform"].form.errors
    assert not PeriodicTask.objects.filter(name="Te lang").exists()
