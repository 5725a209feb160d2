"""manage.py createstaff EMAIL: invite the first (or any) staff member from the command line.

The invitation is made and mailed as on the invitations page (services.invitation_create), with
nobody as the inviter ("command line" in the list), and its link is printed as well, so an operator
whose mail does not work yet can still get in. The account made on acceptance has the staff role and
sets up two-factor at its first login, like every staff member's."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from mentorwijs.accounts import services
from mentorwijs.accounts.models import Invitation
from mentorwijs.accounts.roles import Role


class Command(BaseCommand):
    help = "Invite a staff member by email and print the invitation link (for the first account, too)."

    def add_arguments(self, parser):
        parser.add_argument("email", help="The staff member's email address.")
        parser.add_argument("--first-name", default="", help="Used in the invitation's greeting.")
        parser.add_argument(
            "--language",
            default=settings.LANGUAGE_CODE,
            choices=[code for code, _name in settings.LANGUAGES],
            help="The language of the invitation and of the account (default: %(default)s).",
        )

    def handle(self, *args, email, first_name, language, **options):
        email = email.strip().lower()
        try:
            validate_email(email)
        except ValidationError as error:
            raise CommandError(f"Not a valid email address: {email!r}.") from error
        open_invitation = Invitation.objects.open().filter(email__iexact=email).first()
        if open_invitation is not None and Role.STAFF not in open_invitation.roles:
            roles = ", ".join(open_invitation.role_labels)
            raise CommandError(f"An invitation for {email} is still open, without the staff role ({roles}).")
        if open_invitation is not None:
            invitation = services.invitation_resend(invitation=open_invitation, by=None)
            self.stdout.write(f"An invitation for {email} was still open: its mail is queued again.")
        else:
            try:
                with transaction.atomic():
                    invitation = services.invitation_create(
                        email=email, roles=[Role.STAFF], invited_by=None, first_name=first_name, language=language
                    )
            except services.AccountExists as error:
                raise CommandError(f"There is already an account with {email}: log in with it.") from error
            except services.InvitationError as error:
                raise CommandError(str(error)) from error
            self.stdout.write(f"Invited {email} as staff; the invitation mail is queued (the worker sends it).")
        until = timezone.localtime(invitation.expires_at).strftime("%Y-%m-%d %H:%M %Z")
        self.stdout.write(f"If the mail does not arrive, open this link (it works once, until {until}):")
        self.stdout.write(services.invitation_link(invitation))
