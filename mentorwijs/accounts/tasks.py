from celery import shared_task


@shared_task(name="accounts.send_invitation", autoretry_for=(OSError,), max_retries=5, retry_backoff=True)
def send_invitation(*, invitation_id: int) -> None:
    from .models import Invitation
    from .services import invitation_send

    invitation = Invitation.objects.filter(pk=invitation_id).first()
    if invitation is None:
        return
    invitation_send(invitation=invitation)


@shared_task(name="accounts.send_unsent_invitations")
def send_unsent_invitations() -> int:
    from .services import invitation_send_unsent

    return invitation_send_unsent()
