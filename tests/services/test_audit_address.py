"""The audit trail's client address on PostgreSQL, whose column is `inet`: a forwarded-for header
that is no address must not break an audited write (it did with django-auditlog's own middleware)."""

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from dissemination.models import Person
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_a_forwarded_for_header_that_is_no_address_still_saves_and_records_the_proxy(staff_client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    person = PersonFactory(first_name="Jan")
    response = staff_client.post(
        reverse("dissemination:person_update", args=[person.pk]),
        {
            "first_name": "Johan",
            "last_name": person.last_name,
            "email": person.email,
            "organisation_name": person.organisation.name,
            "organisation": person.organisation.pk,
        },
        HTTP_X_FORWARDED_FOR="unknown",
    )
    assert response.status_code == 302
    assert Person.objects.get(pk=person.pk).first_name == "Johan"
    entry = LogEntry.objects.get_for_object(person).filter(action=LogEntry.Action.UPDATE).get()
    assert str(entry.remote_addr) == "127.0.0.1"
