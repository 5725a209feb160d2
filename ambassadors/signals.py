"""Receivers of the ambassadors app."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from mentorwijs.accounts.models import Invitation

from .services.profiles import profile_link_accepted_invitation


@receiver(post_save, sender=Invitation, dispatch_uid="ambassadors_link_accepted_invitation")
def link_profile_to_accepted_invitation(sender, instance, raw=False, **kwargs):
    """accounts.services.invitation_accept sets `accepted_user`: the profile that holds the
    invitation now belongs to that account."""
    if raw or instance.accepted_user_id is None:
        return
    profile_link_accepted_invitation(invitation=instance)
