"""The audit trail: edits of personal data and certifications are recorded with who made them, and
staff read them at /privacy/wijzigingen/."""

from datetime import timedelta

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ambassadors.enums import CertificationStatus
from ambassadors.models import Certification, CertificationEvent
from ambassadors.services.certification import certification_approve
from dissemination.models import Person
from mentorwijs.accounts.models import User
from mentorwijs.privacy.auditlog import tracked_models
from tests.conftest import client_for
from tests.factories import CertificationFactory, EnrolmentFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


def entries_for(obj):
    return LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(type(obj)), object_pk=str(obj.pk)
    ).order_by("pk")


def test_personal_models_and_certifications_are_tracked():
    labels = {model._meta.label for model in tracked_models()}
    assert {
        "dissemination.Person",
        "dissemination.Subscriber",
        "trainings.Enrolment",
        "trainings.Attendance",
        "accounts.User",
        "accounts.Invitation",
        "ambassadors.Ambassador",
        "ambassadors.Certification",
        "ambassadors.CertificationEvent",
    } <= labels


def test_a_staff_edit_of_a_person_is_recorded_with_the_actor(staff_client, staff_user):
    person = PersonFactory(first_name="Jan", phone="")
    response = staff_client.post(
        reverse("dissemination:person_update", args=[person.pk]),
        {
            "first_name": "Johan",
            "last_name": person.last_name,
            "email": person.email,
            "phone": "0612345678",
            "function": "",
            "organisation_name": person.organisation.name,
            "organisation": person.organisation.pk,
        },
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.first_name == "Johan"

    entry = entries_for(person).last()
    assert entry.action == LogEntry.Action.UPDATE
    assert entry.actor == staff_user
    assert entry.changes["first_name"] == ["Jan", "Johan"]
    assert entry.changes["phone"] == ["", "0612345678"]


def _edit_person(client, person, **headers):
    data = {
        "first_name": "Johan",
        "last_name": person.last_name,
        "email": person.email,
        "phone": "",
        "function": "",
        "organisation_name": person.organisation.name,
        "organisation": person.organisation.pk,
    }
    return client.post(reverse("dissemination:person_update", args=[person.pk]), data, **headers)


@pytest.mark.parametrize(
    ("proxies", "forwarded", "stored"),
    [
        (0, "1.2.3.4", "127.0.0.1"),  # no proxy of ours: the header is the client's own word
        (1, "1.2.3.4, 198.51.100.7", "198.51.100.7"),  # the entry our proxy appended
        (1, "not-an-address", "127.0.0.1"),  # garbage: the proxy's address, never the text
    ],
)
def test_the_audit_trail_records_the_client_address_the_rate_limits_count(
    staff_client, settings, proxies, forwarded, stored
):
    settings.TRUSTED_PROXY_COUNT = proxies
    person = PersonFactory(first_name="Jan")
    response = _edit_person(staff_client, person, HTTP_X_FORWARDED_FOR=forwarded, HTTP_X_FORWARDED_PORT="4444")
    assert response.status_code == 302
    entry = entries_for(person).last()
    assert entry.changes["first_name"] == ["Jan", "Johan"]
    assert (entry.remote_addr, entry.remote_port) == (stored, None)


def test_approving_a_certification_records_the_change_and_the_event_with_the_reviewer():
    reviewer = UserFactory(roles=["staff"])
    certification = CertificationFactory(status=CertificationStatus.REQUESTED, valid_from=None, valid_until=None)

    with set_actor(reviewer):
        certification_approve(certification=certification, reviewer=reviewer, original=True)

    update = entries_for(certification).filter(action=LogEntry.Action.UPDATE).get()
    assert update.actor == reviewer
    assert update.changes["status"] == [CertificationStatus.REQUESTED, CertificationStatus.APPROVED]
    assert "reviewed_by" in update.changes
    event = CertificationEvent.objects.get(certification=certification)
    created = entries_for(event).get()
    assert created.action == LogEntry.Action.CREATE
    assert created.actor == reviewer


def test_approving_through_the_review_page_records_the_staff_member(client):
    client, staff = client_for(client, roles=["staff"], two_factor=True)
    certification = CertificationFactory(status=CertificationStatus.REQUESTED, valid_from=None, valid_until=None)

    response = client.post(
        reverse("ambassadors:certification_review", args=[certification.pk]),
        {"action": "approve", "approve-original": "on", "approve-note": ""},
    )

    assert response.status_code == 302
    assert Certification.objects.get(pk=certification.pk).status == CertificationStatus.APPROVED
    assert entries_for(certification).filter(action=LogEntry.Action.UPDATE, actor=staff).exists()


def test_secrets_are_not_recorded():
    user = UserFactory()
    user.set_password("another-long-password-99")
    user.last_login = timezone.now()
    user.save()
    enrolment = EnrolmentFactory()

    assert all("password" not in (entry.changes or {}) for entry in entries_for(user))
    assert all("last_login" not in (entry.changes or {}) for entry in entries_for(user))
    assert "token" not in entries_for(enrolment).get().changes


# The page


def test_the_page_lists_entries_newest_first_with_who_and_what(staff_client, staff_user):
    person = PersonFactory(first_name="Jan")
    with set_actor(staff_user):
        person.first_name = "Johan"
        person.save()

    response = staff_client.get(reverse("privacy:audit"))

    assert response.status_code == 200
    rows = response.context["rows"]
    timestamps = [row["entry"].timestamp for row in rows]
    assert timestamps == sorted(timestamps, reverse=True)
    newest = rows[0]
    assert newest["entry"].object_pk == str(person.pk)
    assert newest["entry"].actor == staff_user
    assert {"field": "voornaam", "old": "Jan", "new": "Johan"} in newest["changes"]
    assert f'data-entry="{newest["entry"].pk}"' in response.content.decode()


def test_the_page_filters_by_kind_of_data_and_by_who(staff_client, staff_user):
    other_staff = UserFactory(roles=["staff"])
    mine, theirs = PersonFactory(), PersonFactory()
    with set_actor(staff_user):
        mine.phone = "0611111111"
        mine.save()
    with set_actor(other_staff):
        theirs.phone = "0622222222"
        theirs.save()
    person_type = ContentType.objects.get_for_model(Person)
    user_type = ContentType.objects.get_for_model(User)

    by_me = staff_client.get(reverse("privacy:audit"), {"actor": staff_user.pk}).context["rows"]
    persons = staff_client.get(reverse("privacy:audit"), {"model": person_type.pk}).context["rows"]
    users = staff_client.get(reverse("privacy:audit"), {"model": user_type.pk}).context["rows"]

    assert [row["entry"].object_pk for row in by_me] == [str(mine.pk)]
    assert {row["entry"].content_type_id for row in persons} == {person_type.pk}
    assert {str(mine.pk), str(theirs.pk)} <= {row["entry"].object_pk for row in persons}
    assert {row["entry"].content_type_id for row in users} == {user_type.pk}


def test_the_page_is_paginated(staff_client):
    PersonFactory.create_batch(60)

    first = staff_client.get(reverse("privacy:audit"))
    second = staff_client.get(reverse("privacy:audit"), {"page": 2})

    assert len(first.context["rows"]) == 50
    assert first.context["page_obj"].paginator.count == LogEntry.objects.count()
    assert second.status_code == 200
    assert not {row["entry"].pk for row in first.context["rows"]} & {row["entry"].pk for row in second.context["rows"]}


def _make_entries(count, actor):
    people = PersonFactory.create_batch(count)
    with set_actor(actor):
        for person in people:
            person.phone = "0600000000"
            person.save()


def test_the_page_runs_a_fixed_number_of_queries(staff_client, staff_user, django_assert_num_queries):
    _make_entries(5, staff_user)
    staff_client.get(reverse("privacy:audit"))  # warm the content-type cache
    with CaptureQueriesContext(connection) as few:
        staff_client.get(reverse("privacy:audit"))

    _make_entries(200, UserFactory(roles=["staff"]))
    with django_assert_num_queries(len(few.captured_queries)):
        response = staff_client.get(reverse("privacy:audit"))
    assert len(response.context["rows"]) == 50
    assert len(few.captured_queries) <= 8  # the user with roles, count, entries, actors


@pytest.mark.parametrize("roles", [["master_trainer"], ["trainer"], ["ambassador"]])
def test_others_may_not_read_the_audit_trail(client, roles):
    client, _user = client_for(client, roles=roles, two_factor=True)
    assert client.get(reverse("privacy:audit")).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("privacy:audit"))
    assert response.status_code == 302
    assert "login" in response.url or "inloggen" in response.url


def test_the_system_has_no_actor():
    person = PersonFactory()
    person.phone = "0633333333"
    person.save()
    assert entries_for(person).last().actor is None
    assert timezone.now() - entries_for(person).last().timestamp < timedelta(minutes=1)
