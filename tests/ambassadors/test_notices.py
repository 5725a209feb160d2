"""Expiry warnings as rows: stored at approval, due six and one month ahead, sent once when due."""

from datetime import date, datetime, time, timedelta

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


def today():
    """The day the test runs (a module constant would be the day the tests were collected)."""
    return timezone.localdate()


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
    valid_until = today() + timedelta(days=400)
    certification = approved(valid_until)
    stored = notices(certification)
    assert set(stored) == {SIX, ONE}
    assert stored[SIX].due_at == morning(valid_until - relativedelta(months=6))
    assert stored[ONE].due_at == morning(valid_until - relativedelta(months=1))
    assert {n.status for n in stored.values()} == {MessageStatus.PENDING}


def test_warnings_are_stored_once_per_certification():
    certification = approved(today() + timedelta(days=400))
    warnings_schedule(certification=certification)
    assert CertificationNotice.objects.filter(certification=certification).count() == 2


def test_send_due_sends_only_what_is_due_and_only_once(mailoutbox):
    holder = UserFactory(roles=["trainer"])
    certification = approved(today() + timedelta(days=400), holder=holder)
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
    certification = approved(today() + timedelta(days=100))
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
    certification = approved(today() + timedelta(days=400))
    certification.status = "revoked"
    certification.save()
    make_due(certification, SIX)
    assert notices_send_due() == 0
    assert mailoutbox == []
    assert notices(certification)[SIX].status == MessageStatus.CANCELLED


def test_with_less_than_six_months_left_only_the_one_month_warning_is_stored_for_its_day(mailoutbox):
    """Approved late (100 days left): the six-month warning's day has passed, so it is skipped."""
    valid_until = today() + timedelta(days=100)
    certification = approved(valid_until)
    stored = notices(certification)
    assert set(stored) == {ONE}
    assert stored[ONE].due_at == morning(valid_until - relativedelta(months=1))
    assert stored[ONE].status == MessageStatus.PENDING
    assert mailoutbox == []


def test_with_less_than_a_month_left_the_one_month_warning_goes_out_at_once_and_alone(
    mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        certification = approved(today() + timedelta(days=20))
    stored = notices(certification)
    assert set(stored) == {ONE}
    assert stored[ONE].status == MessageStatus.SENT
    assert len(mailoutbox) == 1


def test_a_warning_on_its_very_day_is_still_stored():
    """Seen from 10 March 2030, a certification expiring on 10 September gets both warnings."""
    today = date(2030, 3, 10)
    certification = CertificationFactory(valid_from=date(2028, 9, 10), valid_until=date(2030, 9, 10))
    warnings_schedule(certification=certification, today=today)
    stored = notices(certification)
    assert set(stored) == {SIX, ONE}
    assert stored[SIX].due_at == morning(today)
    assert stored[ONE].due_at == morning(date(2030, 8, 10))


@pytest.mark.parametrize("days_left", [0, -3])
def test_a_certification_that_has_lapsed_gets_no_warning(days_left, mailoutbox):
    certification = approved(today() + timedelta(days=days_left))
    assert notices(certification) == {}
    assert mailoutbox == []
