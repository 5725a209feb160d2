"""The first steps on a fresh install, on staff's home page until each is done.

An organisation starts from an empty database without a developer at hand: the home page names what
the work needs before the first run (colleagues, a certified master trainer at the root of the
lineage, a location, a public mailing list, a run) and links to the page where each is done. One
query: the steps are EXISTS columns on the user's own row."""

from dataclasses import dataclass

from django.db.models import Exists, QuerySet
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ambassadors.enums import CertificationStatus, Level
from ambassadors.models import Certification
from dissemination.models import MailingList
from mentorwijs.accounts.models import Invitation, User
from mentorwijs.accounts.roles import Role
from trainings.models import Location, Training


@dataclass(frozen=True)
class Step:
    key: str
    text: Promise
    url_name: str


STEPS = [
    Step("team", _("Invite your colleagues: trainers, master trainers and ambassadors."), "accounts:invitation_create"),
    Step(
        "founding_master_trainer",
        _(
            "Approve the certification of the first master trainer as an original trainer: they ask for it "
            "on their own page, and then certify the trainers."
        ),
        "ambassadors:review_list",
    ),
    Step("location", _("Add the locations where meetings are held."), "trainings:location_list"),
    Step(
        "mailing_list",
        _("Create a public mailing list, so that people can sign up for the newsletter."),
        "dissemination:mailing_list_list",
    ),
    Step("training", _("Schedule the first training run."), "trainings:training_create"),
]


def _done_when() -> dict[str, list[QuerySet]]:
    """Per step, the rows whose existence (any of them) means it is done."""
    colleague_roles = [Role.TRAINER, Role.MASTER_TRAINER, Role.AMBASSADOR]
    return {
        "team": [
            User.objects.filter(groups__name__in=colleague_roles),
            Invitation.objects.filter(invited_by__isnull=False),  # invited on the page: on its way
        ],
        "founding_master_trainer": [
            Certification.objects.filter(level=Level.MASTER_TRAINER, status=CertificationStatus.APPROVED)
        ],
        "location": [Location.objects.filter(archived_at__isnull=True)],
        "mailing_list": [MailingList.objects.filter(public=True, archived_at__isnull=True)],
        "training": [Training.objects.all()],
    }


def getting_started(user) -> list[dict]:
    """The steps with their link and whether each is done; empty once all are done, or for anyone
    who is not staff."""
    if not user.has_role(Role.STAFF):
        return []
    done_when = _done_when()
    columns = {
        f"{key}_{number}": Exists(queryset)
        for key, querysets in done_when.items()
        for number, queryset in enumerate(querysets)
    }
    row = User.objects.filter(pk=user.pk).annotate(**columns).values(*columns).get()
    steps = [
        {
            "key": step.key,
            "text": step.text,
            "url": reverse(step.url_name),
            "done": any(row[f"{step.key}_{number}"] for number in range(len(done_when[step.key]))),
        }
        for step in STEPS
    ]
    return [] if all(step["done"] for step in steps) else steps
