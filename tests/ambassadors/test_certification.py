from datetime import datetime, time, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from ambassadors.enums import CertificationAction, CertificationStatus, NoticeKind, RuleKind
from ambassadors.models import (
    Certification,
    CertificationEvidence,
    CertificationNotice,
    RefresherMeeting,
    RenewalRule,
)
from ambassadors.services.certification import (
    certification_add_info,
    certification_approve,
    certification_ask_info,
    certification_reject,
    certification_request,
    certification_revoke,
)
from ambassadors.storage import PrivateFileSystemStorage
from tests.factories import AssignmentFactory, CertificationFactory, TrainingFactory, UserFactory
from trainings.enums import MessageStatus, Variant

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def private_storage(monkeypatch, tmp_path):
    """Evidence goes to a temporary folder, never the real private one."""
    storage = PrivateFileSystemStorage(location=tmp_path)
    monkeypatch.setattr(CertificationEvidence._meta.get_field("file"), "storage", storage)


def pdf(name="bewijs.pdf"):
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def master_trainer(**kwargs):
    """A master trainer (role) holding a master-trainer certification valid today."""
    user = UserFactory(roles=["master_trainer"], two_factor=True, **kwargs)
    CertificationFactory(holder=user, level="master_trainer")
    return user


@pytest.fixture
def trainer():
    return UserFactory(roles=["trainer"])


@pytest.fixture
def reviewer():
    return master_trainer()


@pytest.fixture
def ttt_run():
    return TrainingFactory(variant=Variant.TRAIN_THE_TRAINER, status="completed")


@pytest.fixture
def requested(trainer, ttt_run):
    return certification_request(holder=trainer, level="trainer", training=ttt_run, note="Gave two runs")


@pytest.fixture
def no_renewal_rules():
    """Renewal rules are tested on their own below; here a renewal meets them by having none."""
    RenewalRule.objects.update(active=False)


def events(certification):
    return list(certification.events.order_by("at", "pk").values_list("action", "actor_id"))


def today():
    return timezone.localdate()


# --- the whole flow ---


def test_request_ask_add_approve_records_every_step_and_mails_the_trainer_once_each(
    trainer, reviewer, ttt_run, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        certification = certification_request(holder=trainer, level="trainer", training=ttt_run, files=[pdf()])
    assert certification.status == CertificationStatus.REQUESTED
    assert certification.evidence.count() == 1
    assert len(mailoutbox) == 1

    with django_capture_on_commit_callbacks(execute=True):
        certification_ask_info(certification=certification, reviewer=reviewer, note="Which runs did you give?")
    certification.refresh_from_db()
    assert certification.status == CertificationStatus.INFO_REQUESTED
    assert len(mailoutbox) == 2
    assert "Which runs did you give?" in mailoutbox[1].body

    with django_capture_on_commit_callbacks(execute=True):
        certification_add_info(certification=certification, by=trainer, note="Tiel and Culemborg", files=[pdf()])
    certification.refresh_from_db()
    assert certification.status == CertificationStatus.REQUESTED
    assert certification.evidence.count() == 2
    assert len(mailoutbox) == 3

    with django_capture_on_commit_callbacks(execute=True):
        certification_approve(certification=certification, reviewer=reviewer)
    certification.refresh_from_db()
    assert certification.status == CertificationStatus.APPROVED
    assert certification.reviewed_by == reviewer
    assert certification.reviewed_at is not None
    assert certification.certified_by == reviewer
    assert len(mailoutbox) == 4
    assert all(message.to == [trainer.email] for message in mailoutbox)
    assert len({message.extra_headers["Message-ID"] for message in mailoutbox}) == 4

    assert events(certification) == [
        (CertificationAction.REQUESTED, trainer.pk),
        (CertificationAction.INFO_REQUESTED, reviewer.pk),
        (CertificationAction.INFO_ADDED, trainer.pk),
        (CertificationAction.APPROVED, reviewer.pk),
    ]
    sent = certification.notices.filter(status=MessageStatus.SENT).order_by("pk").values_list("kind", flat=True)
    assert list(sent) == [NoticeKind.REQUESTED, NoticeKind.INFO_REQUESTED, NoticeKind.REQUESTED, NoticeKind.APPROVED]


def test_the_flow_through_the_pages(client, trainer, ttt_run, mailoutbox, django_capture_on_commit_callbacks):
    reviewer = master_trainer()
    client.force_login(trainer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("ambassadors:certification_request"),
            {"level": "trainer", "training": ttt_run.pk, "note": "Two runs", "files": [pdf("a.pdf"), pdf("b.pdf")]},
        )
    certification = Certification.objects.get(holder=trainer)
    assert response.status_code == 302
    assert response["Location"] == reverse("ambassadors:certification_detail", kwargs={"pk": certification.pk})
    assert certification.training == ttt_run
    assert certification.evidence.count() == 2

    review_url = reverse("ambassadors:certification_review", kwargs={"pk": certification.pk})
    client.force_login(reviewer)
    assert client.get(review_url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(review_url, {"action": "ask_info", "ask_info-note": "Send the evaluation"})
    assert response.status_code == 302

    detail_url = reverse("ambassadors:certification_detail", kwargs={"pk": certification.pk})
    client.force_login(trainer)
    page = client.get(detail_url)
    assert page.status_code == 200
    assert page.context["form"] is not None
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(detail_url, {"note": "Here it is", "files": [pdf("evaluatie.pdf")]})
    assert response.status_code == 302

    client.force_login(reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(review_url, {"action": "approve", "approve-note": "Well done"})
    assert response.status_code == 302
    assert response["Location"] == reverse("ambassadors:review_list")
    certification.refresh_from_db()
    assert certification.status == CertificationStatus.APPROVED
    assert certification.review_note == "Well done"
    assert certification.evidence.count() == 3
    assert len(mailoutbox) == 4
    assert [action for action, _actor in events(certification)] == [
        CertificationAction.REQUESTED,
        CertificationAction.INFO_REQUESTED,
        CertificationAction.INFO_ADDED,
        CertificationAction.APPROVED,
    ]


def test_the_detail_page_shows_history_and_evidence_to_the_holder(client, trainer):
    certification = certification_request(holder=trainer, level="trainer", files=[pdf()])
    client.force_login(trainer)
    response = client.get(reverse("ambassadors:certification_detail", kwargs={"pk": certification.pk}))
    assert response.status_code == 200
    assert b'data-testid="history"' in response.content
    assert b'data-testid="evidence-link"' in response.content
    assert b'data-testid="review-link"' not in response.content
    assert response.context["form"] is None  # nothing was asked


# --- request rules ---


def test_a_second_open_request_at_the_same_level_is_refused(requested, trainer):
    with pytest.raises(ValidationError) as caught:
        certification_request(holder=trainer, level="trainer")
    assert list(caught.value.error_dict) == ["level"]
    certification_request(holder=trainer, level="master_trainer")  # another level is fine
    assert Certification.objects.filter(holder=trainer).count() == 2


def test_a_request_while_more_information_is_asked_is_also_refused(requested, trainer, reviewer):
    certification_ask_info(certification=requested, reviewer=reviewer, note="More please")
    with pytest.raises(ValidationError):
        certification_request(holder=trainer, level="trainer")


def test_the_run_must_be_a_train_the_trainer_run(trainer):
    with pytest.raises(ValidationError) as caught:
        certification_request(holder=trainer, level="trainer", training=TrainingFactory(variant=Variant.STANDARD))
    assert list(caught.value.error_dict) == ["training"]
    assert not Certification.objects.exists()


def test_the_request_page_offers_only_train_the_trainer_runs(client, trainer, ttt_run):
    TrainingFactory(variant=Variant.STANDARD)
    client.force_login(trainer)
    response = client.get(reverse("ambassadors:certification_request"))
    assert list(response.context["form"].fields["training"].queryset) == [ttt_run]


def test_only_the_holders_own_granted_certification_can_be_renewed(trainer):
    others = CertificationFactory()
    with pytest.raises(ValidationError) as caught:
        certification_request(holder=trainer, renews=others)
    assert list(caught.value.error_dict) == ["renews"]
    rejected = CertificationFactory(holder=trainer, status="rejected", valid_from=None, valid_until=None)
    with pytest.raises(ValidationError):
        certification_request(holder=trainer, renews=rejected)


def test_a_renewal_takes_the_level_of_the_renewed_certification(trainer):
    current = CertificationFactory(holder=trainer, level="co_trainer")
    renewal = certification_request(holder=trainer, renews=current)
    assert renewal.level == "co_trainer"
    assert renewal.renews == current


def test_the_renewal_page_for_another_trainers_certification_answers_404(client, trainer):
    client.force_login(trainer)
    other = CertificationFactory()
    url = reverse("ambassadors:certification_request") + f"?renews={other.pk}"
    assert client.get(url).status_code == 404


def test_the_renewal_page_fixes_the_level(client, trainer):
    current = CertificationFactory(holder=trainer, level="co_trainer")
    client.force_login(trainer)
    url = reverse("ambassadors:certification_request") + f"?renews={current.pk}"
    response = client.post(url, {"level": "master_trainer", "note": ""})
    assert response.status_code == 302
    renewal = Certification.objects.get(renews=current)
    assert renewal.level == "co_trainer"


def test_only_the_holder_adds_information_and_only_when_asked(requested, trainer, reviewer):
    with pytest.raises(ValidationError):
        certification_add_info(certification=requested, by=trainer, note="Unasked")
    certification_ask_info(certification=requested, reviewer=reviewer, note="More please")
    with pytest.raises(ValidationError):
        certification_add_info(certification=requested, by=UserFactory(roles=["trainer"]), note="Not mine")
    with pytest.raises(ValidationError) as caught:
        certification_add_info(certification=requested, by=trainer)
    assert list(caught.value.error_dict) == ["note"]
    requested.refresh_from_db()
    assert requested.status == CertificationStatus.INFO_REQUESTED


# --- who may see and review ---


def test_another_trainers_certification_answers_404(client, requested):
    client.force_login(UserFactory(roles=["trainer"]))
    response = client.get(reverse("ambassadors:certification_detail", kwargs={"pk": requested.pk}))
    assert response.status_code == 404


def test_a_reviewer_sees_the_certification_with_a_link_to_review(client, requested, reviewer):
    client.force_login(reviewer)
    response = client.get(reverse("ambassadors:certification_detail", kwargs={"pk": requested.pk}))
    assert response.status_code == 200
    assert b'data-testid="review-link"' in response.content


@pytest.mark.parametrize("url_name", ["review_list", "certification_review"])
def test_a_trainer_cannot_review(client, requested, trainer, url_name):
    client.force_login(trainer)
    kwargs = {"pk": requested.pk} if url_name == "certification_review" else {}
    url = reverse(f"ambassadors:{url_name}", kwargs=kwargs)
    assert client.get(url).status_code == 403
    assert client.post(url, {"action": "approve"}).status_code == 403
    requested.refresh_from_db()
    assert requested.status == CertificationStatus.REQUESTED


def test_an_ambassador_cannot_request_a_certification(client):
    client.force_login(UserFactory(roles=["ambassador"]))
    assert client.get(reverse("ambassadors:certification_request")).status_code == 403


def test_anonymous_is_sent_to_log_in(client, requested):
    response = client.get(reverse("ambassadors:certification_detail", kwargs={"pk": requested.pk}))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_nobody_approves_their_own_request():
    own = master_trainer()
    request = certification_request(holder=own, level="master_trainer")
    with pytest.raises(ValidationError):
        certification_approve(certification=request, reviewer=own)
    request.refresh_from_db()
    assert request.status == CertificationStatus.REQUESTED


def test_the_review_page_of_ones_own_request_answers_404(client):
    own = master_trainer()
    request = certification_request(holder=own, level="master_trainer")
    client.force_login(own)
    assert client.get(reverse("ambassadors:certification_review", kwargs={"pk": request.pk})).status_code == 404


def test_a_trainer_cannot_decide_through_the_service(requested):
    with pytest.raises(ValidationError):
        certification_approve(certification=requested, reviewer=UserFactory(roles=["trainer"]))


# --- reject and revoke ---


def test_reject_needs_a_reason(client, requested, reviewer):
    with pytest.raises(ValidationError) as caught:
        certification_reject(certification=requested, reviewer=reviewer, reason="  ")
    assert list(caught.value.error_dict) == ["reason"]
    client.force_login(reviewer)
    url = reverse("ambassadors:certification_review", kwargs={"pk": requested.pk})
    response = client.post(url, {"action": "reject", "reject-reason": ""})
    assert response.status_code == 400
    assert list(response.context["forms"]["reject"].errors) == ["reason"]
    requested.refresh_from_db()
    assert requested.status == CertificationStatus.REQUESTED
    assert not requested.events.filter(action=CertificationAction.REJECTED).exists()


def test_reject_stores_the_reason_and_mails_it(
    requested, trainer, reviewer, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        certification_reject(certification=requested, reviewer=reviewer, reason="Not enough runs yet")
    requested.refresh_from_db()
    assert requested.status == CertificationStatus.REJECTED
    assert requested.review_note == "Not enough runs yet"
    assert requested.reviewed_by == reviewer
    assert events(requested)[-1] == (CertificationAction.REJECTED, reviewer.pk)
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [trainer.email]
    assert "Not enough runs yet" in mailoutbox[0].body


def test_a_decided_request_cannot_be_decided_again(requested, reviewer):
    certification_approve(certification=requested, reviewer=reviewer)
    with pytest.raises(ValidationError):
        certification_reject(certification=requested, reviewer=master_trainer(), reason="Too late")
    requested.refresh_from_db()
    assert requested.status == CertificationStatus.APPROVED


def test_revoke_cancels_the_warnings_and_mails_the_trainer(
    requested, trainer, reviewer, mailoutbox, django_capture_on_commit_callbacks
):
    certification_approve(certification=requested, reviewer=reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        certification_revoke(certification=requested, by=reviewer, reason="Did not follow the handbook")
    requested.refresh_from_db()
    assert requested.status == CertificationStatus.REVOKED
    assert events(requested)[-1] == (CertificationAction.REVOKED, reviewer.pk)
    warnings = requested.notices.filter(kind__in=[NoticeKind.EXPIRES_IN_SIX_MONTHS, NoticeKind.EXPIRES_IN_ONE_MONTH])
    assert set(warnings.values_list("status", flat=True)) == {MessageStatus.CANCELLED}
    assert requested.notices.get(kind=NoticeKind.REVOKED).status == MessageStatus.SENT
    assert [message.to for message in mailoutbox] == [[trainer.email]]


def test_only_an_approved_certification_can_be_revoked(requested, reviewer):
    with pytest.raises(ValidationError):
        certification_revoke(certification=requested, by=reviewer, reason="No")
    with pytest.raises(ValidationError) as caught:
        certification_revoke(certification=requested, by=reviewer, reason="")
    assert list(caught.value.error_dict) == ["reason"]


# --- approval: dates, lineage and warnings ---


def test_approval_dates_default_to_today_and_two_years(requested, reviewer):
    certification_approve(certification=requested, reviewer=reviewer)
    requested.refresh_from_db()
    assert requested.valid_from == today()
    assert requested.valid_until == today() + relativedelta(years=2)


def test_the_validity_period_follows_the_value_staff_set(requested, reviewer, policy):
    policy(certification_valid_years=3)
    certification_approve(certification=requested, reviewer=reviewer)
    requested.refresh_from_db()
    assert requested.valid_until == today() + relativedelta(years=3)


def test_a_renewal_continues_the_old_period_and_silences_its_warnings(trainer, reviewer, no_renewal_rules):
    current = CertificationFactory(holder=trainer, valid_from=today() - timedelta(days=600))
    current_end = current.valid_until
    certification_approve(certification=certification_request(holder=trainer, level="co_trainer"), reviewer=reviewer)
    pending = CertificationNotice.objects.create(
        certification=current, kind=NoticeKind.EXPIRES_IN_ONE_MONTH, due_at=timezone.now() + timedelta(days=60)
    )
    renewal = certification_request(holder=trainer, renews=current)
    certification_approve(certification=renewal, reviewer=reviewer)
    renewal.refresh_from_db()
    assert renewal.valid_from == current_end
    assert renewal.valid_until == current_end + relativedelta(years=2)
    pending.refresh_from_db()
    assert pending.status == MessageStatus.CANCELLED


def test_a_late_renewal_starts_today(trainer, reviewer, no_renewal_rules):
    lapsed = CertificationFactory(
        holder=trainer,
        status="expired",
        valid_from=today() - timedelta(days=800),
        valid_until=today() - timedelta(days=70),
    )
    renewal = certification_request(holder=trainer, renews=lapsed)
    certification_approve(certification=renewal, reviewer=reviewer)
    renewal.refresh_from_db()
    assert renewal.valid_from == today()


def test_approval_stores_the_two_warnings_six_and_one_month_before_the_end(requested, reviewer):
    certification_approve(certification=requested, reviewer=reviewer)
    requested.refresh_from_db()
    warnings = {
        notice.kind: notice
        for notice in requested.notices.filter(
            kind__in=[NoticeKind.EXPIRES_IN_SIX_MONTHS, NoticeKind.EXPIRES_IN_ONE_MONTH]
        )
    }
    assert timezone.localtime(warnings[NoticeKind.EXPIRES_IN_SIX_MONTHS].due_at).date() == (
        requested.valid_until - relativedelta(months=6)
    )
    assert timezone.localtime(warnings[NoticeKind.EXPIRES_IN_ONE_MONTH].due_at).date() == (
        requested.valid_until - relativedelta(months=1)
    )
    assert {notice.status for notice in warnings.values()} == {MessageStatus.PENDING}


def test_explicit_dates_are_kept_and_must_be_in_order(requested, reviewer):
    start = today() + timedelta(days=10)
    with pytest.raises(ValidationError) as caught:
        certification_approve(certification=requested, reviewer=reviewer, valid_from=start, valid_until=start)
    assert list(caught.value.error_dict) == ["valid_until"]
    certification_approve(
        certification=requested, reviewer=reviewer, valid_from=start, valid_until=start + timedelta(days=400)
    )
    requested.refresh_from_db()
    assert (requested.valid_from, requested.valid_until) == (start, start + timedelta(days=400))


def test_staff_who_are_not_master_trainers_must_name_the_certifier(requested, staff_user):
    with pytest.raises(ValidationError) as caught:
        certification_approve(certification=requested, reviewer=staff_user)
    assert list(caught.value.error_dict) == ["certified_by"]
    certifier = master_trainer()
    certification_approve(certification=requested, reviewer=staff_user, certified_by=certifier)
    requested.refresh_from_db()
    assert requested.certified_by == certifier
    assert requested.reviewed_by == staff_user


def test_the_certifier_must_hold_a_master_trainer_certification_valid_today(requested, staff_user):
    lapsed = UserFactory(roles=["master_trainer"])
    CertificationFactory(
        holder=lapsed,
        level="master_trainer",
        status="expired",
        valid_from=today() - timedelta(days=800),
        valid_until=today() - timedelta(days=1),
    )
    with pytest.raises(ValidationError) as caught:
        certification_approve(certification=requested, reviewer=staff_user, certified_by=lapsed)
    assert list(caught.value.error_dict) == ["certified_by"]


def test_a_master_trainer_without_a_valid_certification_must_name_one(requested):
    reviewer = UserFactory(roles=["master_trainer"], two_factor=True)
    with pytest.raises(ValidationError) as caught:
        certification_approve(certification=requested, reviewer=reviewer)
    assert list(caught.value.error_dict) == ["certified_by"]


def test_staff_may_approve_an_original_trainer_without_certifier(requested, staff_user):
    certification_approve(certification=requested, reviewer=staff_user, original=True)
    requested.refresh_from_db()
    assert requested.status == CertificationStatus.APPROVED
    assert requested.certified_by is None


def test_a_master_trainer_cannot_approve_an_original_trainer_without_a_valid_certification(requested):
    reviewer = UserFactory(roles=["master_trainer"], two_factor=True)
    with pytest.raises(ValidationError):
        certification_approve(certification=requested, reviewer=reviewer, original=True)


def test_the_approve_form_shows_the_certifier_error_next_to_the_field(client, requested, staff_client):
    url = reverse("ambassadors:certification_review", kwargs={"pk": requested.pk})
    response = staff_client.post(url, {"action": "approve"})
    assert response.status_code == 400
    assert list(response.context["forms"]["approve"].errors) == ["certified_by"]
    requested.refresh_from_db()
    assert requested.status == CertificationStatus.REQUESTED
    assert not requested.notices.filter(kind=NoticeKind.APPROVED).exists()


def test_staff_approve_an_original_trainer_through_the_page(requested, staff_client):
    url = reverse("ambassadors:certification_review", kwargs={"pk": requested.pk})
    response = staff_client.post(url, {"action": "approve", "approve-original": "on"})
    assert response.status_code == 302
    requested.refresh_from_db()
    assert (requested.status, requested.certified_by) == (CertificationStatus.APPROVED, None)


def test_a_master_trainer_before_the_first_certification_is_told_who_starts_the_lineage(client, requested):
    uncertified = UserFactory(roles=["master_trainer"], two_factor=True)
    client.force_login(uncertified)
    url = reverse("ambassadors:certification_review", kwargs={"pk": requested.pk})

    field = client.get(url).context["forms"]["approve"].fields["certified_by"]
    assert "Werkzaak-medewerkers keuren de eerste opleiders goed als oorspronkelijke trainers" in str(field.help_text)

    master_trainer()  # once someone can certify, the usual help returns
    field = client.get(url).context["forms"]["approve"].fields["certified_by"]
    assert "oorspronkelijke" not in str(field.help_text)


def test_a_decision_that_no_longer_fits_the_status_changes_nothing(client, requested, reviewer):
    client.force_login(reviewer)
    url = reverse("ambassadors:certification_review", kwargs={"pk": requested.pk})
    response = client.post(url, {"action": "revoke", "revoke-reason": "No"})
    assert response.status_code == 302
    assert response["Location"] == url
    requested.refresh_from_db()
    assert requested.status == CertificationStatus.REQUESTED


# --- the review list ---


def test_the_review_list_shows_open_requests_oldest_first_without_my_own(client, reviewer):
    newer = certification_request(holder=UserFactory(roles=["trainer"]), level="trainer")
    older = certification_request(holder=UserFactory(roles=["trainer"]), level="trainer")
    Certification.objects.filter(pk=older.pk).update(requested_at=timezone.now() - timedelta(days=3))
    asked = certification_request(holder=UserFactory(roles=["trainer"]), level="co_trainer")
    certification_ask_info(certification=asked, reviewer=reviewer, note="More")
    decided = certification_request(holder=UserFactory(roles=["trainer"]), level="trainer")
    certification_reject(certification=decided, reviewer=reviewer, reason="No")
    certification_request(holder=reviewer, level="master_trainer")
    client.force_login(reviewer)
    response = client.get(reverse("ambassadors:review_list"))
    assert [c.pk for c in response.context["requests"]] == [older.pk, newer.pk, asked.pk]


@pytest.mark.parametrize("count", [2, 30])
def test_the_review_list_runs_a_fixed_number_of_queries(client, reviewer, ttt_run, count, django_assert_num_queries):
    for _ in range(count):
        request = certification_request(holder=UserFactory(roles=["trainer"]), level="trainer", training=ttt_run)
        CertificationEvidence.objects.create(
            certification=request, file="evidence/x.pdf", original_name="x.pdf", content_type="application/pdf", size=1
        )
    renewed = CertificationFactory()
    certification_request(holder=renewed.holder, renews=renewed)
    client.force_login(reviewer)
    with django_assert_num_queries(3):
        response = client.get(reverse("ambassadors:review_list"))
    assert response.status_code == 200
    assert len(response.context["requests"]) == count + 1
    assert all(row.evidence_count == 1 for row in response.context["requests"] if row.renews_id is None)


# --- revoking while the trainer gives runs ---


def upcoming_run(trainer, *, role="lead", status="open", days_ahead=14, meetings=3, **kwargs):
    """A run `trainer` gives in `role`, with weekly meetings from `days_ahead` days on."""
    first = timezone.make_aware(datetime.combine(today() + timedelta(days=days_ahead), time(18, 0)))
    run = TrainingFactory(status=status, meetings=meetings, meetings__first_meeting=first, **kwargs)
    AssignmentFactory(training=run, trainer=trainer, role=role)
    return run


def test_revoking_is_refused_while_the_trainer_leads_a_run_nothing_else_covers(
    client, trainer, reviewer, mailoutbox, django_capture_on_commit_callbacks
):
    certification = CertificationFactory(holder=trainer, level="trainer")
    upcoming_run(trainer, title="Mentorwijs Culemborg voorjaar")
    with pytest.raises(ValidationError) as caught:
        certification_revoke(certification=certification, by=reviewer, reason="Handbook not followed")
    assert caught.value.code == "runs_not_covered"
    assert "Mentorwijs Culemborg voorjaar" in caught.value.messages[0]  # the run is named

    client.force_login(reviewer)
    url = reverse("ambassadors:certification_review", kwargs={"pk": certification.pk})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"action": "revoke", "revoke-reason": "Handbook not followed"})
    assert response.status_code == 400
    assert list(response.context["forms"]["revoke"].errors) == ["__all__"]
    certification.refresh_from_db()
    assert certification.status == CertificationStatus.APPROVED
    assert not certification.events.filter(action=CertificationAction.REVOKED).exists()
    assert not certification.notices.filter(kind=NoticeKind.REVOKED).exists()
    assert mailoutbox == []


def test_revoking_is_allowed_when_another_certification_covers_the_runs(trainer, reviewer):
    certification = CertificationFactory(holder=trainer, level="trainer")
    CertificationFactory(holder=trainer, level="master_trainer")
    CertificationFactory(holder=UserFactory(), level="trainer")  # somebody else's counts for nothing
    upcoming_run(trainer, role="lead")
    certification_revoke(certification=certification, by=reviewer, reason="Replaced")
    certification.refresh_from_db()
    assert certification.status == CertificationStatus.REVOKED


def test_revoking_the_higher_level_keeps_a_co_trainer_who_still_holds_a_co_trainer_certification(trainer, reviewer):
    certification = CertificationFactory(holder=trainer, level="trainer")
    CertificationFactory(holder=trainer, level="co_trainer")
    upcoming_run(trainer, role="co_trainer")
    certification_revoke(certification=certification, by=reviewer, reason="Back to co-trainer")
    certification.refresh_from_db()
    assert certification.status == CertificationStatus.REVOKED

    lead_again = CertificationFactory(holder=trainer, level="trainer")
    run = upcoming_run(trainer, role="lead")
    with pytest.raises(ValidationError):
        certification_revoke(certification=lead_again, by=reviewer, reason="No")
    assert run.assignments.get().trainer == trainer


def test_revoking_ignores_cancelled_completed_and_past_runs_and_candidates(trainer, reviewer):
    certification = CertificationFactory(holder=trainer, level="trainer")
    upcoming_run(trainer, status="cancelled")
    upcoming_run(trainer, status="completed")
    upcoming_run(trainer, status="running", days_ahead=-30)  # every meeting before today
    upcoming_run(trainer, role="candidate")  # supervised practice needs no certification
    cancelled_meetings = upcoming_run(trainer)
    cancelled_meetings.meetings.update(status="cancelled")
    certification_revoke(certification=certification, by=reviewer, reason="Stopped")
    certification.refresh_from_db()
    assert certification.status == CertificationStatus.REVOKED


# --- a revoked certification does not come back through its renewal ---


def test_a_renewal_of_a_revoked_certification_cannot_be_approved(trainer, reviewer, no_renewal_rules):
    current = CertificationFactory(holder=trainer)
    renewal = certification_request(holder=trainer, renews=current)
    Certification.objects.filter(pk=current.pk).update(status=CertificationStatus.REVOKED)
    with pytest.raises(ValidationError) as caught:
        certification_approve(certification=renewal, reviewer=reviewer)
    assert caught.value.code == "renews_revoked"
    renewal.refresh_from_db()
    assert renewal.status == CertificationStatus.REQUESTED
    assert renewal.valid_from is None


def test_revoking_closes_the_open_renewal_request(
    trainer, reviewer, mailoutbox, django_capture_on_commit_callbacks, no_renewal_rules
):
    current = CertificationFactory(holder=trainer)
    renewal = certification_request(holder=trainer, renews=current)
    with django_capture_on_commit_callbacks(execute=True):
        certification_revoke(certification=current, by=reviewer, reason="Misconduct")
    renewal.refresh_from_db()
    assert renewal.status == CertificationStatus.REJECTED
    assert (renewal.reviewed_by, renewal.review_note != "") == (reviewer, True)
    assert events(renewal)[-1] == (CertificationAction.REJECTED, reviewer.pk)
    assert "Misconduct" in renewal.events.get(action=CertificationAction.REJECTED).note
    notice = renewal.notices.get(kind=NoticeKind.REJECTED)
    assert (notice.status, notice.context) == (MessageStatus.SENT, {"reason": "Misconduct", "renews_revoked": True})
    assert sorted(message.extra_headers["Message-ID"] for message in mailoutbox) == sorted(
        f"<ambassadors-notice-{pk}@mentorwijs.nl>"
        for pk in CertificationNotice.objects.filter(
            kind__in=[NoticeKind.REVOKED, NoticeKind.REJECTED], certification__holder=trainer
        ).values_list("pk", flat=True)
    )
    assert len(mailoutbox) == 2
    assert all("Misconduct" in message.body for message in mailoutbox)


def test_revoking_also_revokes_an_approved_renewal_that_starts_later(trainer, reviewer, no_renewal_rules):
    current = CertificationFactory(holder=trainer)
    renewal = certification_request(holder=trainer, renews=current)
    certification_approve(certification=renewal, reviewer=reviewer)
    renewal.refresh_from_db()
    assert renewal.valid_from == current.valid_until > today()
    further = certification_request(holder=trainer, renews=renewal)  # a request on the renewal
    certification_revoke(certification=current, by=reviewer, reason="Misconduct")
    renewal.refresh_from_db()
    further.refresh_from_db()
    assert renewal.status == CertificationStatus.REVOKED
    assert events(renewal)[-1] == (CertificationAction.REVOKED, reviewer.pk)
    warnings = renewal.notices.filter(kind__in=[NoticeKind.EXPIRES_IN_SIX_MONTHS, NoticeKind.EXPIRES_IN_ONE_MONTH])
    assert set(warnings.values_list("status", flat=True)) == {MessageStatus.CANCELLED}
    assert renewal.notices.filter(kind=NoticeKind.REVOKED).count() == 1
    assert further.status == CertificationStatus.REJECTED


def test_an_approved_renewal_already_in_force_stays(trainer, reviewer):
    current = CertificationFactory(holder=trainer, valid_from=today() - timedelta(days=730), valid_until=today())
    in_force = CertificationFactory(
        holder=trainer, renews=current, valid_from=today(), valid_until=today() + timedelta(days=730)
    )
    certification_revoke(certification=current, by=reviewer, reason="Found out late")
    in_force.refresh_from_db()
    assert in_force.status == CertificationStatus.APPROVED


def test_a_revoked_renewal_makes_runs_after_the_current_period_uncovered(trainer, reviewer, no_renewal_rules):
    current = CertificationFactory(holder=trainer, valid_from=today() - timedelta(days=700))
    renewal = certification_request(holder=trainer, renews=current)
    certification_approve(certification=renewal, reviewer=reviewer)
    # Its meetings fall after the current certification expires, within the renewal.
    upcoming_run(trainer, days_ahead=(current.valid_until - today()).days + 7)
    with pytest.raises(ValidationError):
        certification_revoke(certification=current, by=reviewer, reason="Misconduct")
    assert set(Certification.objects.filter(holder=trainer).values_list("status", flat=True)) == {
        CertificationStatus.APPROVED
    }


# --- renewal rules at review ---


def renewal_of(trainer, *, valid_from_days_ago=600):
    current = CertificationFactory(holder=trainer, valid_from=today() - timedelta(days=valid_from_days_ago))
    return current, certification_request(holder=trainer, renews=current)


def only_a_refresher_rule(level="trainer"):
    RenewalRule.objects.update(active=False)
    RenewalRule.objects.filter(level=level, kind=RuleKind.REFRESHERS).update(active=True, minimum=1)


def test_a_renewal_that_misses_rules_is_refused_unless_the_reviewer_overrides(trainer, reviewer):
    _current, renewal = renewal_of(trainer)
    with pytest.raises(ValidationError) as caught:
        certification_approve(certification=renewal, reviewer=reviewer, note="Good trainer")
    assert list(caught.value.error_dict) == ["override_rules"]
    renewal.refresh_from_db()
    assert renewal.status == CertificationStatus.REQUESTED

    certification_approve(certification=renewal, reviewer=reviewer, note="Good trainer", override_rules=True)
    renewal.refresh_from_db()
    assert renewal.status == CertificationStatus.APPROVED
    assert renewal.review_note == "Good trainer"
    approved = renewal.events.get(action=CertificationAction.APPROVED)
    assert approved.note.startswith("Good trainer\n\n")  # followed by the rules that were overridden
    assert "0" in approved.note.removeprefix("Good trainer")  # e.g. "0 of 2" runs given


def test_a_renewal_that_meets_the_rules_needs_no_override(trainer, reviewer):
    only_a_refresher_rule()
    current, renewal = renewal_of(trainer)
    meeting = RefresherMeeting.objects.create(title="Terugkomdag", held_on=today() - timedelta(days=20))
    meeting.attendees.add(trainer)
    certification_approve(certification=renewal, reviewer=reviewer, note="Fine")
    renewal.refresh_from_db()
    assert renewal.status == CertificationStatus.APPROVED
    assert renewal.events.get(action=CertificationAction.APPROVED).note == "Fine"


def test_a_first_certification_is_not_held_to_renewal_rules(requested, reviewer):
    certification_approve(certification=requested, reviewer=reviewer, note="Welcome")
    requested.refresh_from_db()
    assert requested.status == CertificationStatus.APPROVED
    assert requested.events.get(action=CertificationAction.APPROVED).note == "Welcome"


def test_the_review_page_shows_the_rules_and_the_override_for_a_renewal(client, trainer, reviewer):
    only_a_refresher_rule()
    _current, renewal = renewal_of(trainer)
    client.force_login(reviewer)
    url = reverse("ambassadors:certification_review", kwargs={"pk": renewal.pk})
    page = client.get(url)
    assert page.status_code == 200
    [rule] = page.context["renewal_progress"]
    assert (rule.kind, rule.achieved, rule.met) == (RuleKind.REFRESHERS, 0, False)
    content = page.content.decode()
    assert 'data-testid="renewal-rules" data-all-met="false"' in content
    assert 'data-kind="refreshers" data-achieved="0" data-minimum="1" data-met="false"' in content
    assert 'name="approve-override_rules"' in content

    response = client.post(url, {"action": "approve"})
    assert response.status_code == 400
    assert list(response.context["forms"]["approve"].errors) == ["override_rules"]
    renewal.refresh_from_db()
    assert renewal.status == CertificationStatus.REQUESTED

    response = client.post(url, {"action": "approve", "approve-override_rules": "on"})
    assert response.status_code == 302
    renewal.refresh_from_db()
    assert renewal.status == CertificationStatus.APPROVED


def test_the_review_page_of_a_first_request_has_no_rules_and_no_override(client, requested, reviewer):
    client.force_login(reviewer)
    page = client.get(reverse("ambassadors:certification_review", kwargs={"pk": requested.pk}))
    assert page.context["renewal_progress"] is None
    assert b'data-testid="renewal-rules"' not in page.content
    assert "override_rules" not in page.context["forms"]["approve"].fields


def test_the_review_page_shows_the_supervised_practice(client, requested, trainer, reviewer):
    lead = UserFactory(roles=["trainer"], first_name="Lotte", last_name="Bos")
    done = upcoming_run(trainer, role="candidate", status="completed", days_ahead=-90)
    AssignmentFactory(training=done, trainer=lead, role="lead")
    going = upcoming_run(trainer, role="candidate", status="running", days_ahead=-7)
    upcoming_run(trainer, role="co_trainer", status="completed", days_ahead=-200)  # not as a candidate
    upcoming_run(UserFactory(roles=["trainer"]), role="candidate", status="completed")  # somebody else
    client.force_login(reviewer)
    page = client.get(reverse("ambassadors:certification_review", kwargs={"pk": requested.pk}))
    supervised = page.context["supervised"]
    assert [run.pk for run in supervised.runs] == [going.pk, done.pk]
    assert supervised.completed == 1
    assert supervised.runs[1].lead_name == "Lotte Bos"
    content = page.content.decode()
    assert 'data-testid="supervised-practice" data-runs="2" data-completed="1"' in content
    assert content.count('data-testid="practice-run"') == 2


# --- approval after the period ---


@pytest.mark.parametrize("days", [0, -1])
def test_an_approval_that_would_already_have_expired_is_refused(requested, reviewer, days):
    with pytest.raises(ValidationError) as caught:
        certification_approve(
            certification=requested,
            reviewer=reviewer,
            valid_from=today() - timedelta(days=400),
            valid_until=today() + timedelta(days=days),
        )
    assert list(caught.value.error_dict) == ["valid_until"]
    requested.refresh_from_db()
    assert requested.status == CertificationStatus.REQUESTED
    assert not requested.notices.exclude(kind=NoticeKind.REQUESTED).exists()


def test_the_detail_page_gives_the_expiry_day(client, trainer):
    certification = CertificationFactory(holder=trainer)
    client.force_login(trainer)
    response = client.get(reverse("ambassadors:certification_detail", kwargs={"pk": certification.pk}))
    assert f'data-expires-on="{certification.valid_until.isoformat()}"' in response.content.decode()
