"""What each role may use: the navigation and the home page are built from this one list."""

import functools
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Link:
    key: str
    label: str
    url_name: str
    permission: str
    description: str = ""
    local_only: bool = False  # only where mail is caught locally
    also_active_on: tuple[str, ...] = ()  # URL names of other pages in this link's section
    in_account_menu: bool = False  # tools, not daily work: in the account menu, not the bar
    area: str = ""  # the key in AREAS of the dropdown that holds the link when the bar groups (bar_items)


# The bar holds at most this many links side by side (after "Home"); whoever may use more (someone
# with several roles) gets them grouped per area, one dropdown each, so the bar stays one line at
# 1280 px, language buttons and all (tests/e2e/test_menu_roles.py measures every combination of roles).
BAR_LINKS_MAX = 7
AREAS = {
    "trainings": _("Trainings"),
    "dissemination": _("Dissemination"),
    "trainer": _("As a trainer"),
}


LINKS = [
    Link(
        "trainings",
        _("Training runs"),
        "trainings:training_list",
        "trainings.browse_trainings",
        _("Plan training runs and their meetings, see the calendar and who takes part."),
        area="trainings",
    ),
    Link(
        "organisations",
        _("Organisations"),
        "dissemination:organisation_list",
        "dissemination.browse_organisations",
        _("Employers, schools, municipalities and other stakeholders, per target group and region."),
        also_active_on=("dissemination:organisation_matching", "dissemination:organisation_match_merge"),
        area="dissemination",
    ),
    Link(
        "outreach",
        _("Outreach"),
        "dissemination:contact_list",
        "dissemination.log_outreach",
        _("Log your contacts with organisations, plan follow-ups and see who else had contact; events and materials."),
        also_active_on=(
            "dissemination:follow_up_list",
            "dissemination:event_list",
            "dissemination:event_detail",
            "materials:public_list",
            "materials:manage",
            "dissemination:newsletter_list",
            "dissemination:newsletter_detail",
            "dissemination:subscriber_list",
            "dissemination:mail_event_list",
            "dissemination:mailing_list_list",
        ),
        area="dissemination",
    ),
    Link(
        "dashboard",
        _("Progress"),
        "overview:dashboard",
        "overview.view_dashboard",
        _("How far the dissemination plan has come: organisations reached, the funnel, goals and channels."),
        area="dissemination",
    ),
    Link(
        "evaluations",
        _("Evaluations"),
        "trainings:evaluation_overview",
        "trainings.view_evaluations",
        _("What participants think of the training: averages per run, per trainer and over time; research export."),
        area="trainings",
    ),
    Link(
        "certification",
        _("My certification"),
        "ambassadors:my_certification",
        "ambassadors.request_certification",
        _("Your certification as a trainer: valid until when, what renewal asks of you, and your requests."),
        area="trainer",
    ),
    Link(
        "open_runs",
        _("Runs to give"),
        "ambassadors:open_runs",
        "ambassadors.offer_to_train",
        _("Coming runs that still need a trainer: offer to give one."),
        area="trainer",
    ),
    Link(
        "quality",
        _("Quality"),
        "ambassadors:review_list",
        "ambassadors.review_certifications",
        _(
            "Review trainers' certification requests, see how faithfully runs follow the handbook, and the lineage "
            "of who trained whom."
        ),
        also_active_on=(
            "ambassadors:fidelity_overview",
            "ambassadors:lineage",
            "ambassadors:renewal_rule_list",
            "ambassadors:refresher_list",
        ),
        area="trainings",
    ),
    Link(
        "ambassadors",
        _("Ambassadors"),
        "ambassadors:ambassador_list",
        "ambassadors.manage_ambassadors",
        _("The people who carry Mentorwijs: what they offer, where, and who still has to join."),
        area="dissemination",
    ),
    Link(
        "team",
        _("Team and accounts"),
        "accounts:team_list",
        "accounts.manage_accounts",
        _("Everyone who logs in: roles, access and two-factor; invite someone new."),
        also_active_on=("accounts:account_detail",),
        in_account_menu=True,
    ),
    Link(
        "invitations",
        _("Invitations"),
        "accounts:invitation_list",
        "accounts.manage_invitations",
        _("Invite staff, master trainers, trainers and ambassadors, and see who has joined."),
        in_account_menu=True,
    ),
    Link(
        "settings",
        _("Settings"),
        "overview:settings",
        "overview.view_settings",
        _("Locations, rules and lists that the work runs on."),
        in_account_menu=True,
    ),
    Link(
        "outbox",
        _("Caught mail"),
        "outbox:list",
        "outbox.read_caught_mail",
        _("Mail the system sent while running locally, to read as the recipient would."),
        local_only=True,
        in_account_menu=True,
    ),
    Link(
        "privacy",
        _("Privacy"),
        "privacy:register",
        "privacy.view_register",
        _("The processing register, the retention periods and who changed which personal data."),
        also_active_on=("privacy:audit", "privacy:account_list", "privacy:account_data", "privacy:account_erase"),
        in_account_menu=True,
    ),
    Link(
        "admin",
        _("Management"),
        "admin:index",
        "accounts.use_admin",
        _("The Django admin for all records."),
        in_account_menu=True,
    ),
]

# The settings page (overview:settings) lists the pages of every app where staff change what the work
# runs on; each app adds its own here. The "Settings" link shows to whoever may open one of them.
SETTINGS_LINKS = [
    Link(
        "locations",
        _("Locations"),
        "trainings:location_list",
        "trainings.manage_settings",
        _("Where meetings are held: add, correct, archive or bring back a location."),
    ),
    Link(
        "completion_rules",
        _("Completion per variant"),
        "trainings:completion_rules",
        "trainings.manage_settings",
        _("How many meetings a participant attends to complete the training, per variant."),
    ),
    Link(
        "mailing_lists",
        _("Mailing lists"),
        "dissemination:mailing_list_list",
        "dissemination.manage_newsletters",
        _("The newsletters people can sign up for: describe, make public or internal, archive."),
    ),
    Link(
        "renewal_rules",
        _("Renewal rules"),
        "ambassadors:renewal_rule_list",
        "ambassadors.manage_renewal_rules",
        _("What a trainer must have done to renew a certification, per level."),
    ),
    Link(
        "refreshers",
        _("Refresher meetings"),
        "ambassadors:refresher_list",
        "ambassadors.manage_renewal_rules",
        _("Refresher days for trainers and who attended them; attending counts toward renewal."),
    ),
    Link(
        "policy",
        _("Periods and limits"),
        "policy:list",
        "policy.manage_policy",
        _("Retention periods, how long a certification lasts, how long a freed place is offered, soft bounces."),
    ),
]


@functools.cache
def link_url(url_name: str) -> str:
    """The address of a link: the URL patterns do not change while the process runs, and every page
    asks for all of them."""
    return reverse(url_name)


def links_for(user, links=None) -> list[dict]:
    """The links of `links` (default: the navigation's) that `user` may open."""
    mail_is_caught = settings.EMAIL_BACKEND == "mentorwijs.outbox.backends.OutboxBackend"
    return [
        {
            "key": link.key,
            "label": link.label,
            "url": link_url(link.url_name),
            "description": link.description,
            "also_active_on": link.also_active_on,
            "in_account_menu": link.in_account_menu,
            "area": link.area,
        }
        for link in (LINKS if links is None else links)
        if user.has_perm(link.permission) and (mail_is_caught or not link.local_only)
    ]


def bar_items(links: list[dict]) -> list[dict]:
    """What the bar shows of `links` (links_for's, with "active" set): the links themselves while there
    are at most BAR_LINKS_MAX, else one item per area in the order the areas first appear, a dropdown
    ({"area", "label", "links", "active"}) where the area holds more than one link. Links without an
    area (the account menu's) are not in the bar."""
    bar = [link for link in links if not link["in_account_menu"]]
    if len(bar) <= BAR_LINKS_MAX:
        return [{"link": link} for link in bar]
    areas: dict[str, list[dict]] = {}
    for link in bar:
        areas.setdefault(link["area"], []).append(link)
    return [
        {"link": grouped[0]}
        if len(grouped) == 1
        else {"area": area, "label": AREAS[area], "links": grouped, "active": any(x["active"] for x in grouped)}
        for area, grouped in areas.items()
    ]
