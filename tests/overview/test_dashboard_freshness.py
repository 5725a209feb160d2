"""The dashboard's figures are fresh after a change and say when they were computed; the rows of
zeros are folded away; contacts and enrolments per month are drawn as SVG bars with the table kept
for reading. The known data set is that of test_dashboard.py."""

import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.utils import timezone

from dissemination.enums import Channel
from dissemination.models import OutreachContact
from dissemination.services.outreach import contact_log, follow_up_done
from mentorwijs.overview import figures
from tests.factories import (
    CertificationFactory,
    EnrolmentFactory,
    GoalFactory,
    OrganisationFactory,
    OutreachContactFactory,
    PersonFactory,
    TrainingFactory,
    UserFactory,
)
from tests.overview.test_dashboard import EXPORT_URL, URL, _csv, _xlsx
from trainings.services.enrolment import enrolment_create

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"


def _figure(content: str, testid: str) -> str:
    start = content.index(f'data-testid="{testid}"')
    return content[start : content.index("</figure>", start)]


def _svg(content: str, chart: str) -> ET.Element:
    figure = _figure(content, f"chart-{chart}")
    return ET.fromstring(figure[figure.index("<svg") : figure.index("</svg>") + len("</svg>")])


def _bars(svg: ET.Element) -> dict[str, dict[str, ET.Element]]:
    """{month: {series: rect}} of a month chart."""
    return {
        group.get("data-month"): {rect.get("data-series"): rect for rect in group.iter(f"{SVG}rect")}
        for group in svg.iter(f"{SVG}g")
    }


def _visit(client):
    response = client.get(URL)
    assert response.status_code == 200
    return response


# --- fresh figures --------------------------------------------------------------------------------------


def test_a_contact_logged_through_the_service_counts_on_the_very_next_visit(
    ambassador_client, known, django_capture_on_commit_callbacks
):
    before = _visit(ambassador_client).context
    assert sum(before["channels"].total) == 8

    organisation = OrganisationFactory(target_group="agencies")
    with django_capture_on_commit_callbacks(execute=True):
        contact_log(
            by=UserFactory(roles=["ambassador"]), organisation=organisation, channel="website", stage="convinced"
        )

    after = _visit(ambassador_client).context
    assert sum(after["channels"].total) == 9
    totals = dict(zip([key for key, _label in after["channels"].columns], after["channels"].total, strict=True))
    assert totals["website"] == 1
    agencies = next(row for row in after["funnel"].rows if row.key == "agencies")
    assert agencies.values[:5] == [1, 1, 1, 1, 1]  # organisations, reached, informed, interested, convinced
    assert after["computed_at"] >= before["computed_at"]


def test_an_enrolment_through_the_service_counts_on_the_very_next_visit(
    ambassador_client, known, regions, django_capture_on_commit_callbacks
):
    assert _visit(ambassador_client).context["people"]["registered"] == 2

    with django_capture_on_commit_callbacks(execute=True):
        enrolment_create(
            training=TrainingFactory(region=regions["R"], meetings=2),
            first_name="Anna",
            last_name="de Vries",
            email="anna@example.org",
            organisation=OrganisationFactory(public_since=timezone.now()),
            source="movisie",
            consent=True,
        )

    context = _visit(ambassador_client).context
    assert context["people"]["registered"] == 3
    assert {row.key: row.values[0] for row in context["heard_of"].rows}["movisie"] == 1
    this_month = f"{timezone.localdate():%Y-%m}"
    assert next(row for row in context["enrolments"].rows if row.key == this_month).values == [3, 1]


def test_without_a_change_the_figures_come_from_the_cache_with_their_time(ambassador_client, known, monkeypatch):
    first = _visit(ambassador_client).context["computed_at"]
    monkeypatch.setattr(figures, "compute_figures", lambda filters: pytest.fail("computed again"))

    assert _visit(ambassador_client).context["computed_at"] == first


def test_a_change_that_no_figure_counts_keeps_the_cached_figures(
    ambassador_client, known, django_capture_on_commit_callbacks
):
    contact = OutreachContact.objects.filter(organisation=known[1]).get()
    contact.follow_up_on = timezone.localdate() + timedelta(days=2)
    contact.save(update_fields=["follow_up_on"])
    generation = figures.figures_generation()

    with django_capture_on_commit_callbacks(execute=True):
        follow_up_done(contact=contact, by=contact.logged_by)

    assert figures.figures_generation() == generation


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: OutreachContactFactory(), id="contact"),
        pytest.param(lambda: EnrolmentFactory(), id="enrolment"),
        pytest.param(lambda: CertificationFactory(), id="certification"),
        pytest.param(lambda: GoalFactory(), id="goal"),
        pytest.param(lambda: PersonFactory(), id="person"),
    ],
)
def test_every_counted_change_raises_the_generation_when_it_commits(make, django_capture_on_commit_callbacks):
    generation = figures.figures_generation()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        make()
    assert figures.figures_generation() == generation  # not before the commit
    for callback in callbacks:
        callback()

    assert figures.figures_generation() > generation


def test_a_completion_and_a_deleted_goal_raise_the_generation(known, django_capture_on_commit_callbacks):
    goal = GoalFactory()
    enrolment = EnrolmentFactory()
    generation = figures.figures_generation()

    with django_capture_on_commit_callbacks(execute=True):
        enrolment.status, enrolment.completed_at = "completed", timezone.now()
        enrolment.save(update_fields=["status", "completed_at"])
    completed = figures.figures_generation()
    with django_capture_on_commit_callbacks(execute=True):
        goal.delete()

    assert generation < completed < figures.figures_generation()


def test_a_lost_generation_starts_one_never_used_before(ambassador_client, known):
    from django.core.cache import cache

    old = figures.figures_generation()
    cache.delete(figures.GENERATION_KEY)

    assert figures.figures_generation() > old


def test_the_page_says_when_its_figures_were_computed_in_dutch_and_in_english(client, known):
    client.force_login(UserFactory(roles=["ambassador"]))
    response = _visit(client)
    computed_at = response.context["computed_at"]
    assert timezone.now() - computed_at < timedelta(minutes=1)
    shown = timezone.localtime(computed_at).strftime("%H:%M")
    note = re.search(r'data-testid="computed-at">(.*?)</p>', response.content.decode(), re.S).group(1)
    assert f"Berekend om {shown}." in " ".join(note.split())

    client.force_login(UserFactory(roles=["ambassador"], language="en"))
    english = _visit(client)
    assert english.context["computed_at"] == computed_at  # the same figures, from the cache
    assert f"Computed at {shown}." in " ".join(english.content.decode().split())
    assert "Schools and internship supervisors" in english.content.decode()  # the labels in English


# --- rows of zeros folded away --------------------------------------------------------------------------


def test_target_groups_and_channels_without_figures_are_folded_into_one_line(ambassador_client, known):
    OrganisationFactory(target_group="municipalities")  # known, never reached: not a row of zeros
    content = _visit(ambassador_client).content.decode()

    start = content.index('data-testid="table-funnel"')
    funnel = content[start : content.index("</table>", start)]
    assert re.findall(r'<tr data-row="(\w+)"', funnel) == ["employers", "municipalities", "schools"]
    assert 'data-testid="folded-funnel" data-count="5"' in content
    assert "5 doelgroepen zonder cijfers" in content
    assert 'data-folded="agencies"' in content

    heard_of = content[content.index('data-testid="table-heard_of"') :]
    assert re.findall(r'<tr data-row="(\w+)"', heard_of[: heard_of.index("</table>")]) == ["network", "website"]
    assert f'data-testid="folded-heard_of" data-count="{len(Channel) - 2}"' in content
    # The heard-of chart draws only the answers someone gave.
    assert _figure(content, "chart-heard_of").count("<g data-value=") == 2


def test_the_exports_keep_the_rows_of_zeros(ambassador_client, known):
    rows = _csv(ambassador_client.get(EXPORT_URL, {"table": "funnel"}))
    assert len(rows) == 1 + 8 + 1  # header, every target group, total


# --- charts over time -----------------------------------------------------------------------------------


def test_contacts_per_month_are_stacked_bars_per_channel_with_the_table_for_reading(ambassador_client, known):
    content = _visit(ambassador_client).content.decode()
    today = timezone.localdate()
    this_month, earlier = f"{today:%Y-%m}", f"{today - timedelta(days=40):%Y-%m}"

    svg = _svg(content, "channels-months")
    assert svg.find(f"{SVG}title").text == "Contacten per maand, per kanaal"
    assert svg.find(f"{SVG}desc").text.startswith("Gestapelde staven")
    bars = _bars(svg)
    assert len(bars) == 12
    assert {series: int(rect.get("data-value")) for series, rect in bars[this_month].items()} == {
        "conversation": 2,
        "phone": 3,
        "email": 1,
        "congress": 1,
    }
    assert {series: int(rect.get("data-value")) for series, rect in bars[earlier].items()} == {"email": 1}
    assert sum(len(month) for month in bars.values()) == 5  # the empty months draw nothing
    # Heights in proportion to the numbers, stacked without gaps.
    phone, congress = bars[this_month]["phone"], bars[this_month]["congress"]
    assert float(phone.get("height")) == pytest.approx(3 * float(congress.get("height")))
    stack = sorted(bars[this_month].values(), key=lambda rect: float(rect.get("y")))
    for upper, lower in zip(stack, stack[1:], strict=False):
        assert float(upper.get("y")) + float(upper.get("height")) == pytest.approx(float(lower.get("y")))
    assert bars[this_month]["phone"].find(f"{SVG}title").text.endswith("Telefoon: 3")
    # The legend names only the channels with contacts; the table is there, folded into <details>.
    legend = _figure(content, "chart-channels-months")
    assert re.findall(r'<li class="list-inline-item text-nowrap" data-series="(\w+)"', legend) == [
        "conversation",
        "phone",
        "email",
        "congress",
    ]
    details = content[content.index('data-testid="details-channels"') :]
    assert details.index('data-testid="table-channels"') < details.index("</details>")
    assert "style=" not in content
    assert "<script>" not in content


def test_registrations_and_completions_per_month_are_bars_side_by_side(ambassador_client, known):
    content = _visit(ambassador_client).content.decode()
    this_month = f"{timezone.localdate():%Y-%m}"

    bars = _bars(_svg(content, "enrolments"))[this_month]

    assert {series: int(rect.get("data-value")) for series, rect in bars.items()} == {"registered": 2, "completed": 1}
    registered, completed = bars["registered"], bars["completed"]
    assert float(registered.get("height")) == pytest.approx(2 * float(completed.get("height")))
    assert float(registered.get("x")) < float(completed.get("x"))
    assert float(registered.get("y")) + float(registered.get("height")) == pytest.approx(
        float(completed.get("y")) + float(completed.get("height"))
    )


def test_an_empty_period_shows_no_chart_but_says_so(ambassador_client):
    content = _visit(ambassador_client).content.decode()

    assert "<svg" not in _figure(content, "chart-channels-months")
    assert "Niets in deze periode." in _figure(content, "chart-enrolments")


def test_registrations_per_month_export_as_csv_and_excel(ambassador_client, known):
    this_month = f"{timezone.localdate():%Y-%m}"
    rows = _csv(ambassador_client.get(EXPORT_URL, {"table": "enrolments"}))
    assert rows[0] == ["month", "registered", "completed"]
    assert [row for row in rows if row[0].startswith(this_month)] == [[f"{this_month}-01", "2", "1"]]
    assert rows[-1] == ["total", "2", "1"]

    sheet = _xlsx(ambassador_client.get(EXPORT_URL, {"table": "enrolments", "format": "xlsx"}))
    assert sheet[0] == ("Maand", "Inschrijvingen", "Afgerond")
    assert sheet[-1] == ("Totaal", 2, 1)
