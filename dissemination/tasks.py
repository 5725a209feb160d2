from celery import shared_task


@shared_task(name="dissemination.send_follow_up_digests")
def send_follow_up_digests() -> int:
    from .services.outreach import send_follow_up_digests as send

    return send()


@shared_task(
    name="dissemination.send_subscription_confirmation", autoretry_for=(OSError,), max_retries=5, retry_backoff=True
)
def send_subscription_confirmation(*, subscriber_id: int, list_ids: list[int], request_id: str) -> None:
    """The double opt-in mail of a sign-up or an import row (area S); a second run sends nothing."""
    from .models import Subscriber
    from .services.subscriptions import subscription_confirmation_send

    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if subscriber is None:
        return
    subscription_confirmation_send(subscriber=subscriber, list_ids=list_ids, request_id=request_id)


@shared_task(name="dissemination.start_due_newsletters")
def start_due_newsletters() -> int:
    """Every minute: start due campaigns and queue batch senders for every campaign with rows to send."""
    from .services.newsletters import PARALLEL_SENDERS, newsletters_start_due

    newsletter_ids = newsletters_start_due()
    for newsletter_id in newsletter_ids:
        for _ in range(PARALLEL_SENDERS):
            send_newsletter_batch.delay(newsletter_id=newsletter_id)
    return len(newsletter_ids)


@shared_task(name="dissemination.send_newsletter_batch")
def send_newsletter_batch(*, newsletter_id: int) -> int:
    """Send the campaign's pending rows batch by batch until none is left; safe to run twice or side by side."""
    from .services.newsletters import newsletter_send

    return newsletter_send(newsletter_id=newsletter_id)


@shared_task(name="dissemination.send_newsletter_test")
def send_newsletter_test(*, newsletter_id: int, user_id: int) -> bool:
    from .services.newsletters import newsletter_test_mail_send

    return newsletter_test_mail_send(newsletter_id=newsletter_id, user_id=user_id)
