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


@shared_task(name="accounts.send_account_erased_notice", autoretry_for=(OSError,), max_retries=5, retry_backoff=True)
def send_account_erased_notice(*, email: str, first_name: str, language: str) -> None:
    """The notice that an account was erased. The account is anonymous by the time this runs, so the
    address travels with the task (and is kept nowhere else)."""
    from .services import account_erased_notice_send

    account_erased_notice_send(email=email, first_name=first_name, language=language)
