from celery import shared_task


@shared_task(name="trainings.send_message")
def send_message(*, message_id: int) -> bool:
    from .services.messages import message_send

    return message_send(message_id=message_id)


@shared_task(name="trainings.send_due_messages")
def send_due_messages() -> int:
    from .services.messages import messages_send_due

    return messages_send_due()
