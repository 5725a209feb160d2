from celery import shared_task


@shared_task(name="dissemination.send_follow_up_digests")
def send_follow_up_digests() -> int:
    from .services.outreach import send_follow_up_digests as send

    return send()


@shared_task(bind=True, name="dissemination.send_subscription_confirmation", max_retries=5)
def send_subscription_confirmation(
    self,
    *,
    subscriber_id: int,
    list_ids: list[int],
    requested_at: str = "",
    wording_version: str = "",
    request_id: str = "",  # tasks queued before requested_at existed
) -> bool:
    """The double opt-in mail of a sign-up, an import row or a preference change (area S). The
    request is kept on the subscriber row, so a second run sends nothing. Retried (with backoff)
    only when the mail server's error is temporary."""
    import logging
    from datetime import datetime

    from mentorwijs import mail

    from .services.subscriptions import subscription_confirmation_abandon, subscription_confirmation_send

    requested = datetime.fromisoformat(requested_at) if requested_at else None
    try:
        return subscription_confirmation_send(
            subscriber_id=subscriber_id, list_ids=list_ids, requested_at=requested, wording_version=wording_version
        )
    except Exception as error:
        if not mail.is_temporary(error):
            logging.getLogger(__name__).exception("confirmation mail for subscriber %s failed", subscriber_id)
            if requested is not None:  # refused for good: the sweep must not try it again
                subscription_confirmation_abandon(subscriber_id=subscriber_id, requested_at=requested)
            return False
        raise self.retry(exc=error, countdown=60 * 2**self.request.retries) from error


@shared_task(name="dissemination.send_pending_confirmations")
def send_pending_confirmations() -> int:
    """Every 5 minutes: mail the confirmations requested but never sent (their task was lost, e.g.
    the broker was down). Safe to run twice or beside the tasks: each request is mailed once."""
    from .services.subscriptions import subscription_confirmations_send_pending

    return subscription_confirmations_send_pending()


@shared_task(name="dissemination.start_due_newsletters")
def start_due_newsletters() -> int:
    """Every minute: start due campaigns and queue a sender for every free sender slot (at most
    PARALLEL_SENDERS live per campaign) of every campaign with rows to send."""
    from .services.newsletters import newsletters_start_due, sender_leases_take

    newsletter_ids = newsletters_start_due()
    for newsletter_id in newsletter_ids:
        for slot, token in sender_leases_take(newsletter_id=newsletter_id):
            send_newsletter_batch.delay(newsletter_id=newsletter_id, slot=slot, token=token)
    return len(newsletter_ids)


@shared_task(name="dissemination.send_newsletter_batch")
def send_newsletter_batch(*, newsletter_id: int, slot: int | None = None, token: str | None = None) -> int:
    """Send up to BATCHES_PER_SENDER batches of the campaign while holding sender slot `slot` (none:
    no lease, e.g. a call by hand); safe to run twice or side by side."""
    from .services import newsletters

    lease = (slot, token) if slot is not None and token else None
    return newsletters.newsletter_send(
        newsletter_id=newsletter_id, max_batches=newsletters.BATCHES_PER_SENDER, lease=lease
    )


@shared_task(name="dissemination.send_newsletter_test")
def send_newsletter_test(*, newsletter_id: int, user_id: int) -> bool:
    from .services.newsletters import newsletter_test_mail_send

    return newsletter_test_mail_send(newsletter_id=newsletter_id, user_id=user_id)


@shared_task(name="dissemination.read_bounce_mailbox")
def read_bounce_mailbox() -> dict | None:
    """Every few minutes (beat, only when BOUNCE_MAILBOX_URL is set): record the bounces, complaints
    and unsubscribes by mail waiting in the bounce mailbox. Returns at once (None) when no mailbox
    is configured. Safe to run twice: a report is deleted once recorded and a repeat is ignored."""
    from django.conf import settings

    from .services.bounce_mailbox import bounce_mailbox_read

    if not settings.BOUNCE_MAILBOX_URL:
        return None
    return bounce_mailbox_read(url=settings.BOUNCE_MAILBOX_URL)


@shared_task(name="dissemination.send_event_mail")
def send_event_mail(*, mail_id: int) -> bool:
    from .services.event_mails import event_mail_send

    return event_mail_send(mail_id=mail_id)


@shared_task(name="dissemination.send_due_event_mails")
def send_due_event_mails() -> int:
    """Every minute, and on commit of an invitation round: event invitations and reminders that are due."""
    from .services.event_mails import event_mails_send_due

    return event_mails_send_due()


@shared_task(name="dissemination.schedule_event_reminders")
def schedule_event_reminders() -> int:
    """Every hour: reminder rows for the guests of events a few days ahead (once per guest)."""
    from .services.event_mails import event_reminders_schedule

    return event_reminders_schedule()
