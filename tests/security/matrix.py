"""The permission matrix: every URL pattern of the project × every role, with the answer expected.

A row names a URL pattern, how to fill in its arguments from the data set that
tests/security/test_permission_matrix.py builds, the method, and the expected answer per role in the
order of ROLES. `test_every_url_pattern_has_a_row` fails for a pattern without a row, so a new view
cannot be added without deciding who may open it.

Answers: "login" (302 to the login page), "302" (any other redirect), or a status code.
Write them as one string of six words, one per role, e.g. "login 200 404 403 403 200".
"""

from dataclasses import dataclass, field

# The roles, in the order of the words of every expectation.
ROLES = ("anonymous", "ambassador_a", "ambassador_b", "trainer", "master_trainer", "staff")

# Shorthands for the common cases.
PUBLIC = "200 200 200 200 200 200"
STAFF_ONLY = "login 403 403 403 403 200"
STAFF_ONLY_POST = "login 403 403 403 403 302"
AMBASSADORS_AND_STAFF = "login 200 200 403 403 200"
TRAINER_ROLES_AND_STAFF = "login 403 403 200 200 200"  # trainings.browse_trainings
REVIEWERS = "login 403 403 403 200 200"  # staff and master trainers
TRAINER_ROLES = "login 403 403 200 200 403"  # trainers and master trainers, not staff

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

    @property
    def label(self) -> str:
        return f"{self.name}[{self.case}]" if self.case else self.name

    def expected(self) -> dict[str, str]:
        words = self.expect.split()
        if len(words) != len(ROLES):
            raise ValueError(f"{self.label}: {len(words)} answers for {len(ROLES)} roles")
        return dict(zip(ROLES, words, strict=True))


def post(name, expect, case="", **kwargs):
    return Row(name, expect, kwargs=kwargs, method="post", case=case)


def get(name, expect, case="", query="", **kwargs):
    return Row(name, expect, kwargs=kwargs, query=query, case=case)


ROWS = [
    # --- overview ---
    get("overview:home", "login 200 200 200 200 200"),
    get("overview:dashboard", "login 200 200 403 200 200"),
    get("overview:dashboard_export", "login 200 200 403 200 200", query="table=goals"),
    # --- accounts: invitations (staff), the invitation link (public, signed) ---
    get("accounts:invitation_list", STAFF_ONLY),
    get("accounts:invitation_create", STAFF_ONLY),
    post("accounts:invitation_revoke", STAFF_ONLY_POST, pk="invitation"),
    get("accounts:invitation_accept", PUBLIC, token="invitation_token"),
    get("accounts:invitation_accept", "410 410 410 410 410 410", case="forged", token="forged_token"),
    get("switch_language", "405 405 405 405 405 405"),
    post("switch_language", "302 302 302 302 302 302", case="post"),
    get("healthz", PUBLIC),
    # --- outbox: caught mail (staff) ---
    get("outbox:list", STAFF_ONLY),
    get("outbox:detail", STAFF_ONLY, pk="caught_mail"),
    get("outbox:html", "login 403 403 403 403 404", pk="caught_mail"),  # a text-only mail has no HTML part
    # --- dissemination: organisations and people ---
    get("dissemination:organisation_list", AMBASSADORS_AND_STAFF),
    get("dissemination:organisation_search", AMBASSADORS_AND_STAFF, query="q=Org"),
    get("dissemination:organisation_create", AMBASSADORS_AND_STAFF),
    get("dissemination:organisation_detail", AMBASSADORS_AND_STAFF, pk="organisation"),
    get("dissemination:organisation_update", AMBASSADORS_AND_STAFF, pk="organisation"),
    get("dissemination:person_list", AMBASSADORS_AND_STAFF),
    get("dissemination:person_create", AMBASSADORS_AND_STAFF),
    get("dissemination:person_update", AMBASSADORS_AND_STAFF, pk="person"),
    get("dissemination:organisation_merge", STAFF_ONLY, pk="organisation"),
    get("dissemination:person_merge", STAFF_ONLY, pk="person"),
    get("dissemination:organisation_import", STAFF_ONLY),
    get("dissemination:organisation_export", STAFF_ONLY),
    # --- dissemination: the outreach log (ambassadors their own contacts, staff all) ---
    get("dissemination:contact_list", AMBASSADORS_AND_STAFF),
    get("dissemination:contact_log", AMBASSADORS_AND_STAFF),
    get("dissemination:contact_detail", "login 200 404 403 403 200", case="A's", pk="contact_a"),
    get("dissemination:contact_detail", "login 404 200 403 403 200", case="B's", pk="contact_b"),
    post("dissemination:contact_detail", "login 200 404 403 403 200", case="A's, post", pk="contact_a"),
    post("dissemination:contact_follow_up_done", "login 302 404 403 403 302", pk="contact_a"),
    get("dissemination:contact_reassign", STAFF_ONLY, pk="contact_a"),
    get("dissemination:follow_up_list", AMBASSADORS_AND_STAFF),
    get("dissemination:organisation_outreach", AMBASSADORS_AND_STAFF, pk="organisation"),
    # --- dissemination: events (ambassadors read, staff maintain) ---
    get("dissemination:event_list", AMBASSADORS_AND_STAFF),
    get("dissemination:event_detail", AMBASSADORS_AND_STAFF, pk="event"),
    get("dissemination:event_create", STAFF_ONLY),
    get("dissemination:event_update", STAFF_ONLY, pk="event"),
    get("dissemination:event_guests", STAFF_ONLY, pk="event"),
    post("dissemination:event_guest_remove", STAFF_ONLY_POST, pk="event", guest_pk="event_guest"),
    get("dissemination:event_attendance", STAFF_ONLY, pk="event"),
    post("dissemination:event_follow_up_done", STAFF_ONLY_POST, pk="event"),
    # --- dissemination: the plan's goals (staff) ---
    get("dissemination:goal_list", STAFF_ONLY),
    get("dissemination:goal_create", STAFF_ONLY),
    get("dissemination:goal_update", STAFF_ONLY, pk="goal"),
    get("dissemination:goal_delete", STAFF_ONLY, pk="goal"),
    post("dissemination:goal_delete", STAFF_ONLY_POST, case="post", pk="goal"),
    # --- dissemination: newsletters and subscribers (staff) ---
    get("dissemination:newsletter_list", STAFF_ONLY),
    get("dissemination:newsletter_create", STAFF_ONLY),
    post("dissemination:newsletter_preview", STAFF_ONLY),
    get("dissemination:newsletter_detail", STAFF_ONLY, pk="newsletter"),
    get("dissemination:newsletter_update", STAFF_ONLY, pk="newsletter"),
    post("dissemination:newsletter_test_send", STAFF_ONLY_POST, pk="newsletter"),
    post("dissemination:newsletter_schedule", "login 403 403 403 403 400", pk="newsletter"),
    post("dissemination:newsletter_cancel", STAFF_ONLY_POST, pk="newsletter"),
    get("dissemination:newsletter_progress", STAFF_ONLY, pk="newsletter"),
    get("dissemination:subscriber_list", STAFF_ONLY),
    get("dissemination:subscriber_import", STAFF_ONLY),
    get("dissemination:subscriber_detail", STAFF_ONLY, pk="subscriber"),
    # --- materials: public list and downloads, staff manage ---
    get("materials:public_list", PUBLIC),
    get("materials:versions", PUBLIC, pk="material"),
    get("materials:download", PUBLIC, pk="material"),
    get("materials:manage", STAFF_ONLY),
    get("materials:upload", STAFF_ONLY),
    # --- newsletter: public sign-up and the signed links from its mails ---
    get("newsletter:signup", PUBLIC),
    get("newsletter:signup_done", PUBLIC),
    get("newsletter:confirm", PUBLIC, token="confirm_token"),
    get("newsletter:preferences", PUBLIC, token="preferences_token"),
    get("newsletter:unsubscribe", PUBLIC, token="unsubscribe_token"),
    # --- trainings: runs (staff and master trainers all, trainers the runs they give) ---
    get("trainings:training_list", TRAINER_ROLES_AND_STAFF),
    get("trainings:calendar", TRAINER_ROLES_AND_STAFF),
    get("trainings:training_create", STAFF_ONLY),
    get("trainings:training_detail", TRAINER_ROLES_AND_STAFF, case="trainer's run", pk="run"),
    get("trainings:training_detail", "login 403 403 404 200 200", case="another's run", pk="other_run"),
    get("trainings:training_update", STAFF_ONLY, pk="run"),
    get("trainings:meetings_update", STAFF_ONLY, pk="run"),
    get("trainings:meeting_cancel", STAFF_ONLY, pk="meeting"),
    # The permission is checked before the lookup: a role without it gets 403, staff a 404.
    get("trainings:training_update", "login 403 403 403 403 404", case="no such run", pk=999999),
    get("trainings:meeting_cancel", "login 403 403 403 403 404", case="no such meeting", pk=999999),
    get("trainings:location_create", STAFF_ONLY),
    get("trainings:staff_enrol", STAFF_ONLY, pk="run"),
    get("trainings:enrolment_move", STAFF_ONLY, pk="enrolment"),
    get("trainings:enrolment_cancel", STAFF_ONLY, pk="enrolment"),
    # Attendance: staff, and trainers at the runs they give; master trainers do not register it.
    get("trainings:meeting_attendance", "login 403 403 200 403 200", case="trainer's run", pk="meeting"),
    get("trainings:meeting_attendance", "login 403 403 404 403 200", case="another's run", pk="other_meeting"),
    post("trainings:meeting_attendance", "login 403 403 404 403 400", case="another's, post", pk="other_meeting"),
    get("trainings:catch_up", "login 403 403 200 403 200", case="trainer's run", pk="meeting"),
    get("trainings:catch_up", "login 403 403 404 403 200", case="another's run", pk="other_meeting"),
    get("trainings:certificate_pdf", STAFF_ONLY, pk="certificate"),
    get("trainings:certificate_revoke", STAFF_ONLY, pk="certificate"),
    get("trainings:evaluation_overview", REVIEWERS),
    get("trainings:evaluation_export", REVIEWERS),
    # --- trainings: public pages, calendar feeds and the participant's personal link ---
    get("trainings:public_feed", PUBLIC),
    get("trainings:trainer_feed", PUBLIC, token="trainer_feed_token"),
    get("trainings:trainer_feed", "404 404 404 404 404 404", case="forged", token="forged_feed_token"),
    get("trainings:participant_feed", PUBLIC, token="participant_feed_token"),
    get("trainings:public_list", PUBLIC),
    get("trainings:public_enrol", PUBLIC, pk="run"),
    get("trainings:public_enrolled", PUBLIC, pk="run"),
    get("trainings:organisation_search", PUBLIC, query="q=Org"),
    get("trainings:privacy", PUBLIC),
    get("trainings:personal", PUBLIC, token="enrolment_token"),
    get("trainings:personal", "404 404 404 404 404 404", case="unknown token", token="forged_token"),
    get("trainings:personal_cancel", PUBLIC, token="enrolment_token"),
    post("trainings:offer_accept", "302 302 302 302 302 302", token="enrolment_token"),
    get("trainings:personal_certificate", PUBLIC, token="completed_token"),
    get("trainings:verify", PUBLIC, query="code=ABC"),
    get("trainings:evaluation_form", PUBLIC, token="enrolment_token", moment="voor"),
    # --- ambassadors: certification (holders their own, reviewers all) ---
    get("ambassadors:certification_request", TRAINER_ROLES),
    get("ambassadors:review_list", REVIEWERS),
    get("ambassadors:certification_detail", "login 404 404 200 200 200", case="trainer's", pk="certification"),
    get("ambassadors:certification_detail", "login 404 404 404 200 200", case="another's", pk="other_certification"),
    post(
        "ambassadors:certification_detail",
        "login 404 404 404 400 400",  # reviewers get the form, but only the holder adds information
        case="another's, post",
        pk="other_certification",
    ),
    get("ambassadors:certification_review", REVIEWERS, pk="requested_certification"),
    post("ambassadors:certification_review", "login 403 403 403 302 302", case="post", pk="requested_certification"),
    get("ambassadors:evidence_download", "login 404 404 200 200 200", case="trainer's", pk="evidence"),
    get("ambassadors:evidence_download", "login 404 404 404 200 200", case="another's", pk="other_evidence"),
    get("ambassadors:my_certification", TRAINER_ROLES),
    get("ambassadors:public_register", PUBLIC),
    # --- ambassadors: assignments, quality, profiles ---
    get("ambassadors:training_assignments", STAFF_ONLY, pk="run"),
    get("ambassadors:open_runs", TRAINER_ROLES),
    get("ambassadors:lineage", REVIEWERS),
    get("ambassadors:fidelity_overview", REVIEWERS),
    get("ambassadors:fidelity_mine", TRAINER_ROLES),
    get("ambassadors:fidelity_review", TRAINER_ROLES, case="trainer leads", pk="run"),
    get("ambassadors:fidelity_review", "login 403 403 404 200 403", case="another's run", pk="other_run"),
    post("ambassadors:fidelity_review", "login 403 403 404 400 403", case="another's, post", pk="other_run"),
    get("ambassadors:ambassador_list", STAFF_ONLY),
    get("ambassadors:ambassador_invite", STAFF_ONLY),
    post("ambassadors:invite_participant", STAFF_ONLY_POST, pk="enrolment"),
    get("ambassadors:my_profile", "login 200 200 200 200 403"),
    # --- privacy (issue 7): a person's data, its export and erasure (staff) ---
    get("privacy:person_data", STAFF_ONLY, pk="person"),
    get("privacy:person_data_json", STAFF_ONLY, pk="person"),
    get("privacy:person_erase", STAFF_ONLY, pk="person"),
    # --- privacy (issue 14): account holders' data, its export and erasure (staff) ---
    get("privacy:account_list", STAFF_ONLY),
    get("privacy:account_data", STAFF_ONLY, pk="account"),
    get("privacy:account_data_json", STAFF_ONLY, pk="account"),
    get("privacy:account_erase", STAFF_ONLY, pk="account"),
    post("privacy:account_erase", "login 403 403 403 403 200", case="post", pk="account"),  # no reason: the form again
    get("privacy:retention", PUBLIC),  # the retention policy is public
    get("privacy:register", STAFF_ONLY),
    get("privacy:audit", STAFF_ONLY),
    # --- third-party pages under the excluded prefixes: the gates that matter to us ---
    # The admin sends everybody without staff to its login page, which allauth's secure_admin_login
    # guards: the same login and two-factor rules as everywhere.
    get("admin:index", "302 302 302 302 302 200"),
    get("admin:login", "login 403 403 403 403 302"),
    get("admin:trainings_training_changelist", "login 302 302 302 302 200"),
    get("account_login", "200 302 302 302 302 302"),
    get("mfa_index", "login 200 200 200 200 200"),
]

# anymail's provider webhooks (mounted by us in mentorwijs/urls.py): without
# ANYMAIL["WEBHOOK_SECRET"] every one answers 404 to everybody (dissemination.signals.webhook_urls).
ANYMAIL_WEBHOOK = "404 404 404 404 404 404"
