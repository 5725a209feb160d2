from celery import shared_task


@shared_task(name="trainings.send_message")
def send_message(*, message_id: int) -> bool:
    from .services.messages import message_send

    return message_send(message_id=message_id)


@shared_task(name="trainings.send_due_messages")
def send_due_messages() -> int:
    from .services.messages import messages_send_due

    return messages_send_due()


@shared_task(name="trainings.lapse_offers")
def lapse_offers() -> int:
    from .services.enrolment import offers_lapse

    return offers_lapse()


@shared_task(name="trainings.advance_statuses")
def advance_statuses() -> int:
    from .services.scheduling import trainings_advance_statuses

    return trainings_advance_statuses()
