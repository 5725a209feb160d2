from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_added
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_migrate
from django.dispatch import receiver

from .roles import Role

# Staff manage these apps' data in the Django admin.
STAFF_ADMIN_APPS = ("accounts", "dissemination", "trainings", "ambassadors", "django_celery_beat", "outbox")


@receiver(post_migrate)
def create_role_groups(sender, using="default", **kwargs):
    """Every role exists as a group; staff hold the model permissions of the project's apps."""
    if not apps.is_installed("django.contrib.auth"):
        return
    for role in Role.values:
        Group.objects.using(using).get_or_create(name=role)
    staff = Group.objects.using(using).get(name=Role.STAFF)
    permissions = Permission.objects.using(using).filter(content_type__app_label__in=STAFF_ADMIN_APPS)
    staff.permissions.add(*permissions)


@receiver(user_logged_in)
def stamp_session_policy(sender, request, user, **kwargs):
    """The session policy (SessionPolicyMiddleware) compares later requests with the login state."""
    from .middleware import session_policy_stamp

    if request is not None and hasattr(request, "session"):
        session_policy_stamp(request, user)


@receiver(authenticator_added)
def count_a_set_up_second_factor_as_passed(sender, request, user, authenticator, **kwargs):
    """Setting up an authenticator app (its code checked) or a passkey (its signature checked) proves
    the second factor in this session, as giving it at login does. Without this record, a session
    that set up two-factor after logging in with the password alone ended at the next role it gained
    (SessionPolicyMiddleware): a superuser giving themselves a role in the admin was logged out
    (issue 15). Recovery codes prove nothing: they are made, not given."""
    from .two_factor import session_record_second_factor

    if request is not None and authenticator.type in (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN):
        session_record_second_factor(request, user, authenticator)
