"""Erasing a person: anonymised in place, figures and trainers' history unchanged, recorded, refused
while they still take part in a run, harmless twice."""

import csv
import io
from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from ambassadors.models import Ambassador, Certification, CertificationEvent, CertificationEvidence
from ambassadors.queries.quality import lineage
from dissemination.models import ConsentRecord, Delivery, EventGuest, MailEvent, OutreachContact, Person, Subscriber
from dissemination.services.subscriptions import subscriber_sign_up, subscription_confirmations_send_pending
from mentorwijs.accounts.models import User
from mentorwijs.outbox.models import CaughtMail
from mentorwijs.overview import dashboard
from mentorwijs.privacy.models import ErasureRecord
from mentorwijs.privacy.services.erasure import is_erased, person_erase
from mentorwijs.privacy.services.person_data import person_data
from tests.conftest import client_for
from tests.factories import (
    AmbassadorFactory,
    EnrolmentFactory,
    MailingListFactory,
    PersonFactory,
    SubscriberFactory,
    TrainingFactory,
    UserFactory,
)
from trainings.models import Attendance, Certificate, Enrolment, Evaluation
from trainings.queries.scheduling import enrolment_counts
from trainings.services.certificates import certificate_revoke
from trainings.services.evaluation import person_pseudonym

from .person_helpers import future_run, person_with_everything

pytestmark = pytest.mark.django_db


@pytest.fixture
def everything():
    return person_with_everything()


@pytest.fixture
def staff(db):
    return UserFactory(roles=["staff"], two_factor=True, first_name="Sanne", last_name="Staf")


def erase(everything, staff, reason="Verzoek van betrokkene, 27-11"):
    return person_erase(person=everything.person, by=staff, reason=reason)


def figures(everything) -> dict:
    """The numbers erasure must not change."""
    period = dashboard.DashboardFilters(
        date_from=timezone.localdate() - timedelta(days=365), date_to=timezone.localdate()
    )
    trainer_row = next(row for row in lineage()["rows"] if row.pk == everything.trainer.pk)
    return {
        "enrolment_counts": enrolment_counts(training=everything.training),
        "enrolments": Enrolment.objects.count(),
        "certificates": Certificate.objects.count(),
        "present": Attendance.objects.filter(present=True).count(),
        "absent": Attendance.objects.filter(present=False).count(),
        "evaluations": Evaluation.objects.count(),
        "satisfaction": list(Evaluation.objects.order_by("pk").values_list("satisfaction", "self_efficacy")),
        "people": dashboard.people(period),
        "funnel": dashboard.funnel_total(period),
        "supervisors_trained": trainer_row.supervisors_trained,
        "runs_given": trainer_row.runs_given,
        "organisation_people": everything.person.organisation.people.count(),
        "outreach_contacts": OutreachContact.objects.filter(person=everything.person).count(),
        "event_guests": EventGuest.objects.filter(person=everything.person, attended=True).count(),
        "deliveries": Delivery.objects.filter(status="sent").count(),
    }


def test_erasure_anonymises_the_person(everything, staff):
    organisation_id = everything.person.organisation_id
    erase(everything, staff)
    person = Person.objects.get(pk=everything.person.pk)
    assert (person.first_name, person.last_name) == ("Verwijderd", f"persoon #{person.pk}")
    assert (person.email, person.phone, person.function) == ("", "", "")
    assert person.organisation_id == organisation_id
    assert is_erased(person)


def test_erasure_clears_free_text_but_keeps_participation(everything, staff):
    old_token = everything.enrolment.token
    erase(everything, staff)
    enrolment = Enrolment.objects.get(pk=everything.enrolment.pk)
    assert enrolment.dietary_wishes == ""
    assert enrolment.status == "completed"
    assert enrolment.privacy_version == "2026-11"
    assert enrolment.token != old_token
    assert list(enrolment.attendances.values_list("absence_reason", flat=True)) == [""] * 5
    after = enrolment.evaluations.get(moment="after")
    assert after.remarks == ""
    assert after.satisfaction == 8
    assert set(after.self_efficacy.values()) == {4}
    assert Certificate.objects.filter(enrolment=enrolment).exists()
    # The pending evaluation mail has no address to go to any more; the sent one stays as history.
    assert dict(enrolment.messages.values_list("kind", "status")) == {
        "certificate": "sent",
        "evaluation_after": "cancelled",
    }


def test_erasure_clears_the_notes_of_outreach_contacts_with_the_person_and_keeps_the_contacts(everything, staff):
    other_contact_notes = "Gesprek met de directeur"
    other = OutreachContact.objects.get(person=everything.person)
    other.pk = None
    other.person = None
    other.notes = other_contact_notes
    other.save()
    erase(everything, staff)
    contact = OutreachContact.objects.get(person=everything.person)
    assert contact.notes == ""
    assert contact.stage == "informed"
    assert OutreachContact.objects.get(pk=other.pk).notes == other_contact_notes


def test_erasure_unsubscribes_the_subscriber_with_a_placeholder_and_keeps_consent_proof(everything, staff):
    given = list(ConsentRecord.objects.filter(subscriber=everything.subscriber).values_list("pk", "email", "action"))
    erase(everything, staff)
    subscriber = Subscriber.objects.get(pk=everything.subscriber.pk)
    assert subscriber.email == f"verwijderd-{subscriber.pk}"
    assert "@" not in subscriber.email
    assert (subscriber.name, subscriber.organisation_name) == ("", "")
    assert subscriber.status == "unsubscribed"
    assert subscriber.unsubscribed_at is not None
    assert list(subscriber.lists.all()) == []
    records = list(
        ConsentRecord.objects.filter(subscriber=subscriber).order_by("pk").values_list("pk", "email", "action")
    )
    # The consent given stays as it was (append-only proof); the withdrawal is a new record without the address.
    assert records[: len(given)] == given
    assert [(email, action) for _pk, email, action in records[len(given) :]] == [(subscriber.email, "withdrawn")]
    assert Delivery.objects.filter(subscriber=subscriber, status="sent").count() == 1
    assert not Delivery.objects.filter(subscriber=subscriber).exclude(last_error="").exists()
    assert list(MailEvent.objects.filter(subscriber=subscriber).values_list("detail", flat=True)) == [""]


def test_erasure_also_covers_a_subscriber_in_another_case_and_a_bounced_one(staff):
    person = PersonFactory(email="Dirk@Example.org")
    bounced = SubscriberFactory(email="dirk@example.org", status="bounced")
    person_erase(person=person, by=staff, reason="verzoek")
    bounced.refresh_from_db()
    assert bounced.email == f"verwijderd-{bounced.pk}"
    assert bounced.status == "unsubscribed"


def test_erasure_deletes_caught_mail_to_the_address_only(everything, staff):
    CaughtMail.objects.create(from_email="a@b.nl", recipients="Anna.Jansen@example.org", subject="Welkom", raw=b"x")
    CaughtMail.objects.create(
        from_email="a@b.nl", recipients="x@b.nl, anna.jansen@example.org", subject="Two", raw=b"x"
    )
    kept = CaughtMail.objects.create(
        from_email="a@b.nl", recipients="hanna.jansen@example.org", subject="Other", raw=b"x"
    )
    erase(everything, staff)
    assert list(CaughtMail.objects.values_list("pk", flat=True)) == [kept.pk]


def test_erasure_leaves_the_user_account_alone(everything, staff):
    erase(everything, staff)
    everything.user.refresh_from_db()
    assert everything.user.email == "anna.jansen@example.org"
    assert everything.user.certifications.count() == 1


def test_erasure_keeps_every_figure(everything, staff):
    before = figures(everything)
    assert before["supervisors_trained"] == 1
    assert before["enrolment_counts"] == {"completed": 1}
    erase(everything, staff)
    assert figures(everything) == before


def test_erasure_is_recorded_without_the_name(everything, staff):
    record = erase(everything, staff, reason="Verzoek per mail van 20 november")
    assert ErasureRecord.objects.count() == 1
    record.refresh_from_db()
    assert record.person_id == everything.person.pk
    assert record.by == staff
    assert record.reason == "Verzoek per mail van 20 november"
    assert timezone.now() - record.at < timedelta(minutes=1)
    assert record.summary["enrolments"] == 1
    assert record.summary["subscribers"] == 1
    assert "Jansen" not in str(record.summary)


def test_erasure_twice_changes_nothing_the_second_time(everything, staff):
    first = erase(everything, staff)
    token = Enrolment.objects.get(pk=everything.enrolment.pk).token
    consents = ConsentRecord.objects.count()
    second = person_erase(person=everything.person, by=UserFactory(roles=["staff"]), reason="nog eens")
    assert second == first
    assert ErasureRecord.objects.count() == 1
    assert Enrolment.objects.get(pk=everything.enrolment.pk).token == token
    assert ConsentRecord.objects.count() == consents


def test_a_person_filled_in_again_after_erasure_can_be_erased_again(everything, staff):
    erase(everything, staff)
    Person.objects.filter(pk=everything.person.pk).update(first_name="Anna", email="anna@example.org")
    person_erase(person=everything.person, by=staff, reason="opnieuw")
    assert ErasureRecord.objects.filter(person_id=everything.person.pk).count() == 2
    assert is_erased(Person.objects.get(pk=everything.person.pk))


def test_erasure_is_refused_while_the_person_takes_part_in_a_run_that_has_not_ended(everything, staff):
    EnrolmentFactory(person=everything.person, training=future_run(), status="waitlisted")
    with pytest.raises(ValidationError) as refused:
        erase(everything, staff)
    assert refused.value.code == "running_enrolment"
    person = Person.objects.get(pk=everything.person.pk)
    assert (person.first_name, person.email) == ("Anna", "Anna.Jansen@example.org")
    assert Subscriber.objects.get(pk=everything.subscriber.pk).status == "confirmed"
    assert not ErasureRecord.objects.exists()


def test_a_run_without_meetings_yet_has_not_ended(staff):
    enrolment = EnrolmentFactory(training=TrainingFactory(status="draft"))
    with pytest.raises(ValidationError):
        person_erase(person=enrolment.person, by=staff, reason="verzoek")


def test_a_cancelled_enrolment_in_a_coming_run_does_not_block_erasure(everything, staff):
    EnrolmentFactory(person=everything.person, training=future_run(), status="cancelled")
    erase(everything, staff)
    assert is_erased(Person.objects.get(pk=everything.person.pk))


def test_erasure_redacts_the_audit_trail_of_the_person(everything, staff):
    person_type = ContentType.objects.get_for_model(Person)
    entry = LogEntry.objects.create(
        content_type=person_type,
        object_pk=str(everything.person.pk),
        object_id=everything.person.pk,
        object_repr="Anna Jansen",
        action=LogEntry.Action.UPDATE,
        changes={"email": ["anna@old.example.org", "Anna.Jansen@example.org"], "first_name": ["Ann", "Anna"]},
        changes_text="email: anna@old.example.org",
    )
    enrolment_entry = LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(Enrolment),
        object_pk=str(everything.enrolment.pk),
        object_id=everything.enrolment.pk,
        object_repr="Anna Jansen – run",
        action=LogEntry.Action.UPDATE,
        changes={"dietary_wishes": ["", "Geen noten"], "status": ["registered", "completed"]},
    )
    erase(everything, staff)
    entry.refresh_from_db()
    enrolment_entry.refresh_from_db()
    assert "Anna" not in str(entry.changes) + entry.object_repr + entry.changes_text
    assert set(entry.changes) == {"email", "first_name"}
    assert enrolment_entry.changes["status"] == ["registered", "completed"]
    assert enrolment_entry.changes["dietary_wishes"] != ["", "Geen noten"]
    assert "Anna" not in enrolment_entry.object_repr


def test_the_export_of_an_erased_person_holds_nothing_that_names_them(everything, staff):
    erase(everything, staff)
    text = str(person_data(person=everything.person))
    for word in ["Anna", "Jansen", "0612345678", "Teamleider", "Geen noten", "Griep", "nuttig", "Bakkerij"]:
        assert word not in text
    assert person_data(person=everything.person)["account"] is None


# The pages


def test_staff_erase_through_the_confirmation_form(staff_client, staff_user, everything):
    url = reverse("privacy:person_erase", kwargs={"pk": everything.person.pk})
    page = staff_client.get(url)
    assert page.status_code == 200
    assert 'data-testid="erase-form"' in page.content.decode()
    assert list(page.context["form"].fields) == ["reason"]
    assert not is_erased(Person.objects.get(pk=everything.person.pk))
    response = staff_client.post(url, {"reason": "Verzoek van betrokkene"})
    assert response.status_code == 302
    assert response["Location"] == reverse("privacy:person_data", kwargs={"pk": everything.person.pk})
    assert is_erased(Person.objects.get(pk=everything.person.pk))
    record = ErasureRecord.objects.get()
    assert (record.by, record.reason) == (staff_user, "Verzoek van betrokkene")
    followed = staff_client.get(response["Location"])
    assert 'data-testid="erasures"' in followed.content.decode()
    assert 'data-testid="erase-link"' not in followed.content.decode()


def test_the_reason_is_required(staff_client, everything):
    response = staff_client.post(reverse("privacy:person_erase", kwargs={"pk": everything.person.pk}), {"reason": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    assert not ErasureRecord.objects.exists()
    assert not is_erased(Person.objects.get(pk=everything.person.pk))


def test_the_form_shows_the_refusal_for_a_running_enrolment(staff_client, everything):
    EnrolmentFactory(person=everything.person, training=future_run(), status="registered")
    url = reverse("privacy:person_erase", kwargs={"pk": everything.person.pk})
    page = staff_client.get(url).content.decode()
    assert 'data-testid="unfinished-runs"' in page
    assert 'data-testid="erase-form"' not in page  # a form that could only be refused is not offered
    response = staff_client.post(url, {"reason": "verzoek"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not ErasureRecord.objects.exists()
    assert Person.objects.get(pk=everything.person.pk).first_name == "Anna"


@pytest.mark.parametrize("roles", [["trainer"], ["master_trainer"], ["ambassador"]])
def test_other_roles_cannot_erase(client, roles, everything):
    client, _user = client_for(client, roles=roles, two_factor=True)
    response = client.post(reverse("privacy:person_erase", kwargs={"pk": everything.person.pk}), {"reason": "x"})
    assert response.status_code == 403
    assert not ErasureRecord.objects.exists()
    assert Person.objects.get(pk=everything.person.pk).first_name == "Anna"


def test_anonymous_post_erases_nothing(client, everything):
    response = client.post(reverse("privacy:person_erase", kwargs={"pk": everything.person.pk}), {"reason": "x"})
    assert response.status_code == 302
    assert not ErasureRecord.objects.exists()


def test_after_erasure_no_audit_entry_about_the_person_names_them(everything, staff):
    """With the audit trail on (privacy.auditlog), the entries of the person's own rows, including
    those the erasure itself wrote, hold nothing that identifies them."""
    person_rows = {
        Person: [everything.person.pk],
        Enrolment: [everything.enrolment.pk],
        Attendance: list(Attendance.objects.filter(enrolment=everything.enrolment).values_list("pk", flat=True)),
        Subscriber: [everything.subscriber.pk],
    }
    assert LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(Person)).exists()
    erase(everything, staff)
    for model, pks in person_rows.items():
        entries = LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(model), object_pk__in=[str(pk) for pk in pks]
        )
        assert entries.exists(), model
        for entry in entries:
            text = f"{entry.object_repr} {entry.changes} {entry.changes_text} {entry.serialized_data}".lower()
            for word in ["anna", "jansen", "0612345678", "teamleider", "geen noten", "griep", "bakkerij"]:
                assert word not in text, (model, entry.changes)


def test_the_retention_task_erases_by_nobody(everything):
    record = person_erase(person=everything.person, by=None, reason="retention")
    assert (record.by, record.reason) == (None, "retention")
    assert is_erased(Person.objects.get(pk=everything.person.pk))


def test_an_open_confirmation_request_is_not_mailed_after_erasure(staff, mailoutbox):
    person = PersonFactory(email="eva@example.org")
    subscriber_sign_up(email="eva@example.org", name="Eva", lists=[MailingListFactory(name="Scholen")])
    subscriber = Subscriber.objects.get(email="eva@example.org")
    assert subscriber.confirmation_request is not None
    person_erase(person=person, by=staff, reason="verzoek")
    Subscriber.objects.filter(pk=subscriber.pk).update(confirmation_sent_at=timezone.now() - timedelta(minutes=5))
    assert subscription_confirmations_send_pending() == 0
    assert mailoutbox == []


# What erasure also clears (issue 14): free-text reasons, every audit entry, the research pseudonym


def _everything_in_the_audit_trail(leave_out_account=None) -> str:
    """The text of every audit entry; with `leave_out_account`, without the entries about that user
    account and its certifications and profile (a person's erasure leaves the account alone)."""
    entries = LogEntry.objects.all()
    if leave_out_account is not None:
        account_rows = {
            User: [leave_out_account.pk],
            Certification: Certification.objects.filter(holder=leave_out_account).values_list("pk", flat=True),
            CertificationEvent: CertificationEvent.objects.filter(certification__holder=leave_out_account).values_list(
                "pk", flat=True
            ),
            CertificationEvidence: CertificationEvidence.objects.filter(
                certification__holder=leave_out_account
            ).values_list("pk", flat=True),
            Ambassador: Ambassador.objects.filter(user=leave_out_account).values_list("pk", flat=True),
        }
        for model, pks in account_rows.items():
            entries = entries.exclude(
                content_type=ContentType.objects.get_for_model(model), object_pk__in=[str(pk) for pk in pks]
            )
    return " ".join(
        f"{entry.object_repr} {entry.changes} {entry.changes_text} {entry.serialized_data} {entry.actor_email}"
        for entry in entries
    ).lower()


def test_erasure_empties_the_revocation_reason_of_a_certificate_also_in_the_audit_trail(everything, staff):
    certificate = Certificate.objects.get(enrolment=everything.enrolment)
    certificate_revoke(certificate=certificate, by=staff, reason="Anna Jansen heeft gefraudeerd")
    assert "gefraudeerd" in _everything_in_the_audit_trail()

    erase(everything, staff)

    certificate.refresh_from_db()
    assert certificate.revocation_reason == ""
    assert certificate.revoked_at is not None  # that it was revoked stays: verification still says so
    assert "gefraudeerd" not in _everything_in_the_audit_trail()


def test_after_erasure_no_audit_entry_anywhere_holds_the_person(staff):
    """Not only the entries of the person's own rows: the whole trail, whatever model wrote it. The
    whole trail also holds the random names of other factory users ("Johanna Jansen"), so the person
    has a name no such name holds."""
    everything = person_with_everything(
        first_name="Quirijntje", last_name="Zwartebroek", email="Quirijntje.Zwartebroek@example.org"
    )
    certificate_revoke(
        certificate=Certificate.objects.get(enrolment=everything.enrolment), by=staff, reason="Griep van Quirijntje"
    )
    profile = AmbassadorFactory(person=everything.person, user=None, offers=["tell_network"], public_listing=True)
    erase(everything, staff)
    trail = _everything_in_the_audit_trail(leave_out_account=everything.user)
    for word in ["quirijntje", "zwartebroek", "0612345678", "teamleider", "geen noten", "griep", "bakkerij", "nuttig"]:
        assert word not in trail, word
    profile.refresh_from_db()
    assert (profile.offers, profile.public_listing) == ([], False)


def test_erasure_renews_the_research_pseudonym_and_before_after_pairs_still_pair(everything, staff, client):
    """The research export's pseudonym followed the person id, which an erasure keeps (the record,
    the anonymised row): anyone with the key could find the person in an earlier export. Now it
    follows a random key that the erasure replaces."""
    client.force_login(staff)

    def pseudonyms_of_the_enrolment():
        rows = list(csv.reader(io.StringIO(client.get(reverse("trainings:evaluation_export")).content.decode())))
        header, *data = rows
        run = str(everything.training.pk)
        return {row[header.index("moment")]: row[0] for row in data if row[header.index("run")] == run}

    before = pseudonyms_of_the_enrolment()
    assert set(before) == {"before", "after"}
    assert before["before"] == before["after"]
    old_key = Person.objects.get(pk=everything.person.pk).research_key

    erase(everything, staff)

    after = pseudonyms_of_the_enrolment()
    assert after["before"] == after["after"]  # the pair still pairs
    assert after["before"] != before["before"]
    person = Person.objects.get(pk=everything.person.pk)
    assert person.research_key != old_key
    # Nothing the system keeps gives the old pseudonym back: not the person id, not the erasure record.
    record = ErasureRecord.objects.get(person_id=person.pk)
    assert before["before"] not in {
        person_pseudonym(candidate) for candidate in (str(person.pk), str(record.person_id), person.research_key)
    }
