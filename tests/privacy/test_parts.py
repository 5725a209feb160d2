"""Privacy asks every app through one hook (mentorwijs.personal_data): each app exports and erases its
own personal data, in the order privacy decides, and privacy's services touch no app's rows."""

import ast
from pathlib import Path

import pytest
from django.conf import settings

from mentorwijs.personal_data import PERSONAL_DATA, AuditRedaction, Erased, PersonalData
from mentorwijs.privacy.models import ErasureRecord
from mentorwijs.privacy.services.erasure import person_erase
from mentorwijs.privacy.services.parts import (
    ACCOUNT_ERASURE_ORDER,
    ACCOUNT_SECTIONS,
    PERSON_ERASURE_ORDER,
    PERSON_SECTIONS,
    parts,
)
from mentorwijs.privacy.services.person_data import person_data
from tests.factories import PersonFactory, UserFactory
from tests.privacy.person_helpers import person_with_everything
from tests.privacy.test_account_pages import trainer_with

pytestmark = pytest.mark.django_db


def test_every_app_registers_its_part():
    assert set(PERSONAL_DATA) == {
        "relations",
        "outreach",
        "newsletters",
        "trainings",
        "ambassadors",
        "accounts",
        "outbox",
    }


def test_every_erasing_part_has_its_place_in_the_order():
    assert [part.key for part in parts("person_erase", PERSON_ERASURE_ORDER)] == list(PERSON_ERASURE_ORDER)
    assert [part.key for part in parts("account_erase", ACCOUNT_ERASURE_ORDER)] == list(ACCOUNT_ERASURE_ORDER)


def test_the_exports_show_every_section_in_order():
    from mentorwijs.privacy.services.account_data import account_data

    assert list(person_data(person=person_with_everything().person)) == ["generated_at", *PERSON_SECTIONS]
    assert list(account_data(user=trainer_with(1))) == ["generated_at", *ACCOUNT_SECTIONS]


def test_a_new_apps_part_is_exported_and_erased_after_the_others(monkeypatch):
    person = PersonFactory(email="nieuw@example.org")
    asked = []

    def erase(erasure):
        asked.append((erasure.person.pk, erasure.email, erasure.person.first_name))
        return Erased(counts={"new_rows": 2}, audit=[AuditRedaction(ErasureRecord, [])])

    part = PersonalData(key="new", person_export=lambda person: {"new": [person.pk]}, person_erase=erase)
    monkeypatch.setitem(PERSONAL_DATA, "new", part)

    assert list(person_data(person=person))[-1] == "new"
    record = person_erase(person=person, by=UserFactory(roles=["staff"]), reason="Verzoek")
    # Called last, after the person row itself was anonymised, with the address it had.
    assert asked == [(person.pk, "nieuw@example.org", "Verwijderd")]
    assert record.summary["new_rows"] == 2


def test_a_refusing_part_stops_the_erasure(monkeypatch):
    from django.core.exceptions import ValidationError

    person = PersonFactory()
    part = PersonalData(key="new", person_refusals=lambda person: [ValidationError("Nog nodig", code="needed")])
    monkeypatch.setitem(PERSONAL_DATA, "new", part)

    with pytest.raises(ValidationError) as refused:
        person_erase(person=person, by=None, reason="Verzoek")
    assert refused.value.code == "needed"
    assert not ErasureRecord.objects.exists()


def test_privacys_services_import_no_apps_models_but_the_subjects():
    """Export and erasure go through the parts: of the project's models, the services import only the
    subjects' (Person, User) and privacy's own."""
    subjects = {("dissemination.models", "Person"), ("mentorwijs.accounts.models", "User")}
    project = ("dissemination.", "trainings.", "ambassadors.", "mentorwijs.")
    found = []
    for path in sorted((Path(settings.BASE_DIR) / "mentorwijs" / "privacy" / "services").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom) or node.level or not node.module.startswith(project):
                continue
            if node.module.endswith(".models"):
                found += [f"{path.name}: {node.module}.{alias.name}" for alias in node.names]
    assert [name for name in found if tuple(name.split(": ")[1].rsplit(".", 1)) not in subjects] == []
