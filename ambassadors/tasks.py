from celery import shared_task


@shared_task(name="ambassadors.send_notice")
def send_notice(*, notice_id: int) -> bool:
    from .services.notices import notice_send

    return notice_send(notice_id=notice_id)


@shared_task(name="ambassadors.send_due_notices")
def send_due_notices() -> int:
    from .services.notices import notices_send_due

    return notices_send_due()


@shared_task(name="ambassadors.expire_certifications")
def expire_certifications() -> int:
    from .services.renewal import certifications_expire

    return certifications_expire()
