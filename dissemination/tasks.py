from celery import shared_task


@shared_task(name="dissemination.send_follow_up_digests")
def send_follow_up_digests() -> int:
    from .services.outreach import send_follow_up_digests as send

    return send()
