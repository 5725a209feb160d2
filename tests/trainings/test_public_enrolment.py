"""The public pages: runs open for enrolment, the enrolment form, the organisation search, the
privacy statement and the personal page (cancel, accept an offer)."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from dissemination.models import Organisation, Person, Region
from tests.factories import EnrolmentFactory, MeetingFactory, OrganisationFactory, PersonFactory, TrainingFactory
from trainings.calendar import participant_feed_token
from trainings.enums import EnrolmentStatus, MeetingStatus, MessageKind, TrainingStatus
from trainings.models import Enrolment, ScheduledMessage
from trainings.views.public import PUBLIC_LIST_PAGE_SIZE

pytestmark = pytest.mark.django_db


def form_data(**overrides):
    data = {
        "first_name": "Anna",
        "last_name": "de Vries",
        "email": "anna@example.org",
        "phone": "0612345678",
        "organisation_name": "Bakkerij Linge",
        "organisation": "",
        "organisation_city": "Tiel",
        "organisation_target_group": "employers",
        "function": "Teamleider",
        "source": "newsletter",
        "dietary_wishes": "geen vis",
        "consent": "on",
    }
    data.update(overrides)
    return data


def enrol_url(training):
    return reverse("trainings:public_enrol", kwargs={"pk": training.pk})


# --- the list of runs ---


def test_public_list_is_open_to_anonymous_visitors_and_shows_open_and_full_runs(client):
    open_run = TrainingFactory(status=TrainingStatus.OPEN, meetings=2)
    full_run = TrainingFactory(status=TrainingStatus.FULL)
    TrainingFactory(status=TrainingStatus.DRAFT)
    TrainingFactory(status=TrainingStatus.RUNNING)
    response = client.get(reverse("trainings:public_list"))
    assert response.status_code == 200
    assert {run.pk for run in response.context["runs"]} == {open_run.pk, full_run.pk}


def test_public_list_filters_by_region_and_counts_free_places(client):
    zeeland = Region.objects.get(name="Zeeland")
    run = TrainingFactory(region=zeeland, capacity=10)
    EnrolmentFactory.create_batch(3, training=run)
    EnrolmentFactory(training=run, status=EnrolmentStatus.CANCELLED)
    TrainingFactory()  # Rivierenland
    response = client.get(reverse("trainings:public_list"), {"region": str(zeeland.pk)})
    [shown] = response.context["runs"]
    assert (shown.pk, shown.places_held, shown.places_free) == (run.pk, 3, 7)
    assert response.context["region"] == zeeland
    assert [region.name for region in response.context["regions"]] == ["Rivierenland", "Zeeland"]


def test_public_list_leaves_out_runs_whose_first_meeting_has_begun(client):
    upcoming = TrainingFactory(meetings=5)
    TrainingFactory(meetings=5, meetings__first_meeting=timezone.now() - timedelta(minutes=5))
    moved_on = TrainingFactory(meetings=2)  # its first meeting was cancelled: the run has not begun
    MeetingFactory(training=moved_on, number=9, starts_at=timezone.now() - timedelta(days=1), status="cancelled")
    response = client.get(reverse("trainings:public_list"))
    assert {run.pk for run in response.context["runs"]} == {upcoming.pk, moved_on.pk}


def test_public_list_links_the_public_calendar_feed(client):
    response = client.get(reverse("trainings:public_list"))
    assert f'href="{reverse("trainings:public_feed")}"' in response.content.decode()


@pytest.mark.parametrize("rows", [5, 200])
def test_public_list_runs_fixed_queries(client, django_assert_num_queries, rows):
    for _ in range(rows):
        TrainingFactory(meetings=1)
    # The regions of the form; the count, the page of runs and their meetings.
    with django_assert_num_queries(4):
        response = client.get(reverse("trainings:public_list"))
    assert len(response.context["runs"]) == min(rows, PUBLIC_LIST_PAGE_SIZE)


def test_public_list_shows_the_runs_a_page_at_a_time_in_order(client):
    runs = [
        TrainingFactory(meetings=1, meetings__first_meeting=timezone.now() + timedelta(days=10 + number))
        for number in range(PUBLIC_LIST_PAGE_SIZE + 3)
    ]
    first = client.get(reverse("trainings:public_list"))
    second = client.get(reverse("trainings:public_list"), {"page": "2"})
    assert [run.pk for run in first.context["runs"]] == [run.pk for run in runs[:PUBLIC_LIST_PAGE_SIZE]]
    assert [run.pk for run in second.context["runs"]] == [run.pk for run in runs[PUBLIC_LIST_PAGE_SIZE:]]
    assert "Pagina 2 van 2" in second.content.decode()
    assert 'href="?page=2"' in first.content.decode()


# --- the enrolment form ---


def test_enrolment_form_opens_for_anonymous_visitors(client):
    response = client.get(enrol_url(TrainingFactory()))
    assert response.status_code == 200
    assert list(response.context["form"].fields) == [
        "first_name",
        "last_name",
        "email",
        "phone",
        "organisation_name",
        "organisation",
        "organisation_city",
        "organisation_target_group",
        "function",
        "source",
        "dietary_wishes",
        "consent",
    ]


def test_enrolling_with_a_new_organisation_ends_on_the_check_your_mail_page(client):
    training = TrainingFactory()
    response = client.post(enrol_url(training), form_data())
    enrolment = Enrolment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("trainings:public_enrolled", kwargs={"pk": training.pk})
    assert (enrolment.training, enrolment.status, enrolment.source, enrolment.dietary_wishes) == (
        training,
        EnrolmentStatus.REGISTERED,
        "newsletter",
        "geen vis",
    )
    assert enrolment.privacy_version == settings.PRIVACY_STATEMENT_VERSION
    person = enrolment.person
    assert (person.first_name, person.email, person.phone, person.function) == (
        "Anna",
        "anna@example.org",
        "0612345678",
        "Teamleider",
    )
    assert (person.organisation.name, person.organisation.city, person.organisation.region) == (
        "Bakkerij Linge",
        "Tiel",
        training.region,
    )


def test_enrolling_with_an_organisation_chosen_from_the_search(client):
    organisation = OrganisationFactory(name="Hovenier Betuwe", public_since=timezone.now())
    client.post(
        enrol_url(TrainingFactory()),
        form_data(
            organisation=str(organisation.pk),
            organisation_name="Hovenier Betuwe",
            organisation_city="",
            organisation_target_group="",
        ),
    )
    assert Enrolment.objects.get().person.organisation == organisation
    assert Organisation.objects.count() == 1


def test_without_a_chosen_organisation_the_new_organisation_fields_are_required(client):
    response = client.post(enrol_url(TrainingFactory()), form_data(organisation_city="", organisation_target_group=""))
    assert response.status_code == 200
    assert sorted(response.context["form"].errors) == ["organisation_city", "organisation_target_group"]
    assert Enrolment.objects.count() == 0
    assert Organisation.objects.count() == 0


def test_enrolling_without_consent_is_refused_at_the_field(client):
    data = form_data()
    del data["consent"]
    response = client.post(enrol_url(TrainingFactory()), data)
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["consent"]
    assert (Enrolment.objects.count(), Person.objects.count()) == (0, 0)


def test_the_check_your_mail_page_shows_the_run_and_no_personal_link(client):
    training = TrainingFactory()
    client.post(enrol_url(training), form_data())
    enrolment = Enrolment.objects.get()
    response = client.get(reverse("trainings:public_enrolled", kwargs={"pk": training.pk}))
    assert response.status_code == 200
    assert response.context["training"] == training
    assert enrolment.token not in response.content.decode()
    assert "enrolment" not in response.context


def test_the_check_your_mail_page_of_a_draft_run_is_404(client):
    training = TrainingFactory(status=TrainingStatus.DRAFT)
    assert client.get(reverse("trainings:public_enrolled", kwargs={"pk": training.pk})).status_code == 404


def test_a_repeated_public_enrolment_answers_like_a_first_one_and_mails_the_personal_link_again(
    client, django_capture_on_commit_callbacks
):
    training = TrainingFactory(meetings=2)
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(enrol_url(training), form_data())
    enrolment = Enrolment.objects.get()
    counts = (Enrolment.objects.count(), Person.objects.count(), Organisation.objects.count())
    mail.outbox.clear()
    # Later than RESEND_INTERVAL: a repeat within it answers the same but sends nothing more.
    ScheduledMessage.objects.filter(enrolment=enrolment).update(created_at=timezone.now() - timedelta(minutes=11))
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(
            enrol_url(training), form_data(email="ANNA@example.org", organisation_name="Iets Anders", phone="0699")
        )
    assert (again.status_code, again["Location"]) == (first.status_code, first["Location"])
    assert (Enrolment.objects.count(), Person.objects.count(), Organisation.objects.count()) == counts
    [message] = mail.outbox
    assert message.to == ["anna@example.org"]
    assert settings.SITE_URL + personal(enrolment) in message.body
    assert ScheduledMessage.objects.filter(enrolment=enrolment, kind=MessageKind.ENROLMENT_CONFIRMED).count() == 2


def test_an_anonymous_enrolment_leaves_a_known_persons_details_alone(client):
    organisation = OrganisationFactory(name="Hovenier Betuwe")
    person = PersonFactory(email="anna@example.org", phone="", function="", organisation=organisation)
    client.post(enrol_url(TrainingFactory()), form_data(phone="0600000000", function="Directeur"))
    person.refresh_from_db()
    assert (person.phone, person.function, person.organisation) == ("", "", organisation)
    assert Enrolment.objects.get().person == person
    assert list(Organisation.objects.all()) == [organisation]


def test_enrolling_in_a_full_run_puts_you_on_the_waiting_list(client):
    training = TrainingFactory(capacity=1)
    EnrolmentFactory(training=training)
    training.status = TrainingStatus.FULL
    training.save()
    client.post(enrol_url(training), form_data())
    assert Enrolment.objects.get(person__email="anna@example.org").status == EnrolmentStatus.WAITLISTED


def test_a_run_whose_first_meeting_has_begun_has_no_form_and_takes_no_enrolment(client):
    training = TrainingFactory(meetings=5, meetings__first_meeting=timezone.now() - timedelta(hours=1))
    response = client.get(enrol_url(training))
    assert response.status_code == 200
    assert (response.context["started"], response.context["form"]) == (True, None)
    response = client.post(enrol_url(training), form_data())
    assert response.status_code == 200
    assert Enrolment.objects.count() == 0


def test_a_cancelled_first_meeting_does_not_count_as_started(client):
    training = TrainingFactory(meetings=2)
    MeetingFactory(
        training=training, number=9, starts_at=timezone.now() - timedelta(days=1), status=MeetingStatus.CANCELLED
    )
    assert client.get(enrol_url(training)).context["started"] is False
    assert client.post(enrol_url(training), form_data()).status_code == 302
    assert Enrolment.objects.count() == 1


@pytest.mark.parametrize("status", [TrainingStatus.DRAFT, TrainingStatus.RUNNING, TrainingStatus.COMPLETED])
def test_a_run_not_open_for_enrolment_has_no_form(client, status):
    training = TrainingFactory(status=status)
    assert client.get(enrol_url(training)).status_code == 404
    assert client.post(enrol_url(training), form_data()).status_code == 404


def test_the_enrolment_language_is_the_interface_language(client):
    client.cookies["django_language"] = "en"
    client.post(enrol_url(TrainingFactory()), form_data())
    assert Enrolment.objects.get().language == "en"


# --- organisation search ---


def test_organisation_search_returns_at_most_ten_matches_with_id_name_and_city(client):
    for number in range(12):
        OrganisationFactory(name=f"Bakkerij {number:02d}", city="Tiel", public_since=timezone.now())
    OrganisationFactory(name="Hovenier", city="Buren", public_since=timezone.now())
    response = client.get(reverse("trainings:organisation_search"), {"q": "bakk"})
    results = response.json()["results"]
    assert len(results) == 10
    assert set(results[0]) == {"id", "name", "city"}
    assert [result["name"] for result in results][:2] == ["Bakkerij 00", "Bakkerij 01"]


def test_organisation_search_needs_three_letters(client):
    OrganisationFactory(name="Bakkerij", public_since=timezone.now())
    search = reverse("trainings:organisation_search")
    assert client.get(search, {"q": "ba"}).json() == {"results": []}
    assert client.get(search, {"q": " b a "}).json() == {"results": []}
    assert [result["name"] for result in client.get(search, {"q": "bak"}).json()["results"]] == ["Bakkerij"]


def test_privacy_statement_is_public(client):
    response = client.get(reverse("trainings:privacy"))
    assert response.status_code == 200
    assert response.context["version"] == settings.PRIVACY_STATEMENT_VERSION


# --- the personal page ---


def personal(enrolment, name="personal"):
    return reverse(f"trainings:{name}", kwargs={"token": enrolment.token})


def test_personal_page_shows_the_enrolment(client):
    enrolment = EnrolmentFactory(training=TrainingFactory(meetings=3))
    response = client.get(personal(enrolment))
    assert response.status_code == 200
    assert response.context["enrolment"] == enrolment
    assert len(response.context["meetings"]) == 3
    assert (response.context["can_cancel"], response.context["offer_open"]) == (True, False)


def test_personal_page_links_the_calendar_feed_with_its_own_token(client):
    enrolment = EnrolmentFactory(training=TrainingFactory(meetings=3))
    response = client.get(personal(enrolment))
    feed_path = reverse("trainings:participant_feed", kwargs={"token": participant_feed_token(enrolment)})
    assert response.context["feed_url"] == settings.SITE_URL + feed_path
    assert enrolment.token not in response.context["feed_url"]
    assert client.get(feed_path).status_code == 200


def test_the_personal_token_does_not_open_the_calendar_feed(client):
    enrolment = EnrolmentFactory(training=TrainingFactory(meetings=3))
    response = client.get(reverse("trainings:participant_feed", kwargs={"token": enrolment.token}))
    assert response.status_code == 404


def test_the_feed_token_does_not_open_the_personal_page(client):
    enrolment = EnrolmentFactory()
    url = reverse("trainings:personal", kwargs={"token": participant_feed_token(enrolment)})
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("name", "method"),
    [("personal", "get"), ("personal_cancel", "get"), ("personal_cancel", "post"), ("offer_accept", "post")],
)
def test_a_bad_token_answers_404(client, name, method):
    EnrolmentFactory()
    url = reverse(f"trainings:{name}", kwargs={"token": "not-a-token"})
    assert getattr(client, method)(url).status_code == 404


def test_cancel_via_the_personal_link_frees_the_place_and_offers_it(client, django_capture_on_commit_callbacks):
    training = TrainingFactory(capacity=1, status=TrainingStatus.FULL)
    registered = EnrolmentFactory(training=training)
    waiting = EnrolmentFactory(
        training=training,
        status=EnrolmentStatus.WAITLISTED,
        waitlisted_at=timezone.now(),
        person__email="w@example.org",
    )
    assert client.get(personal(registered, "personal_cancel")).status_code == 200
    registered.refresh_from_db()
    assert registered.status == EnrolmentStatus.REGISTERED  # GET only asks
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(personal(registered, "personal_cancel"))
    assert response.status_code == 302
    registered.refresh_from_db()
    waiting.refresh_from_db()
    assert (registered.status, waiting.status) == (EnrolmentStatus.CANCELLED, EnrolmentStatus.OFFERED)
    assert sorted(message.to[0] for message in mail.outbox) == [registered.person.email, "w@example.org"]
    offer = ScheduledMessage.objects.get(enrolment=waiting, kind=MessageKind.WAITLIST_OFFER)
    offer_mail = next(m for m in mail.outbox if m.extra_headers["Message-ID"] == offer.message_id)
    assert settings.SITE_URL + personal(waiting) in offer_mail.body


def test_an_offer_is_accepted_with_one_click_on_the_personal_page(client):
    training = TrainingFactory(capacity=1)
    offered = EnrolmentFactory(
        training=training, status=EnrolmentStatus.OFFERED, offer_expires_at=timezone.now() + timedelta(hours=5)
    )
    assert client.get(personal(offered)).context["offer_open"] is True
    response = client.post(personal(offered, "offer_accept"))
    assert response.status_code == 302
    offered.refresh_from_db()
    assert offered.status == EnrolmentStatus.REGISTERED
    assert ScheduledMessage.objects.filter(enrolment=offered, kind=MessageKind.ENROLMENT_CONFIRMED).count() == 1


def test_an_expired_offer_cannot_be_accepted_on_the_personal_page(client):
    offered = EnrolmentFactory(status=EnrolmentStatus.OFFERED, offer_expires_at=timezone.now() - timedelta(minutes=1))
    assert client.get(personal(offered)).context["offer_open"] is False
    client.post(personal(offered, "offer_accept"))
    offered.refresh_from_db()
    assert offered.status == EnrolmentStatus.OFFERED


def test_accepting_needs_a_post(client):
    offered = EnrolmentFactory(status=EnrolmentStatus.OFFERED, offer_expires_at=timezone.now() + timedelta(hours=1))
    assert client.get(personal(offered, "offer_accept")).status_code == 405


def test_an_unknown_organisation_id_counts_as_a_new_organisation(client):
    response = client.post(enrol_url(TrainingFactory()), form_data(organisation="999999", organisation_city=""))
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["organisation_city"]


def test_many_enrolments_from_one_address_are_refused_for_an_hour(client, settings):
    settings.PUBLIC_ENROLMENTS_PER_HOUR = 2
    training = TrainingFactory(meetings=2)
    for n in range(2):
        response = client.post(enrol_url(training), form_data(email=f"person{n}@example.org"))
        assert response.status_code == 302
    response = client.post(enrol_url(training), form_data(email="third@example.org"))
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not Enrolment.objects.filter(person__email="third@example.org").exists()
    assert Enrolment.objects.count() == 2


def test_the_region_filter_offers_only_regions_with_runs_open_to_the_public(client):
    started = TrainingFactory(meetings=5, meetings__first_meeting=timezone.now() - timedelta(days=1))
    started.region = Region.objects.get(name="Zeeland")
    started.save()
    TrainingFactory(meetings=5)  # Rivierenland, first meeting ahead
    response = client.get(reverse("trainings:public_list"))
    assert [region.name for region in response.context["regions"]] == ["Rivierenland"]
