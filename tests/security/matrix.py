"""The permission matrix: every URL pattern of the project × every role, with the answer expected.

A row names a URL pattern, how to fill in its arguments from the data set that
tests/security/test_permission_matrix.py builds, the method, and the expected answer per role in the
order of ROLES. `test_every_url_pattern_has_a_row` fails for a pattern without a row, so a new view
cannot be added without deciding who may open it.

Answers: "login" (302 to the login page), "mfa" (302 to the two-factor set-up page), "302" (any
other redirect), or a status code. Write them as one string of ten words, one per user in the order
of USERS: the six roles of the issue, a "|", then the four users at the edges, e.g.
"login 200 404 403 403 200 | 404 login mfa 200".

Every view that accepts POST has a POST row of its own (`post(...)`, an empty POST, or `data=`):
`test_every_view_that_accepts_post_has_a_post_row` fails for one without.
"""

from dataclasses import dataclass, field

# The users, in the order of the words of every expectation. The first six are the roles of the
# issue; then someone who is ambassador and co-trainer of the trainer's run at once (with no
# outreach contact of their own), a staff member whose account was deactivated, an ambassador and
# trainer who has not finished two-factor set-up, and a superuser without roles (with two-factor).
ROLES = ("anonymous", "ambassador_a", "ambassador_b", "trainer", "master_trainer", "staff")
EDGE_USERS = ("ambassador_trainer", "deactivated", "no_two_factor", "superuser")
USERS = (*ROLES, *EDGE_USERS)

# Shorthands for the common cases. At the edges: a deactivated user is a visitor ("login" where a
# visitor gets it), a user without two-factor goes to its set-up page before anything else ("mfa"),
# and a superuser without roles counts as staff (issue 15: User.roles and User.has_perm).
PUBLIC = "200 200 200 200 200 200 | 200 200 mfa 200"
STAFF_ONLY = "login 403 403 403 403 200 | 403 login mfa 200"
STAFF_ONLY_POST = "login 403 403 403 403 302 | 403 login mfa 302"
AMBASSADORS_AND_STAFF = "login 200 200 403 403 200 | 200 login mfa 200"
TRAINER_ROLES_AND_STAFF = "login 403 403 200 200 200 | 200 login mfa 200"  # trainings.browse_trainings
REVIEWERS = "login 403 403 403 200 200 | 403 login mfa 200"  # staff and master trainers
TRAINER_ROLES = (
    "login 403 403 200 200 403 | 200 login mfa 403"  # trainers and master trainers, not staff (nor a superuser)
)

# URL patterns left out of the walk: two third-party URL sets, each under its own prefix.
# test_exclusions_hold_only_admin_and_allauth checks that every excluded pattern comes from that
# URL set and lies under that prefix, so nothing of ours can hide here (the outbox under
# /beheer/mail/ is ours, included on its own, and walked like every other page).
EXCLUDED = {
    # Django's admin (admin.site.urls): every page behind admin_view, so staff only; the rows for
    # admin:index, admin:login and one changelist below pin that gate. The model admins are tested per app.
    "admin": "beheer/",
    # allauth.urls: login, password, e-mail and two-factor pages with allauth's own access rules,
    # tested in tests/accounts. The rows for account_login and mfa_index below pin the two gates.
    "allauth": "accounts/",
}


@dataclass(frozen=True)
class Row:
    """One URL pattern (or one case of it, told apart by `case`) and the answer per role."""

    name: str
    expect: str
    kwargs: dict = field(default_factory=dict)  # argument -> key in the data set, else a literal value
    method: str = "get"
    query: str = ""
    case: str = ""
    data: dict = field(default_factory=dict)  # the POST's fields (empty: an empty POST)

    @property
    def label(self) -> str:
        return f"{self.name}[{self.case}]" if self.case else self.name

    def expected(self) -> dict[str, str]:
        words = [word for word in self.expect.split() if word != "|"]
        if len(words) != len(USERS):
            raise ValueError(f"{self.label}: {len(words)} answers for {len(USERS)} users")
        return dict(zip(USERS, words, strict=True))


def post(name, expect, case="post", data=None, **kwargs):
    return Row(name, expect, kwargs=kwargs, method="post", case=case, data=data or {})


def get(name, expect, case="", query="", **kwargs):
    return Row(name, expect, kwargs=kwargs, query=query, case=case)


ROWS = [
    # --- overview ---
    get("overview:home", "login 200 200 200 200 200 | 200 login mfa 200"),
    get("overview:dashboard", "login 200 200 403 200 200 | 200 login mfa 200"),
    get("overview:dashboard_export", "login 200 200 403 200 200 | 200 login mfa 200", query="table=goals"),
    get("overview:settings", STAFF_ONLY),
    # --- accounts: invitations (staff), the invitation link (public, signed) ---
    get("accounts:invitation_list", STAFF_ONLY),
    get("accounts:invitation_create", STAFF_ONLY),
    post("accounts:invitation_create", STAFF_ONLY),
    post("accounts:invitation_revoke", STAFF_ONLY_POST, pk="invitation"),
    get("accounts:invitation_accept", PUBLIC, token="invitation_token"),
    get("accounts:invitation_accept", "410 410 410 410 410 410 | 410 410 mfa 410", case="forged", token="forged_token"),
    post("accounts:invitation_accept", PUBLIC, token="invitation_token"),
    post(
        "accounts:invitation_accept",
        "410 410 410 410 410 410 | 410 410 mfa 410",
        case="forged, post",
        token="forged_token",
    ),
    # --- accounts: the team pages (issue 15): staff change trainers' and ambassadors' accounts, only a
    # superuser a colleague's (staff, master trainer); everyone their own name ---
    get("accounts:team_list", STAFF_ONLY),
    get("accounts:account_detail", STAFF_ONLY, pk="account"),
    get("accounts:account_detail", STAFF_ONLY, case="colleague", pk="colleague"),  # shown, without the forms
    get("accounts:account_detail", "login 403 403 403 403 404 | 403 login mfa 404", case="no such account", pk=999999),
    post("accounts:account_roles", STAFF_ONLY_POST, pk="account"),  # no role ticked: the roles are taken away
    post("accounts:account_roles", "login 403 403 403 403 403 | 403 login mfa 302", case="colleague", pk="colleague"),
    post("accounts:account_roles", "login 403 403 403 403 404 | 403 login mfa 404", case="no such account", pk=999999),
    post("accounts:account_name", STAFF_ONLY, pk="account"),  # no first name: the form again
    post("accounts:account_name", "login 403 403 403 403 403 | 403 login mfa 200", case="colleague", pk="colleague"),
    post("accounts:account_deactivate", STAFF_ONLY_POST, pk="account"),
    post(
        "accounts:account_deactivate",
        "login 403 403 403 403 403 | 403 login mfa 302",
        case="colleague",
        pk="colleague",
    ),
    post("accounts:account_reactivate", STAFF_ONLY_POST, pk="account"),  # active already: a message
    post(
        "accounts:account_reactivate",
        "login 403 403 403 403 403 | 403 login mfa 302",
        case="colleague",
        pk="colleague",
    ),
    post("accounts:account_two_factor_reset", STAFF_ONLY_POST, pk="account"),
    post(
        "accounts:account_two_factor_reset",
        "login 403 403 403 403 403 | 403 login mfa 302",
        case="colleague",
        pk="colleague",
    ),
    post("accounts:invitation_resend", STAFF_ONLY_POST, pk="invitation"),
    # Deactivating and resetting two-factor ask first: the GET shows what will happen, refused as the POST is.
    get("accounts:account_deactivate", STAFF_ONLY, pk="account"),
    get(
        "accounts:account_deactivate",
        "login 403 403 403 403 403 | 403 login mfa 200",
        case="colleague, get",
        pk="colleague",
    ),
    get(
        "accounts:account_deactivate",
        "login 403 403 403 403 404 | 403 login mfa 404",
        case="no such account",
        pk=999999,
    ),
    get("accounts:account_two_factor_reset", STAFF_ONLY, pk="account"),
    get(
        "accounts:account_two_factor_reset",
        "login 403 403 403 403 403 | 403 login mfa 200",
        case="colleague, get",
        pk="colleague",
    ),
    get(
        "accounts:account_two_factor_reset",
        "login 403 403 403 403 404 | 403 login mfa 404",
        case="no such account",
        pk=999999,
    ),
    # The other changes answer POST only.
    get("accounts:account_roles", "login 405 405 405 405 405 | 405 login mfa 405", case="get", pk="account"),
    get("accounts:account_name", "login 405 405 405 405 405 | 405 login mfa 405", case="get", pk="account"),
    get("accounts:account_reactivate", "login 405 405 405 405 405 | 405 login mfa 405", case="get", pk="account"),
    get("accounts:invitation_resend", "login 405 405 405 405 405 | 405 login mfa 405", case="get", pk="invitation"),
    get("accounts:my_account", "login 200 200 200 200 200 | 200 login mfa 200"),
    post("accounts:my_account", "login 200 200 200 200 200 | 200 login mfa 200"),  # no first name: the form again
    # --- accounts: choosing a second step (everyone here has one already: on to managing it) ---
    get("accounts:two_factor_setup", "login 302 302 302 302 302 | 302 login 200 302"),
    # allauth's password change, ours to wrap: everyone logs in again first.
    get("account_change_password", "login 302 302 302 302 302 | 302 login 302 302"),
    post("account_change_password", "login 302 302 302 302 302 | 302 login 302 302", case="post"),
    get("switch_language", "405 405 405 405 405 405 | 405 405 405 405"),
    post("switch_language", "302 302 302 302 302 302 | 302 302 302 302", case="post"),
    get("healthz", "200 200 200 200 200 200 | 200 200 200 200"),
    post("healthz", "200 200 200 200 200 200 | 200 200 200 200"),
    # --- outbox: caught mail (staff) ---
    get("outbox:list", STAFF_ONLY),
    get("outbox:detail", STAFF_ONLY, pk="caught_mail"),
    # A text-only mail has no HTML part.
    get("outbox:html", "login 403 403 403 403 404 | 403 login mfa 404", pk="caught_mail"),
    # --- dissemination: organisations and people ---
    get("dissemination:organisation_list", AMBASSADORS_AND_STAFF),
    get("dissemination:organisation_search", AMBASSADORS_AND_STAFF, query="q=Org"),
    get("dissemination:organisation_create", AMBASSADORS_AND_STAFF),
    post("dissemination:organisation_create", AMBASSADORS_AND_STAFF),
    get("dissemination:organisation_detail", AMBASSADORS_AND_STAFF, pk="organisation"),
    get("dissemination:organisation_update", AMBASSADORS_AND_STAFF, pk="organisation"),
    post("dissemination:organisation_update", AMBASSADORS_AND_STAFF, pk="organisation"),
    get("dissemination:person_list", AMBASSADORS_AND_STAFF),
    get("dissemination:person_create", AMBASSADORS_AND_STAFF),
    post("dissemination:person_create", AMBASSADORS_AND_STAFF),
    # People: staff all; an ambassador their own (added by them, or their contacts' persons).
    get(
        "dissemination:person_update",
        "login 200 404 403 403 200 | 404 login mfa 200",
        case="A's contact, a participant",
        pk="person",
    ),
    get(
        "dissemination:person_update", "login 404 200 403 403 200 | 404 login mfa 200", case="added by B", pk="person_b"
    ),
    get(
        "dissemination:person_update",
        "login 404 404 403 403 200 | 404 login mfa 200",
        case="a participant only",
        pk="participant",
    ),
    post(
        "dissemination:person_update",
        "login 200 404 403 403 200 | 404 login mfa 200",
        case="A's contact, a participant, post",
        pk="person",
    ),
    post(
        "dissemination:person_update",
        "login 404 200 403 403 200 | 404 login mfa 200",
        case="added by B, post",
        pk="person_b",
    ),
    post(
        "dissemination:person_update",
        "login 404 404 403 403 200 | 404 login mfa 200",
        case="a participant only, post",
        pk="participant",
    ),
    get("dissemination:organisation_merge", STAFF_ONLY, pk="organisation"),
    post("dissemination:organisation_merge", STAFF_ONLY, pk="organisation"),
    get("dissemination:person_merge", STAFF_ONLY, pk="person"),
    post("dissemination:person_merge", STAFF_ONLY, pk="person"),
    get("dissemination:organisation_import", STAFF_ONLY),
    post("dissemination:organisation_import", STAFF_ONLY),
    get("dissemination:organisation_export", STAFF_ONLY),
    # organisations participants named on the public enrolment form (staff match them)
    get("dissemination:organisation_matching", STAFF_ONLY),
    post("dissemination:organisation_match_confirm", STAFF_ONLY_POST, pk="named_organisation"),
    post(
        "dissemination:organisation_match_confirm",
        "login 403 403 403 403 404 | 403 login mfa 404",
        case="not named",
        pk="organisation",
    ),
    get("dissemination:organisation_match_merge", STAFF_ONLY, pk="named_organisation"),
    post("dissemination:organisation_match_merge", STAFF_ONLY, case="post", pk="named_organisation"),
    get(
        "dissemination:organisation_match_merge",
        "login 403 403 403 403 404 | 403 login mfa 404",
        case="not named",
        pk="organisation",
    ),
    # --- dissemination: the outreach log (ambassadors their own contacts, staff all) ---
    get("dissemination:contact_list", AMBASSADORS_AND_STAFF),
    get("dissemination:contact_log", AMBASSADORS_AND_STAFF),
    post("dissemination:contact_log", AMBASSADORS_AND_STAFF),
    get("dissemination:contact_detail", "login 200 404 403 403 200 | 404 login mfa 200", case="A's", pk="contact_a"),
    get("dissemination:contact_detail", "login 404 200 403 403 200 | 404 login mfa 200", case="B's", pk="contact_b"),
    post(
        "dissemination:contact_detail",
        "login 200 404 403 403 200 | 404 login mfa 200",
        case="A's, post",
        pk="contact_a",
    ),
    post("dissemination:contact_follow_up_done", "login 302 404 403 403 302 | 404 login mfa 302", pk="contact_a"),
    get("dissemination:contact_reassign", STAFF_ONLY, pk="contact_a"),
    post("dissemination:contact_reassign", STAFF_ONLY, pk="contact_a"),
    get("dissemination:follow_up_list", AMBASSADORS_AND_STAFF),
    get("dissemination:organisation_outreach", AMBASSADORS_AND_STAFF, pk="organisation"),
    # --- dissemination: events (ambassadors read, staff maintain) ---
    get("dissemination:event_list", AMBASSADORS_AND_STAFF),
    get("dissemination:event_detail", AMBASSADORS_AND_STAFF, pk="event"),
    get("dissemination:event_create", STAFF_ONLY),
    post("dissemination:event_create", STAFF_ONLY),
    get("dissemination:event_update", STAFF_ONLY, pk="event"),
    post("dissemination:event_update", STAFF_ONLY, pk="event"),
    get("dissemination:event_guests", STAFF_ONLY, pk="event"),
    post("dissemination:event_guests", STAFF_ONLY, pk="event"),
    post("dissemination:event_guest_remove", STAFF_ONLY_POST, pk="event", guest_pk="event_guest"),
    get("dissemination:event_invite_bulk", STAFF_ONLY, pk="event"),
    post(
        "dissemination:event_invite_bulk",
        STAFF_ONLY_POST,
        pk="event",
        data={"group": "organisations", "target_group": "employers"},
    ),
    get("dissemination:event_attendance", STAFF_ONLY, pk="event"),
    post("dissemination:event_attendance", STAFF_ONLY, pk="event"),
    post("dissemination:event_follow_up_done", STAFF_ONLY_POST, pk="event"),
    # --- dissemination: the plan's goals (staff) ---
    get("dissemination:goal_list", STAFF_ONLY),
    get("dissemination:goal_create", STAFF_ONLY),
    post("dissemination:goal_create", STAFF_ONLY),
    get("dissemination:goal_update", STAFF_ONLY, pk="goal"),
    post("dissemination:goal_update", STAFF_ONLY, pk="goal"),
    get("dissemination:goal_delete", STAFF_ONLY, pk="goal"),
    post("dissemination:goal_delete", STAFF_ONLY_POST, case="post", pk="goal"),
    # --- dissemination: newsletters and subscribers (staff) ---
    get("dissemination:newsletter_list", STAFF_ONLY),
    get("dissemination:newsletter_create", STAFF_ONLY),
    post("dissemination:newsletter_create", STAFF_ONLY),
    # The previews: pages of their own with the mail policy, for the sandboxed iframes.
    get("dissemination:newsletter_preview", "login 403 403 403 403 405 | 403 login mfa 405"),
    post("dissemination:newsletter_preview", STAFF_ONLY),
    get("dissemination:newsletter_detail", STAFF_ONLY, pk="newsletter"),
    get("dissemination:newsletter_html", STAFF_ONLY, pk="newsletter"),
    get("dissemination:newsletter_update", STAFF_ONLY, pk="newsletter"),
    post("dissemination:newsletter_update", STAFF_ONLY, pk="newsletter"),
    post("dissemination:newsletter_test_send", STAFF_ONLY_POST, pk="newsletter"),
    post("dissemination:newsletter_schedule", "login 403 403 403 403 400 | 403 login mfa 400", pk="newsletter"),
    post("dissemination:newsletter_cancel", STAFF_ONLY_POST, pk="newsletter"),
    get("dissemination:newsletter_progress", STAFF_ONLY, pk="newsletter"),
    get("dissemination:mail_event_list", STAFF_ONLY),
    post("dissemination:mail_event_send_again", STAFF_ONLY_POST, source="trainings.message", pk="failed_message"),
    get("dissemination:mailing_list_list", STAFF_ONLY),
    get("dissemination:mailing_list_create", STAFF_ONLY),
    post("dissemination:mailing_list_create", STAFF_ONLY),
    get("dissemination:mailing_list_update", STAFF_ONLY, pk="mailing_list"),
    post("dissemination:mailing_list_update", STAFF_ONLY, pk="mailing_list"),
    post("dissemination:mailing_list_archive", STAFF_ONLY_POST, pk="mailing_list"),
    post("dissemination:mailing_list_restore", STAFF_ONLY_POST, pk="mailing_list"),
    get("dissemination:subscriber_list", STAFF_ONLY),
    get("dissemination:subscriber_import", STAFF_ONLY),
    post("dissemination:subscriber_import", STAFF_ONLY),
    get("dissemination:subscriber_detail", STAFF_ONLY, pk="subscriber"),
    # --- materials: public list and downloads, staff manage ---
    get("materials:public_list", PUBLIC),
    get("materials:versions", PUBLIC, pk="material"),
    get("materials:download", PUBLIC, pk="material"),
    get("materials:manage", STAFF_ONLY),
    get("materials:upload", STAFF_ONLY),
    post("materials:upload", STAFF_ONLY),
    # --- newsletter: public sign-up and the signed links from its mails ---
    get("newsletter:signup", PUBLIC),
    post("newsletter:signup", PUBLIC),
    get("newsletter:signup_done", PUBLIC),
    get("newsletter:confirm", PUBLIC, token="confirm_token"),
    post("newsletter:confirm", PUBLIC, token="confirm_token"),
    get("newsletter:preferences", PUBLIC, token="preferences_token"),
    post("newsletter:preferences", PUBLIC, token="preferences_token"),
    # --- a guest's answer to an event invitation (public, signed) ---
    get("event:rsvp", PUBLIC, token="rsvp_token"),
    post("event:rsvp", PUBLIC, token="rsvp_token", data={"answer": "yes"}),
    get("event:rsvp", "400 400 400 400 400 400 | 400 400 mfa 400", case="forged", token="forged_token"),
    get("newsletter:unsubscribe", PUBLIC, token="unsubscribe_token"),
    post("newsletter:unsubscribe", PUBLIC, token="unsubscribe_token"),
    get("newsletter:test_link", PUBLIC, kind="voorkeuren"),
    # --- trainings: runs (staff and master trainers all, trainers the runs they give) ---
    get("trainings:training_list", TRAINER_ROLES_AND_STAFF),
    get("trainings:calendar", TRAINER_ROLES_AND_STAFF),
    get("trainings:training_create", STAFF_ONLY),
    post("trainings:training_create", STAFF_ONLY),
    get("trainings:training_detail", "login 403 403 200 200 200 | 200 login mfa 200", case="trainer's run", pk="run"),
    get(
        "trainings:training_detail",
        "login 403 403 404 200 200 | 404 login mfa 200",
        case="another's run",
        pk="other_run",
    ),
    # A run's participant list (Excel): staff and whoever gives the run; a master trainer sees the run
    # but not its participants (403), another trainer's run answers 404 as its page does.
    get(
        "trainings:participant_export",
        "login 403 403 200 403 200 | 200 login mfa 200",
        case="trainer's run",
        pk="run",
    ),
    get(
        "trainings:participant_export",
        "login 403 403 404 403 200 | 404 login mfa 200",
        case="another's run",
        pk="other_run",
    ),
    # A superuser counts as staff (issue 15: before, without a role it passed the permissions but saw no run).
    get("trainings:training_update", "login 403 403 403 403 200 | 403 login mfa 200", pk="run"),
    post("trainings:training_update", "login 403 403 403 403 200 | 403 login mfa 200", pk="run"),
    get("trainings:meetings_update", "login 403 403 403 403 200 | 403 login mfa 200", pk="run"),
    post("trainings:meetings_update", "login 403 403 403 403 200 | 403 login mfa 200", pk="run"),
    # Cancelling a whole run (its page, and its undo while the notices wait): staff.
    get("trainings:training_cancel", "login 403 403 403 403 200 | 403 login mfa 200", pk="run"),
    post("trainings:training_cancel", "login 403 403 403 403 200 | 403 login mfa 200", pk="run"),
    post("trainings:training_cancel_undo", STAFF_ONLY_POST, pk="run"),
    # A message to a run's participants: staff and whoever gives the run (trainings.message_participants);
    # a master trainer sees the run but may not write to its participants (403), another's run is 404.
    get("trainings:run_message", "login 403 403 200 403 200 | 200 login mfa 200", case="trainer's run", pk="run"),
    post(
        "trainings:run_message", "login 403 403 200 403 200 | 200 login mfa 200", case="trainer's run, post", pk="run"
    ),
    get("trainings:run_message", "login 403 403 404 403 200 | 404 login mfa 200", case="another's run", pk="other_run"),
    get("trainings:meeting_cancel", "login 403 403 403 403 200 | 403 login mfa 200", pk="meeting"),
    post("trainings:meeting_cancel", "login 403 403 403 403 302 | 403 login mfa 302", pk="meeting"),
    # The permission is checked before the lookup: a role without it gets 403, staff a 404.
    get("trainings:training_update", "login 403 403 403 403 404 | 403 login mfa 404", case="no such run", pk=999999),
    post(
        "trainings:training_update",
        "login 403 403 403 403 404 | 403 login mfa 404",
        case="no such run, post",
        pk=999999,
    ),
    get("trainings:meeting_cancel", "login 403 403 403 403 404 | 403 login mfa 404", case="no such meeting", pk=999999),
    post(
        "trainings:meeting_cancel",
        "login 403 403 403 403 404 | 403 login mfa 404",
        case="no such meeting, post",
        pk=999999,
    ),
    # --- trainings: settings (staff): locations, the completion rule per variant ---
    get("trainings:location_list", STAFF_ONLY),
    get("trainings:location_create", STAFF_ONLY),
    post("trainings:location_create", STAFF_ONLY),
    get("trainings:location_update", STAFF_ONLY, pk="location"),
    post("trainings:location_update", STAFF_ONLY, pk="location"),
    get(
        "trainings:location_update",
        "login 403 403 403 403 404 | 403 login mfa 404",
        case="no such location",
        pk=999999,
    ),
    post("trainings:location_archive", STAFF_ONLY_POST, pk="location"),
    post("trainings:location_restore", STAFF_ONLY_POST, pk="location"),
    get("trainings:location_delete", STAFF_ONLY, case="unused", pk="unused_location"),
    get("trainings:location_delete", STAFF_ONLY, case="in use", pk="location"),
    post("trainings:location_delete", STAFF_ONLY_POST, case="unused, post", pk="unused_location"),
    post("trainings:location_delete", STAFF_ONLY_POST, case="in use, post", pk="location"),
    get("trainings:completion_rules", STAFF_ONLY),
    get("trainings:completion_rule_update", STAFF_ONLY, variant="standard"),
    post("trainings:completion_rule_update", STAFF_ONLY, variant="standard"),
    post(
        "trainings:completion_rule_update",
        STAFF_ONLY_POST,
        case="valid",
        variant="internship",
        data={"meetings_required": "3"},
    ),
    get(
        "trainings:completion_rule_update",
        "login 403 403 403 403 404 | 403 login mfa 404",
        case="no such variant",
        variant="unknown",
    ),
    # --- periods and limits (staff): mentorwijs.policy ---
    get("policy:list", STAFF_ONLY),
    get("policy:update", STAFF_ONLY, key="soft_bounce_limit"),
    post("policy:update", STAFF_ONLY, key="soft_bounce_limit"),
    post("policy:update", STAFF_ONLY_POST, case="valid", key="soft_bounce_limit", data={"value": "4"}),
    get("policy:update", "login 403 403 403 403 404 | 403 login mfa 404", case="no such key", key="unknown"),
    get("trainings:staff_enrol", STAFF_ONLY, pk="run"),
    post("trainings:staff_enrol", STAFF_ONLY, pk="run"),
    get("trainings:enrolment_move", STAFF_ONLY, pk="enrolment"),
    post("trainings:enrolment_move", STAFF_ONLY, pk="enrolment"),
    get("trainings:enrolment_cancel", STAFF_ONLY, pk="enrolment"),
    post("trainings:enrolment_cancel", STAFF_ONLY_POST, pk="enrolment"),
    # Attendance: staff, and trainers at the runs they give (the ambassador-trainer co-trains the
    # trainer's run); master trainers do not register it. A superuser counts as staff (issue 15).
    get(
        "trainings:meeting_attendance",
        "login 403 403 200 403 200 | 200 login mfa 200",
        case="trainer's run",
        pk="meeting",
    ),
    get(
        "trainings:meeting_attendance",
        "login 403 403 404 403 200 | 404 login mfa 200",
        case="another's run",
        pk="other_meeting",
    ),
    post(
        "trainings:meeting_attendance",
        "login 403 403 404 403 400 | 404 login mfa 400",
        case="another's, post",
        pk="other_meeting",
    ),
    get("trainings:catch_up", "login 403 403 200 403 200 | 200 login mfa 200", case="trainer's run", pk="meeting"),
    get(
        "trainings:catch_up", "login 403 403 404 403 200 | 404 login mfa 200", case="another's run", pk="other_meeting"
    ),
    post(
        "trainings:catch_up", "login 403 403 400 403 400 | 400 login mfa 400", case="trainer's run, post", pk="meeting"
    ),
    post(
        "trainings:catch_up",
        "login 403 403 404 403 400 | 404 login mfa 400",
        case="another's run, post",
        pk="other_meeting",
    ),
    # The sign-in sheet and the dietary list show participants (trainings.view_participants): staff
    # and the run's trainers; another trainer's run answers 404 as the attendance page does.
    get(
        "trainings:sign_in_sheet",
        "login 403 403 200 403 200 | 200 login mfa 200",
        case="trainer's run",
        pk="meeting",
    ),
    get(
        "trainings:sign_in_sheet",
        "login 403 403 404 403 200 | 404 login mfa 200",
        case="another's run",
        pk="other_meeting",
    ),
    get("trainings:dietary_list", "login 403 403 200 403 200 | 200 login mfa 200", case="trainer's run", pk="run"),
    get(
        "trainings:dietary_list",
        "login 403 403 404 403 200 | 404 login mfa 200",
        case="another's run",
        pk="other_run",
    ),
    get("trainings:certificate_pdf", STAFF_ONLY, pk="certificate"),
    get("trainings:certificate_revoke", STAFF_ONLY, pk="certificate"),
    post("trainings:certificate_revoke", "login 403 403 403 403 400 | 403 login mfa 400", pk="certificate"),
    get("trainings:evaluation_overview", REVIEWERS),
    get("trainings:evaluation_export", REVIEWERS),
    get("trainings:evaluation_export_xlsx", REVIEWERS),
    # --- trainings: public pages, calendar feeds and the participant's personal link ---
    get("trainings:public_feed", PUBLIC),
    post("trainings:public_feed", PUBLIC),
    get("trainings:trainer_feed", PUBLIC, token="trainer_feed_token"),
    get(
        "trainings:trainer_feed", "404 404 404 404 404 404 | 404 404 mfa 404", case="forged", token="forged_feed_token"
    ),
    post("trainings:trainer_feed", PUBLIC, token="trainer_feed_token"),
    post(
        "trainings:trainer_feed",
        "404 404 404 404 404 404 | 404 404 mfa 404",
        case="forged, post",
        token="forged_feed_token",
    ),
    get("trainings:participant_feed", PUBLIC, token="participant_feed_token"),
    post("trainings:participant_feed", PUBLIC, token="participant_feed_token"),
    get("trainings:public_list", PUBLIC),
    get("trainings:public_enrol", PUBLIC, pk="run"),
    post("trainings:public_enrol", PUBLIC, pk="run"),
    get("trainings:public_enrolled", PUBLIC, pk="run"),
    get("trainings:organisation_search", PUBLIC, query="q=Org"),
    # runs that are not public: the public pages answer 404, the link staff send opens the form
    get("trainings:public_enrol", "404 404 404 404 404 404 | 404 404 mfa 404", case="in-company", pk="in_company_run"),
    get("trainings:link_enrol", PUBLIC, key="in_company_key"),
    post("trainings:link_enrol", PUBLIC, case="post", key="in_company_key"),  # the form with its errors
    get(
        "trainings:link_enrol",
        "404 404 404 404 404 404 | 404 404 mfa 404",
        case="a public run's key",
        key="public_run_key",
    ),
    get("trainings:link_enrol", "404 404 404 404 404 404 | 404 404 mfa 404", case="forged", key="forged_token"),
    get("trainings:link_enrolled", PUBLIC, key="in_company_key"),
    post("trainings:enrolment_link_renew", STAFF_ONLY_POST, pk="in_company_run"),
    get(
        "trainings:enrolment_link_renew",
        "login 405 405 405 405 405 | 405 login mfa 405",
        case="get",
        pk="in_company_run",
    ),
    get("trainings:privacy", PUBLIC),
    get("trainings:personal", PUBLIC, token="enrolment_token"),
    get("trainings:personal", "404 404 404 404 404 404 | 404 404 mfa 404", case="unknown token", token="forged_token"),
    get("trainings:personal_cancel", PUBLIC, token="enrolment_token"),
    post("trainings:personal_cancel", "302 302 302 302 302 302 | 302 302 mfa 302", token="enrolment_token"),
    post("trainings:offer_accept", "302 302 302 302 302 302 | 302 302 mfa 302", token="enrolment_token"),
    get("trainings:personal_email", PUBLIC, token="enrolment_token"),
    get(
        "trainings:personal_email",
        "404 404 404 404 404 404 | 404 404 mfa 404",
        case="unknown token",
        token="forged_token",
    ),
    post("trainings:personal_email", PUBLIC, token="enrolment_token"),
    post(
        "trainings:personal_email",
        "404 404 404 404 404 404 | 404 404 mfa 404",
        case="unknown token, post",
        token="forged_token",
    ),
    get("trainings:personal_certificate", PUBLIC, token="completed_token"),
    get("trainings:verify", PUBLIC, query="code=ABC"),
    get("trainings:evaluation_form", PUBLIC, token="enrolment_token", moment="voor"),
    post("trainings:evaluation_form", PUBLIC, token="enrolment_token", moment="voor"),
    # --- ambassadors: certification (holders their own, reviewers all; reviewers by role; a superuser
    # counts as staff, issue 15) ---
    get("ambassadors:certification_request", TRAINER_ROLES),
    post("ambassadors:certification_request", "login 403 403 400 400 403 | 400 login mfa 403"),
    get("ambassadors:review_list", REVIEWERS),
    get(
        "ambassadors:certification_detail",
        "login 404 404 200 200 200 | 404 login mfa 200",
        case="trainer's",
        pk="certification",
    ),
    get(
        "ambassadors:certification_detail",
        "login 404 404 404 200 200 | 404 login mfa 200",
        case="another's",
        pk="other_certification",
    ),
    post(
        "ambassadors:certification_detail",
        "login 404 404 404 400 400 | 404 login mfa 400",  # reviewers get the form, only the holder adds to it
        case="another's, post",
        pk="other_certification",
    ),
    get(
        "ambassadors:certification_review",
        "login 403 403 403 200 200 | 403 login mfa 200",
        pk="requested_certification",
    ),
    post(
        "ambassadors:certification_review",
        "login 403 403 403 302 302 | 403 login mfa 302",
        case="post",
        pk="requested_certification",
    ),
    get(
        "ambassadors:evidence_download",
        "login 404 404 200 200 200 | 404 login mfa 200",
        case="trainer's",
        pk="evidence",
    ),
    get(
        "ambassadors:evidence_download",
        "login 404 404 404 200 200 | 404 login mfa 200",
        case="another's",
        pk="other_evidence",
    ),
    get("ambassadors:my_certification", TRAINER_ROLES),
    get("ambassadors:public_register", PUBLIC),
    # --- ambassadors: renewal rules and refresher meetings (staff) ---
    get("ambassadors:renewal_rule_list", STAFF_ONLY),
    get("ambassadors:renewal_rule_create", STAFF_ONLY),
    post("ambassadors:renewal_rule_create", STAFF_ONLY),
    get("ambassadors:renewal_rule_update", STAFF_ONLY, pk="renewal_rule"),
    post("ambassadors:renewal_rule_update", STAFF_ONLY, pk="renewal_rule"),
    post("ambassadors:renewal_rule_deactivate", STAFF_ONLY_POST, pk="renewal_rule"),
    post("ambassadors:renewal_rule_activate", STAFF_ONLY_POST, pk="renewal_rule"),
    get("ambassadors:refresher_list", STAFF_ONLY),
    get("ambassadors:refresher_create", STAFF_ONLY),
    post("ambassadors:refresher_create", STAFF_ONLY),
    get("ambassadors:refresher_update", STAFF_ONLY, pk="refresher"),
    post("ambassadors:refresher_update", STAFF_ONLY, pk="refresher"),
    # --- ambassadors: assignments, quality, profiles ---
    get("ambassadors:training_assignments", STAFF_ONLY, pk="run"),
    post("ambassadors:training_assignments", "login 403 403 403 403 404 | 403 login mfa 404", pk="run"),
    get("ambassadors:open_runs", TRAINER_ROLES),
    post("ambassadors:open_runs", "login 403 403 404 404 403 | 404 login mfa 403"),
    get("ambassadors:lineage", REVIEWERS),
    get("ambassadors:fidelity_overview", REVIEWERS),
    get("ambassadors:fidelity_mine", TRAINER_ROLES),
    get("ambassadors:fidelity_review", "login 403 403 200 200 403 | 404 login mfa 403", case="trainer leads", pk="run"),
    get(
        "ambassadors:fidelity_review",
        "login 403 403 404 200 403 | 404 login mfa 403",
        case="another's run",
        pk="other_run",
    ),
    post(
        "ambassadors:fidelity_review",
        "login 403 403 404 400 403 | 404 login mfa 403",
        case="another's, post",
        pk="other_run",
    ),
    get("ambassadors:ambassador_list", STAFF_ONLY),
    get("ambassadors:ambassador_invite", STAFF_ONLY),
    post("ambassadors:ambassador_invite", STAFF_ONLY),
    post("ambassadors:invite_participant", STAFF_ONLY_POST, pk="enrolment"),
    # Everyone but staff keeps an ambassador profile; a superuser counts as staff (issue 15).
    get("ambassadors:my_profile", "login 200 200 200 200 403 | 200 login mfa 403"),
    post("ambassadors:my_profile", "login 302 302 302 302 403 | 302 login mfa 403"),
    # --- privacy (issue 7): a person's data, its export and erasure (staff) ---
    get("privacy:person_data", STAFF_ONLY, pk="person"),
    get("privacy:person_data_json", STAFF_ONLY, pk="person"),
    get("privacy:person_erase", STAFF_ONLY, pk="person"),
    post("privacy:person_erase", STAFF_ONLY, pk="person"),
    # --- privacy (issue 14): account holders' data, its export and erasure (staff) ---
    get("privacy:account_list", STAFF_ONLY),
    get("privacy:account_data", STAFF_ONLY, pk="account"),
    get("privacy:account_data_json", STAFF_ONLY, pk="account"),
    get("privacy:account_erase", STAFF_ONLY, pk="account"),
    post(
        "privacy:account_erase", "login 403 403 403 403 200 | 403 login mfa 200", case="post", pk="account"
    ),  # no reason: the form again
    get("privacy:retention", PUBLIC),  # the retention policy is public
    post("privacy:retention", PUBLIC),
    get("privacy:register", STAFF_ONLY),
    post("privacy:register", STAFF_ONLY),
    get("privacy:audit", STAFF_ONLY),
    # --- third-party pages under the excluded prefixes: the gates that matter to us ---
    # The admin is a superuser's last resort (issue 15): it sends everybody else, staff too, to its
    # login page, which allauth's secure_admin_login guards (the same login and two-factor rules as
    # everywhere; a logged-in user without admin access gets 403 there).
    get("admin:index", "302 302 302 302 302 302 | 302 302 mfa 200"),
    get("admin:login", "login 403 403 403 403 403 | 403 login mfa 302"),
    get("admin:trainings_training_changelist", "login 302 302 302 302 302 | 302 login mfa 200"),
    get("account_login", "200 302 302 302 302 302 | 302 200 302 302"),
    get("mfa_index", "login 200 200 200 200 200 | 200 login 200 200"),
]

# anymail's provider webhooks (mounted by us in mentorwijs/urls.py): without
# ANYMAIL["WEBHOOK_SECRET"] every one answers 404 to everybody (dissemination.signals.webhook_urls).
ANYMAIL_WEBHOOK = "404 404 404 404 404 404 | 404 404 mfa 404"
