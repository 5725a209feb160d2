"""Fuzz cases of the accounts and dissemination forms (see tests/security/fuzz.py)."""

from django.urls import reverse
from django.utils import timezone
from hypothesis import strategies as st

from dissemination.models import (
    ConsentRecord,
    Event,
    EventGuest,
    Goal,
    MailingList,
    Material,
    Newsletter,
    Organisation,
    OutreachContact,
    Person,
    Subscriber,
)
from dissemination.tokens import preferences_token, rsvp_token
from mentorwijs.accounts.models import Invitation, User
from mentorwijs.accounts.tokens import invitation_token
from tests.factories import (
    EnrolmentFactory,
    InvitationFactory,
    MailingListFactory,
    OrganisationFactory,
    OutreachContactFactory,
    PersonFactory,
    SubscriberFactory,
    UserFactory,
)

from .form_helpers import (
    PDF,
    csv_file,
    in_days,
    latest,
    login,
    organisation_rows,
    rivierenland,
    setup_staff,
    snapshot,
    subscriber_rows,
)
from .fuzz import FormCase, file, text, upload, value

# --- accounts -----------------------------------------------------------------------------------


def setup_invitation_create(client):
    login(client, ["staff"])
    return {"url": reverse("accounts:invitation_create")}


def setup_invitation_accept(client):
    invitation = InvitationFactory(first_name="Ans")
    return {"url": reverse("accounts:invitation_accept", args=[invitation_token(invitation)])}


def setup_language(client):
    login(client, ["trainer"])
    return {"url": reverse("switch_language")}


# --- dissemination ------------------------------------------------------------------------------


def setup_organisation_update(client):
    login(client, ["staff"])
    organisation = OrganisationFactory(name="Bakkerij Jansen")
    return {"url": reverse("dissemination:organisation_update", args=[organisation.pk]), "object": organisation}


def setup_person_update(client):
    login(client, ["staff"])
    person = PersonFactory()
    return {"url": reverse("dissemination:person_update", args=[person.pk]), "object": person}


def setup_person_update_by_ambassador(client):
    """An ambassador's own contact who also enrolled: the address is shown, not changed."""
    user = login(client, ["ambassador"])
    person = PersonFactory(added_by=user)
    EnrolmentFactory(person=person)
    return {"url": reverse("dissemination:person_update", args=[person.pk]), "object": person}


def setup_merge(kind):
    def setup(client):
        login(client, ["staff"])
        factory = OrganisationFactory if kind == "organisation" else PersonFactory
        keep, other = factory(), factory()
        url = reverse(f"dissemination:{kind}_merge", args=[keep.pk])
        return {"url": url, "fields": {"other": value(str(other.pk))}}

    return setup


def setup_match_merge(client):
    """Staff merge an organisation a participant named into an existing one."""
    login(client, ["staff"])
    named = OrganisationFactory(name="Bakkerij Linge BV", named_by_participant_at=timezone.now())
    existing = OrganisationFactory(name="Bakkerij De Linge")
    url = reverse("dissemination:organisation_match_merge", args=[named.pk])
    return {"url": url, "fields": {"existing": value(str(existing.pk))}}


def setup_contact_log(client):
    login(client, ["ambassador"])
    organisation = OrganisationFactory()
    return {
        "url": reverse("dissemination:contact_log"),
        "extra": {"organisation": str(organisation.pk), "organisation_name": organisation.name},
    }


def setup_contact_edit(client):
    user = login(client, ["ambassador"])
    contact = OutreachContactFactory(logged_by=user)
    return {"url": reverse("dissemination:contact_detail", args=[contact.pk]), "object": contact}


def setup_contact_reassign(client):
    login(client, ["staff"])
    contact = OutreachContactFactory()
    other = UserFactory(roles=["ambassador"])
    ctx = {"url": reverse("dissemination:contact_reassign", args=[contact.pk]), "object": contact}
    ctx["fields"] = {"to_user": value(str(other.pk))}
    return ctx


def setup_event_update(client):
    login(client, ["staff"])
    event = Event.objects.create(kind="conference", title="Congres", date=timezone.localdate())
    return {"url": reverse("dissemination:event_update", args=[event.pk]), "object": event}


def setup_event_guests(client):
    login(client, ["staff"])
    event = Event.objects.create(kind="conference", title="Congres", date=timezone.localdate())
    person = PersonFactory()
    return {
        "url": reverse("dissemination:event_guests", args=[event.pk]),
        "fields": {"persons": value(str(person.pk))},
    }


def setup_event_invite_bulk(client):
    login(client, ["staff"])
    event = Event.objects.create(kind="conference", title="Congres", date=timezone.localdate())
    return {"url": reverse("dissemination:event_invite_bulk", args=[event.pk]), "object": event}


def setup_event_rsvp(client):
    event = Event.objects.create(kind="conference", title="Congres", date=timezone.localdate())
    guest = EventGuest.objects.create(event=event, person=PersonFactory())
    return {"url": reverse("event:rsvp", args=[rsvp_token(guest)]), "object": guest}


def setup_event_attendance(client):
    login(client, ["staff"])
    event = Event.objects.create(kind="conference", title="Congres", date=timezone.localdate())
    walk_in = PersonFactory()
    return {
        "url": reverse("dissemination:event_attendance", args=[event.pk]),
        "object": event,
        "fields": {"present": value([]), "walk_ins": value(str(walk_in.pk))},
    }


def setup_goal_update(client):
    login(client, ["staff"])
    goal = Goal.objects.create(
        goal="inform", target_group="employers", starts_on="2026-01-01", ends_on="2026-12-31", target=5
    )
    return {"url": reverse("dissemination:goal_update", args=[goal.pk]), "object": goal}


def setup_newsletter_create(client):
    login(client, ["staff"])
    mailing_list = MailingListFactory()
    return {
        "url": reverse("dissemination:newsletter_create"),
        "fields": {
            "subject": text(200),
            "body": text(),
            "lists": value(str(mailing_list.pk)),
            "target_groups": value("employers"),
            "regions": value(str(rivierenland().pk)),
        },
    }


def setup_newsletter_schedule(client):
    user = login(client, ["staff"])
    mailing_list = MailingListFactory()
    SubscriberFactory(lists=[mailing_list])
    newsletter = Newsletter.objects.create(subject="Nieuws", body="Tekst", created_by=user)
    newsletter.lists.set([mailing_list])
    return {"url": reverse("dissemination:newsletter_schedule", args=[newsletter.pk]), "object": newsletter}


def setup_signup(client):
    mailing_list = MailingListFactory(name="Werkgevers", public=True)
    return {
        "url": reverse("newsletter:signup"),
        "fields": {
            "email": value("nieuw@example.org"),
            "first_name": text(100),
            "last_name": text(100, required=False),
            "organisation_name": text(200),
            "target_group": value("employers"),
            "lists": value(str(mailing_list.pk)),
        },
    }


def setup_preferences(client):
    mailing_list = MailingListFactory(name="Werkgevers", public=True)
    subscriber = SubscriberFactory(lists=[mailing_list])
    return {
        "url": reverse("newsletter:preferences", args=[preferences_token(subscriber)]),
        "object": subscriber,
        "fields": {"lists": value(str(mailing_list.pk))},
    }


def setup_material_upload(client):
    login(client, ["staff"])
    return {
        "url": reverse("materials:upload"),
        "fields": {
            "kind": value("handbook"),
            "title": text(200),
            "language": value("nl"),
            "version": text(20),
            "description": text(2000, required=False),
            "file": file(st.builds(lambda: upload("handboek.pdf", PDF))),
        },
    }


def setup_organisation_import(client):
    login(client, ["staff"])
    header = ["name", "kvk_number", "target_group", "region", "postcode", "city", "website"]
    return {
        "url": reverse("dissemination:organisation_import"),
        "fields": {"file": file(csv_file(header, organisation_rows))},
    }


def setup_subscriber_import(client):
    login(client, ["staff"])
    MailingListFactory(name="Werkgevers")
    header = ["email", "name", "organisation", "target_group", "lists", "consent_source", "proof"]
    return {
        "url": reverse("dissemination:subscriber_import"),
        "fields": {"file": file(csv_file(header, subscriber_rows))},
    }


CASES = [
    # accounts
    FormCase(
        "invitation_create",
        setup_invitation_create,
        fields={
            "email": value("nieuw@example.org"),
            "first_name": text(150),
            "roles": value("trainer"),
            "language": value("nl"),
        },
        models=(Invitation, User),
        stored=latest(Invitation),
        stored_fields={"first_name": "first_name"},
        show=lambda ctx, obj: reverse("accounts:invitation_list"),
        shown_fields=(),
    ),
    FormCase(
        "invitation_accept",
        setup_invitation_accept,
        fields={
            "first_name": text(150),
            "last_name": text(150),
            "password1": value("een-lang-wachtwoord-73"),
            "password2": value("een-lang-wachtwoord-73"),
        },
        models=(User,),
        stored=latest(User),
        stored_fields={"first_name": "first_name", "last_name": "last_name"},
    ),
    FormCase("switch_language", setup_language, fields={"language": value("en"), "next": value("/")}),
    # dissemination: relations
    FormCase(
        "organisation_create",
        setup_staff("dissemination:organisation_create"),
        fields={
            "name": text(200),
            "kvk_number": value(""),
            "target_group": value("employers"),
            "region": value("1"),
            "postcode": value("4001 AB"),
            "city": text(100),
            "website": value("https://example.org"),
            "save_anyway": value("on"),
        },
        models=(Organisation,),
        stored=latest(Organisation),
        stored_fields={"name": "name", "city": "city"},
        show=lambda ctx, obj: reverse("dissemination:organisation_detail", args=[obj.pk]),
    ),
    FormCase(
        "organisation_update",
        setup_organisation_update,
        fields={
            "name": text(200),
            "kvk_number": value("12345678"),
            "target_group": value("employers"),
            "region": value("1"),
            "postcode": value(""),
            "city": text(100),
            "website": value(""),
            "save_anyway": value("on"),
        },
        models=(Organisation,),
        snapshot=snapshot(Organisation, "name", "city", "kvk_number", "region", "website", "postcode"),
        stored=lambda ctx, data: Organisation.objects.get(pk=ctx["object"].pk),
        stored_fields={"name": "name", "city": "city"},
        show=lambda ctx, obj: reverse("dissemination:organisation_detail", args=[obj.pk]),
    ),
    FormCase(
        "person_create",
        setup_staff("dissemination:person_create"),
        fields={
            "first_name": text(100),
            "last_name": text(150),
            "email": value("iemand@example.org"),
            "phone": text(30, required=False),
            "function": text(150, required=False),
            "organisation_name": value(""),
            "organisation": value(""),
        },
        models=(Person, Organisation),
        stored=latest(Person),
        stored_fields={"first_name": "first_name", "last_name": "last_name", "function": "function"},
        show=lambda ctx, obj: reverse("dissemination:person_update", args=[obj.pk]),
    ),
    FormCase(
        "person_update",
        setup_person_update,
        fields={
            "first_name": text(100),
            "last_name": text(150),
            "email": value("ander@example.org"),
            "phone": text(30, required=False),
            "function": text(150, required=False),
        },
        models=(Person, Organisation),
        snapshot=snapshot(Person, "first_name", "last_name", "email", "phone", "function", "organisation"),
        stored=lambda ctx, data: Person.objects.get(pk=ctx["object"].pk),
        stored_fields={"first_name": "first_name", "last_name": "last_name"},
        show=lambda ctx, obj: reverse("dissemination:person_list"),
    ),
    FormCase(
        "person_update_by_ambassador",
        setup_person_update_by_ambassador,
        fields={
            "first_name": text(100),
            "last_name": text(150),
            "email": value("ander@example.org"),
            "phone": text(30, required=False),
            "function": text(150, required=False),
        },
        models=(Person, Organisation),
        snapshot=snapshot(Person, "first_name", "last_name", "email", "phone", "function", "organisation"),
        stored=lambda ctx, data: Person.objects.get(pk=ctx["object"].pk),
        stored_fields={"first_name": "first_name", "last_name": "last_name"},
        show=lambda ctx, obj: reverse("dissemination:person_list"),
    ),
    FormCase(
        "person_list_filter",
        setup_staff("dissemination:person_list"),
        method="get",
        fields={"q": text(), "target_group": value("employers"), "page": value("1")},
    ),
    FormCase(
        "organisation_list_filter",
        setup_staff("dissemination:organisation_list"),
        method="get",
        fields={"q": text(), "target_group": value("employers"), "region": value("1"), "page": value("1")},
    ),
    FormCase(
        "organisation_search",
        setup_staff("dissemination:organisation_search"),
        method="get",
        fields={"q": text()},
    ),
    FormCase(
        "organisation_merge",
        setup_merge("organisation"),
        models=(Organisation, Person),
    ),
    FormCase("person_merge", setup_merge("person"), models=(Organisation, Person)),
    FormCase("person_merge_search", setup_merge("person"), method="get", fields={"q": text(100)}),
    # dissemination: organisations participants named (staff match them)
    FormCase("organisation_match_merge", setup_match_merge, models=(Organisation, Person)),
    FormCase("organisation_match_search", setup_match_merge, method="get", fields={"q": text(200)}),
    # dissemination: outreach
    FormCase(
        "contact_log",
        setup_contact_log,
        fields={
            "date": value(timezone.localdate().isoformat()),
            "channel": value("conversation"),
            "stage": value("informed"),
            "materials": value("factsheet"),
            "key_messages": value([]),
            "notes": text(required=False),
            "follow_up_on": value(""),
            "person_first_name": text(100, required=False),
            "person_last_name": text(150, required=False),
            "person_email": value(""),
            "organisation_city": text(100, required=False),
            "organisation_target_group": value(""),
            "organisation_region": value(""),
        },
        models=(OutreachContact, Organisation, Person),
        stored=latest(OutreachContact),
        stored_fields={"notes": "notes"},
        show=lambda ctx, obj: reverse("dissemination:contact_detail", args=[obj.pk]),
    ),
    FormCase(
        "contact_edit",
        setup_contact_edit,
        fields={
            "date": value(timezone.localdate().isoformat()),
            "channel": value("conversation"),
            "stage": value("convinced"),
            "materials": value([]),
            "key_messages": value([]),
            "notes": text(required=False),
            "follow_up_on": value(in_days(7)),
            "person": value(""),
            "follow_up_done": value(""),
        },
        models=(OutreachContact,),
        snapshot=snapshot(OutreachContact, "date", "channel", "stage", "notes", "follow_up_on", "person"),
        stored=lambda ctx, data: OutreachContact.objects.get(pk=ctx["object"].pk),
        stored_fields={"notes": "notes"},
        show=lambda ctx, obj: reverse("dissemination:contact_detail", args=[obj.pk]),
    ),
    FormCase(
        "contact_reassign",
        setup_contact_reassign,
        models=(OutreachContact,),
        snapshot=snapshot(OutreachContact, "logged_by"),
    ),
    FormCase(
        "contact_list_filter",
        setup_staff("dissemination:contact_list"),
        method="get",
        fields={"logged_by": value("1"), "page": value("2")},
    ),
    FormCase(
        "contact_follow_up_done",
        setup_contact_edit,
        fields={"next": text()},
        models=(OutreachContact,),
    ),
    # dissemination: events and goals
    FormCase(
        "event_create",
        setup_staff("dissemination:event_create"),
        fields={
            "kind": value("conference"),
            "title": text(200),
            "date": value(timezone.localdate().isoformat()),
            "place": text(200, required=False),
            "region": value(""),
            "description": text(required=False),
            "speakers": value([]),
            "outcomes": text(required=False),
            "follow_up": text(required=False),
            "follow_up_on": value(""),
        },
        models=(Event,),
        stored=latest(Event),
        stored_fields={"title": "title", "place": "place", "description": "description", "outcomes": "outcomes"},
        show=lambda ctx, obj: reverse("dissemination:event_detail", args=[obj.pk]),
    ),
    FormCase(
        "event_update",
        setup_event_update,
        fields={
            "kind": value("workshop"),
            "title": text(200),
            "date": value(timezone.localdate().isoformat()),
            "follow_up": text(required=False),
            "follow_up_on": value(in_days(3)),
        },
        models=(Event,),
        snapshot=snapshot(Event, "kind", "title", "date", "follow_up", "follow_up_on"),
        stored=lambda ctx, data: Event.objects.get(pk=ctx["object"].pk),
        stored_fields={"title": "title", "follow_up": "follow_up"},
        show=lambda ctx, obj: reverse("dissemination:event_detail", args=[obj.pk]),
    ),
    FormCase("event_guests_invite", setup_event_guests, models=(Event, Person)),
    FormCase(
        "event_guests_search",
        setup_event_guests,
        method="get",
        fields={"q": text(100)},
    ),
    FormCase(
        "event_invite_bulk_preview",
        setup_event_invite_bulk,
        method="get",
        fields={"group": value("past_participants"), "region": value(""), "target_group": value("")},
    ),
    FormCase(
        "event_invite_bulk",
        setup_event_invite_bulk,
        fields={"group": value("organisations"), "region": value(""), "target_group": value("employers")},
        models=(Event, EventGuest),
    ),
    FormCase("event_rsvp", setup_event_rsvp, fields={"answer": value("yes")}, models=(EventGuest,)),
    FormCase("event_attendance", setup_event_attendance, models=(Event, Person)),
    FormCase(
        "event_list_filter",
        setup_staff("dissemination:event_list"),
        method="get",
        fields={"kind": value("conference"), "year": value("2026"), "page": value("1")},
    ),
    FormCase(
        "goal_create",
        setup_staff("dissemination:goal_create"),
        fields={
            "goal": value("inform"),
            "target_group": value("employers"),
            "starts_on": value("2027-01-01"),
            "ends_on": value("2027-12-31"),
            "target": value("12"),
            "note": text(300, required=False),
        },
        models=(Goal,),
        stored=latest(Goal),
        stored_fields={"note": "note"},
        show=lambda ctx, obj: reverse("dissemination:goal_list"),
    ),
    FormCase(
        "goal_update",
        setup_goal_update,
        fields={
            "goal": value("convince"),
            "target_group": value("employers"),
            "starts_on": value("2026-01-01"),
            "ends_on": value("2026-06-30"),
            "target": value("7"),
            "note": text(300, required=False),
        },
        models=(Goal,),
        snapshot=snapshot(Goal, "goal", "target_group", "starts_on", "ends_on", "target", "note"),
    ),
    # dissemination: newsletters
    FormCase(
        "newsletter_create",
        setup_newsletter_create,
        models=(Newsletter,),
        stored=latest(Newsletter),
        stored_fields={"subject": "subject", "body": "body"},
        show=lambda ctx, obj: reverse("dissemination:newsletter_detail", args=[obj.pk]),
        shown_fields=("subject",),  # the body is Markdown, shown sanitised (see the test below)
    ),
    FormCase(
        "newsletter_preview",
        setup_staff("dissemination:newsletter_preview"),
        fields={"subject": text(200, required=False), "body": text(required=False)},
        models=(Newsletter,),
    ),
    FormCase(
        "newsletter_schedule",
        setup_newsletter_schedule,
        fields={"when": value("later"), "scheduled_at": value(f"{in_days(2)}T10:00")},
        models=(Newsletter,),
        snapshot=snapshot(Newsletter, "status", "scheduled_at"),
    ),
    FormCase(
        "subscriber_list_filter",
        setup_staff("dissemination:subscriber_list"),
        method="get",
        fields={"status": value("confirmed"), "mailing_list": value("1"), "target_group": value(""), "q": text(100)},
    ),
    FormCase(
        "newsletter_signup",
        setup_signup,
        models=(Subscriber, ConsentRecord, Organisation, Person),
        stored=lambda ctx, data: Subscriber.objects.filter(email=data.get("email")).first(),
        stored_fields={"first_name": "first_name"},
    ),
    FormCase(
        "newsletter_preferences",
        setup_preferences,
        models=(Subscriber, MailingList),
    ),
    FormCase(
        "materials_public_list",
        lambda client: {"url": reverse("materials:public_list")},
        method="get",
        fields={"language": value("nl"), "kind": value("flyer")},
    ),
    FormCase(
        "dashboard_filter",
        setup_staff("overview:dashboard"),
        method="get",
        fields={
            "target_group": value("employers"),
            "region": value("1"),
            "date_from": value("2026-01-01"),
            "date_to": value("2026-06-30"),
        },
    ),
    FormCase(
        "dashboard_export",
        setup_staff("overview:dashboard_export"),
        method="get",
        fields={"table": value("funnel"), "region": value("1"), "date_from": value("2026-01-01")},
    ),
    FormCase(
        "material_upload",
        setup_material_upload,
        models=(Material,),
        stored=latest(Material),
        stored_fields={"title": "title", "version": "version", "description": "description"},
        show=lambda ctx, obj: reverse("materials:manage"),
        shown_fields=("title",),
    ),
    # The first step of an import only checks and previews: nothing is written.
    FormCase("organisation_import", setup_organisation_import, models=(Organisation,)),
    FormCase("subscriber_import", setup_subscriber_import, models=(Subscriber, ConsentRecord)),
    FormCase(
        "mailing_list_create",
        setup_staff("dissemination:mailing_list_create"),
        fields={"name": text(100), "description": text(300, required=False), "public": value("on")},
        models=(MailingList,),
        stored=latest(MailingList),
        stored_fields={"name": "name", "description": "description"},
        show=lambda ctx, obj: reverse("dissemination:mailing_list_list"),
    ),
]
