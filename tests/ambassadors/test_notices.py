"""Expiry warnings as rows: stored at approval, due six and one month ahead, sent once when due."""

from datetime import datetime, time, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.urls import reverse
from django.utils import timezone

from ambassadors.enums import NoticeKind
from ambassadors.models import CertificationNotice
from ambassadors.services.notices import notices_send_due, warnings_schedule
from ambassadors.tasks import send_due_notices
from tests.factories import CertificationFactory, UserFactory
from trainings.enums import MessageStatus

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
SIX, ONE = NoticeKind.EXPIRES_IN_SIX_MONTHS, NoticeKind.EXPIRES_IN_ONE_MONTH


def morning(day):
    return timezone.make_aware(datetime.combine(day, time(8, 0)))


def approved(valid_until, **kwargs):
    """An approved certification with its warnings stored, as the approval stores them."""
    certification = CertificationFactory(
        valid_from=valid_until - timedelta(days=730), valid_until=valid_until, **kwargs
    )
    warnings_schedule(certification=certification)
    return certification


def notices(certification):
    return {n.kind: n for n in CertificationNotice.objects.filter(certification=certification)}


def make_due(certification, kind):
    """The day of the warning has come."""
    CertificationNotice.objects.filter(certification=certification, kind=kind).update(
        due_at=timezone.now() - timedelta(minutes=1)
    )


def test_the_warnings_are_due_six_and_one_month_before_expiry_at_eight():
    valid_until = TODAY + timedelta(days=400)
    certification = approved(valid_until)
    stored = notices(certification)
    assert set(stored) == {SIX, ONE}
    assert stored[SIX].due_at == morning(valid_until - relativedelta(months=6))
    assert stored[ONE].due_at == morning(valid_until - relativedelta(months=1))
    assert {n.status for n in stored.values()} == {MessageStatus.PENDING}


def test_warnings_are_stored_once_per_certification():
    certification = approved(TODAY + timedelta(days=400))
    warnings_schedule(certification=certification)
    assert CertificationNotice.objects.filter(certification=certification).count() == 2


def test_send_due_sends_only_what_is_due_and_only_once(mailoutbox):
    holder = UserFactory(roles=["trainer"])
    certification = approved(TODAY + timedelta(days=400), holder=holder)
    assert notices_send_due() == 0
    assert mailoutbox == []

    make_due(certification, SIX)
    assert notices_send_due() == 1
    assert notices_send_due() == 0  # run twice: still one mail
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [holder.email]
    assert reverse("ambassadors:certification_request") + f"?renews={certification.pk}" in mailoutbox[0].body
    stored = notices(certification)
    assert stored[SIX].status == MessageStatus.SENT
    assert stored[ONE].status == MessageStatus.PENDING

    make_due(certification, ONE)
    assert send_due_notices.apply().get() == 1
    assert send_due_notices.apply().get() == 0
    assert len(mailoutbox) == 2
    assert notices(certification)[ONE].status == MessageStatus.SENT
    assert mailoutbox[0].extra_headers["Message-ID"] != mailoutbox[1].extra_headers["Message-ID"]


def test_a_renewed_certification_is_not_warned(mailoutbox):
    certification = approved(TODAY + timedelta(days=100))
    CertificationFactory(
        holder=certification.holder,
        renews=certification,
        valid_from=certification.valid_until,
        valid_until=certification.valid_until + timedelta(days=730),
    )
    make_due(certification, SIX)
    make_due(certification, ONE)
    assert notices_send_due() == 0
    assert mailoutbox == []
    assert {n.status for n in notices(certification).values()} == {MessageStatus.CANCELLED}


def test_a_revoked_certification_is_not_warned(mailoutbox):
    certification = approved(TODAY + timedelta(days=100))
    certification.status = "revoked"
    certification.save()
    make_due(certification, SIX)
    assert notices_send_due() == 0
    assert mailoutbox == []
    assert notices(certification)[SIX].status == MessageStatus.CANCELLED


def test_a_certification_approved_late_is_warned_at_once(mailoutbox, django_capture_on_commit_callbacks):
    """Approved with less than six months to go: the six-month warning is due now and goes out on commit."""
    with django_capture_on_commit_callbacks(execute=True):
        certification = approved(TODAY + timedelta(days=100))
    assert len(mailoutbox) == 1
    assert notices(certification)[SIX].status == MessageStatus.SENT
    assert notices(certification)[ONE].status == MessageStatus.PENDING
