"""Erasing an account holder: anonymous in place, unable to log in, evidence and notes gone, the
teaching history and the lineage unchanged as figures; refused when it must be; recorded; harmless
twice."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from ambassadors.models import (
    Ambassador,
    AssignmentOffer,
    Certification,
    CertificationEvent,
    CertificationEvidence,
    CertificationNotice,
    FidelityReview,
    FidelityScore,
    RefresherMeeting,
)
from ambassadors.queries.quality import lineage
from ambassadors.services.erasure import evidence_remove
from ambassadors.storage import PrivateFileSystemStorage
from dissemination.models import OutreachContact
from mentorwijs.accounts.models import Invitation, User
from mentorwijs.outbox.models import CaughtMail
from mentorwijs.privacy.models import ErasureRecord
from mentorwijs.privacy.services.account_erasure import account_erase
from tests.factories import (
    AmbassadorFactory,
    AssignmentFactory,
    CertificationFactory,
    EnrolmentFactory,
    InvitationFactory,
    OutreachContactFactory,
    PersonFactory,
    TrainingFactory,
    UserFactory,
)
from trainings.enums import ActiveComponent
from trainings.models import Assignment, ScheduledMessage

pytestmark = pytest.mark.django_db

WORDS = ["tom", "trainerman", "tom.trainerman@example.org", "diploma-tom", "10.1.2.3"]


@pytest.fixture
def evidence_storage(monkeypatch, tmp_path):
    storage = PrivateFileSystemStorage(location=tmp_path)
    monkeypatch.setattr(CertificationEvidence._meta.get_field("file"), "storage", storage)
    return storage


def finished_run():
    return TrainingFactory(status="completed", meetings=5, meetings__first_meeting=timezone.now() - timedelta(days=70))


class Trainer:
    """Tom, a trainer and ambassador certified by master trainer Mira, with one row of everything."""

    def __init__(self, storage):
        self.staff = UserFactory(roles=["staff"], first_name="Sanne", last_name="Staf")
        self.master = UserFactory(roles=["master_trainer"], first_name="Mira", last_name="Meester")
        CertificationFactory(
            holder=self.master, level="master_trainer", valid_from=timezone.localdate() - timedelta(days=400)
        )
        self.user = user = UserFactory(
            roles=["trainer", "ambassador"],
            email="tom.trainerman@example.org",
            first_name="Tom",
            last_name="Trainerman",
            two_factor=True,
        )
        self.certification = CertificationFactory(
            holder=user,
            certified_by=self.master,
            valid_from=timezone.localdate() - timedelta(days=200),
            request_note="Tom vraagt certificering aan",
            review_note="Tom gaf een sterke proefles",
        )
        CertificationEvent.objects.create(
            certification=self.certification, action="approved", actor=self.master, note="Goed gedaan, Tom"
        )
        self.evidence = CertificationEvidence(
            certification=self.certification,
            original_name="diploma-tom.pdf",
            content_type="application/pdf",
            size=4,
            uploaded_by=user,
        )
        self.evidence.file.save("bewijs.pdf", ContentFile(b"%PDF"), save=True)
        self.evidence_name = self.evidence.file.name
        CertificationNotice.objects.create(
            certification=self.certification,
            kind="expires_6m",
            due_at=timezone.now() + timedelta(days=100),
            context={"reason": "Tom vergat iets"},
        )
        self.run = finished_run()
        AssignmentFactory(training=self.run, trainer=user, role="lead")
        for _ in range(2):
            EnrolmentFactory(training=self.run, status="completed")
        self.trainee = UserFactory(roles=["trainer"], first_name="Tessa", last_name="Leerling")
        CertificationFactory(holder=self.trainee, level="co_trainer", certified_by=user)
        review = FidelityReview.objects.create(
            training=self.run, kind="self_report", reviewer=user, notes="Tom deed alles volgens het boekje", average=3
        )
        for component in ActiveComponent.values:
            FidelityScore.objects.create(review=review, component=component, score=3)
        self.offer = AssignmentOffer.objects.create(
            training=TrainingFactory(status="open", meetings=2), trainer=user, role="co_trainer", note="Tom wil graag"
        )
        self.profile = AmbassadorFactory(user=user, offers=["tell_network"], public_listing=True)
        self.contact = OutreachContactFactory(logged_by=user, notes="Gesprek met de directeur over het team")
        refresher = RefresherMeeting.objects.create(title="Terugkomdag", held_on=timezone.localdate())
        refresher.attendees.add(user)
        self.invitation = InvitationFactory(
            email=user.email, first_name="Tom", invited_by=self.staff, accepted_at=timezone.now(), accepted_user=user
        )
        self.message = ScheduledMessage.objects.create(
            kind="meeting_reminder", user=user, due_at=timezone.now() + timedelta(days=3), last_error="452 tom"
        )
        CaughtMail.objects.create(from_email="a@b.nl", recipients=user.email, subject="Herinnering", raw=b"x")
        with set_actor(user, remote_addr="10.1.2.3"):
            self.changed = PersonFactory(first_name="Bea", last_name="Buiten")


@pytest.fixture
def tom(evidence_storage):
    return Trainer(evidence_storage)


def lineage_figures(tom):
    data = lineage()
    rows = {row.pk: row for row in data["rows"]}
    return {
        "runs_given": rows[tom.user.pk].runs_given,
        "supervisors_trained": rows[tom.user.pk].supervisors_trained,
        "parent": rows[tom.user.pk].parent_id,
        "child_parent": rows[tom.trainee.pk].parent_id,
        "generations": [(g.depth, g.trainers, g.supervisors_trained) for g in data["generations"]],
        "assignments": Assignment.objects.filter(trainer=tom.user).count(),
        "certifications": list(Certification.objects.filter(holder=tom.user).values_list("level", "status")),
        "scores": FidelityScore.objects.filter(review__reviewer=tom.user).count(),
    }


def all_audit_text() -> str:
    return " ".join(
        f"{e.object_repr} {e.changes} {e.changes_text} {e.serialized_data} {e.actor_email} {e.remote_addr}"
        for e in LogEntry.objects.all()
    ).lower()


def test_the_account_is_anonymous_and_cannot_log_in_again(tom, client):
    client.force_login(tom.user)
    assert Session.objects.count() == 1

    account_erase(user=tom.user, by=tom.staff, reason="Verzoek van de trainer")

    user = User.objects.get(pk=tom.user.pk)
    assert (user.first_name, user.last_name) == ("Verwijderd", f"account #{user.pk}")
    assert user.email == f"verwijderd-{user.pk}@verwijderd.invalid"
    assert not user.is_active
    assert not user.has_usable_password()
    assert user.roles == frozenset()
    assert not EmailAddress.objects.filter(user=user).exists()
    assert not Authenticator.objects.filter(user=user).exists()
    assert not Session.objects.exists()
    assert client.get(reverse("overview:home")).status_code == 302  # the old session opens nothing
    assert not client.login(email="tom.trainerman@example.org", password="wachtwoord-van-tom")


def test_notes_evidence_profile_and_mail_go(tom, evidence_storage, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        account_erase(user=tom.user, by=tom.staff, reason="Verzoek")

    certification = Certification.objects.get(pk=tom.certification.pk)
    assert (certification.request_note, certification.review_note) == ("", "")
    assert set(CertificationEvent.objects.filter(certification=certification).values_list("note", flat=True)) == {""}
    evidence = CertificationEvidence.objects.get(pk=tom.evidence.pk)
    assert (evidence.file.name, evidence.original_name, evidence.size) == ("", "", 4)
    assert not evidence_storage.exists(tom.evidence_name)
    notice = CertificationNotice.objects.get(certification=certification)
    assert (notice.status, notice.context) == ("cancelled", {})
    offer = AssignmentOffer.objects.get(pk=tom.offer.pk)
    assert (offer.status, offer.note) == ("withdrawn", "")
    assert FidelityReview.objects.get(training=tom.run).notes == ""
    profile = Ambassador.objects.get(pk=tom.profile.pk)
    assert (profile.offers, profile.public_listing, profile.region_id) == ([], False, tom.profile.region_id)
    assert Invitation.objects.filter(pk=tom.invitation.pk).values_list("email", "first_name").get() == ("", "")
    message = ScheduledMessage.objects.get(pk=tom.message.pk)
    assert (message.status, message.last_error) == ("cancelled", "")
    assert not CaughtMail.objects.exists()
    # Notes about an organisation stay: the contact is the organisation's history, now by an anonymous account.
    assert OutreachContact.objects.get(pk=tom.contact.pk).notes == "Gesprek met de directeur over het team"


def test_a_rolled_back_erasure_keeps_the_evidence_files(
    tom, evidence_storage, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(*args, **kwargs):
        raise RuntimeError("database gone")

    # Fails after the evidence rows were emptied: the whole erasure rolls back.
    monkeypatch.setattr("mentorwijs.privacy.services.erasure.redact_audit_log", broken)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        account_erase(user=tom.user, by=tom.staff, reason="Verzoek")

    assert evidence_storage.exists(tom.evidence_name)
    evidence = CertificationEvidence.objects.get(pk=tom.evidence.pk)
    assert (evidence.file.name, evidence.original_name) == (tom.evidence_name, "diploma-tom.pdf")
    assert User.objects.get(pk=tom.user.pk).first_name == "Tom"


def test_an_evidence_file_that_cannot_be_deleted_is_logged_and_the_others_go(
    evidence_storage, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    certification = CertificationFactory()
    stuck, other = (
        CertificationEvidence.objects.create(certification=certification, size=4, content_type="application/pdf")
        for _ in range(2)
    )
    for evidence in (stuck, other):
        evidence.file.save("bewijs.pdf", ContentFile(b"%PDF"), save=True)
    real_delete = evidence_storage.delete

    def delete(name):
        if name == stuck.file.name:
            raise OSError("read-only file system")
        real_delete(name)

    monkeypatch.setattr(evidence_storage, "delete", delete)
    with django_capture_on_commit_callbacks(execute=True):
        assert evidence_remove(evidence_ids=[stuck.pk, other.pk]) == 2

    assert evidence_storage.exists(stuck.file.name)
    assert not evidence_storage.exists(other.file.name)
    assert f"evidence file {stuck.file.name} not deleted" in caplog.text
    assert set(CertificationEvidence.objects.values_list("file", flat=True)) == {""}


def test_the_teaching_history_and_the_lineage_stay_as_figures(tom):
    before = lineage_figures(tom)
    assert before["runs_given"] == 1
    assert before["supervisors_trained"] == 2
    assert before["child_parent"] == tom.user.pk

    account_erase(user=tom.user, by=tom.staff, reason="Verzoek")

    assert lineage_figures(tom) == before
    row = next(row for row in lineage()["rows"] if row.pk == tom.user.pk)
    assert "Tom" not in row.name


def test_no_audit_entry_holds_the_account_holder_any_more(tom):
    text = all_audit_text()
    assert "trainerman" in text
    assert "10.1.2.3" in text

    account_erase(user=tom.user, by=tom.staff, reason="Verzoek")

    text = all_audit_text()
    for word in WORDS:
        assert word not in text, word
    # The changes they made still say who made them: the anonymous account.
    entry = LogEntry.objects.get(
        content_type=ContentType.objects.get_for_model(tom.changed), object_pk=str(tom.changed.pk)
    )
    assert entry.actor_id == tom.user.pk


def test_the_erasure_is_recorded_without_the_name_and_twice_changes_nothing(tom):
    record = account_erase(user=tom.user, by=tom.staff, reason="Einde samenwerking")
    assert (record.user_id, record.person_id, record.by, record.reason) == (
        tom.user.pk,
        None,
        tom.staff,
        "Einde samenwerking",
    )
    assert record.summary["evidence_files"] == 1
    assert record.summary["second_factors"] >= 1
    assert "Tom" not in str(record.summary)

    again = account_erase(user=User.objects.get(pk=tom.user.pk), by=tom.staff, reason="nog eens")
    assert again == record
    assert ErasureRecord.objects.count() == 1


def test_a_person_with_the_same_address_is_left_to_their_own_erasure(tom):
    person = PersonFactory(email="Tom.Trainerman@example.org", first_name="Tom")
    account_erase(user=tom.user, by=tom.staff, reason="Verzoek")
    person.refresh_from_db()
    assert (person.first_name, person.email) == ("Tom", "Tom.Trainerman@example.org")


# Refusals


def refusal_codes(user, by):
    with pytest.raises(ValidationError) as refused:
        account_erase(user=user, by=by, reason="Verzoek")
    return {error.code for error in refused.value.error_list}


def test_nobody_erases_their_own_account():
    superuser, _other = UserFactory(is_superuser=True, roles=["staff"]), UserFactory(roles=["staff"])
    assert refusal_codes(superuser, superuser) == {"self"}
    assert User.objects.get(pk=superuser.pk).is_active
    staff = UserFactory(roles=["staff"])
    assert refusal_codes(staff, staff) == {"self", "superuser"}


def test_the_last_active_staff_account_is_not_erased():
    last = UserFactory(roles=["staff"], first_name="Laatste")
    gone = UserFactory(roles=["staff"])
    User.objects.filter(pk=gone.pk).update(is_active=False)
    superuser = UserFactory(is_superuser=True)

    assert refusal_codes(last, superuser) == {"last_staff"}
    assert User.objects.get(pk=last.pk).first_name == "Laatste"
    UserFactory(roles=["staff"])
    account_erase(user=last, by=superuser, reason="Vertrokken")


def test_a_trainer_with_runs_still_to_give_is_not_erased(tom):
    coming = TrainingFactory(status="open", meetings=2, title="Mentorwijs Culemborg")
    AssignmentFactory(training=coming, trainer=tom.user, role="co_trainer")
    with pytest.raises(ValidationError) as refused:
        account_erase(user=tom.user, by=tom.staff, reason="Verzoek")
    assert "Mentorwijs Culemborg" in " ".join(refused.value.messages)
    assert User.objects.get(pk=tom.user.pk).first_name == "Tom"
    assert CertificationEvidence.objects.get(pk=tom.evidence.pk).original_name == "diploma-tom.pdf"


def test_only_a_superuser_erases_a_superuser():
    superuser = UserFactory(is_superuser=True)
    staff = UserFactory(roles=["staff"])
    UserFactory(roles=["staff"])
    assert refusal_codes(superuser, staff) == {"superuser"}
    account_erase(user=superuser, by=UserFactory(is_superuser=True), reason="Vertrokken")
    assert not User.objects.get(pk=superuser.pk).is_superuser


@pytest.mark.parametrize("role", ["staff", "master_trainer"])
def test_only_a_superuser_erases_the_account_of_staff_or_a_master_trainer(role):
    colleague = UserFactory(roles=[role, "trainer"], first_name="Collega")
    staff = UserFactory(roles=["staff"])
    UserFactory(roles=["staff"])

    assert refusal_codes(colleague, staff) == {"superuser"}
    assert User.objects.get(pk=colleague.pk).first_name == "Collega"
    account_erase(user=colleague, by=UserFactory(is_superuser=True), reason="Vertrokken")
    assert User.objects.get(pk=colleague.pk).first_name == "Verwijderd"


@pytest.mark.parametrize("role", ["trainer", "ambassador"])
def test_staff_erase_the_account_of_a_trainer_or_an_ambassador(role):
    holder = UserFactory(roles=[role])
    account_erase(user=holder, by=UserFactory(roles=["staff"]), reason="Verzoek")
    assert User.objects.get(pk=holder.pk).first_name == "Verwijderd"


def test_staff_are_refused_a_colleagues_erasure_on_the_privacy_page(client):
    staff = UserFactory(roles=["staff"])
    colleague = UserFactory(roles=["staff", "master_trainer"], first_name="Collega")
    client.force_login(staff)
    url = reverse("privacy:account_erase", args=[colleague.pk])
    assert len(client.get(url).context["refusals"]) == 1

    response = client.post(url, {"reason": "weg"})

    assert response.status_code == 200
    assert [error.code for error in response.context["form"].non_field_errors().as_data()] == ["superuser"]
    colleague = User.objects.get(pk=colleague.pk)
    assert (colleague.first_name, colleague.is_active, colleague.has_usable_password()) == ("Collega", True, True)
    assert sorted(colleague.roles) == ["master_trainer", "staff"]


def test_the_account_holder_is_told_after_commit_at_the_address_it_had(
    tom, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        account_erase(user=tom.user, by=tom.staff, reason="Verzoek")
    assert mailoutbox == []  # nothing before the commit
    for callback in callbacks:
        callback()

    [notice] = mailoutbox
    assert notice.to == ["tom.trainerman@example.org"]
    assert "Tom" in notice.body
    assert notice.subject == "[Mentorwijs] Je Mentorwijs-account is gewist"


def test_no_notice_for_a_refused_erasure_or_the_retention_task(tom, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        refusal_codes(tom.user, tom.user)
        account_erase(user=tom.user, by=None, reason="retention")
    assert mailoutbox == []
