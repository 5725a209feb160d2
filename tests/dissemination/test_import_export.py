import csv
import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dissemination.models import Organisation
from dissemination.services.imports import organisation_import_preview, organisation_import_read
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

HEADER = ["name", "kvk_number", "target_group", "region", "postcode", "city", "website"]
GOOD_ROWS = [
    ["Bakkerij De Linge", "12345678", "employers", "Rivierenland", "4001ab", "Tiel", "https://linge.example.org"],
    ["Praktijkschool Tiel", "", "schools", "rivierenland", "4002 CD", "Tiel", ""],
    ["Gemeente Culemborg", "", "Municipalities, UWV and sheltered work", "Rivierenland", "", "Culemborg", ""],
]


def csv_file(rows, header=HEADER, delimiter=","):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return SimpleUploadedFile("organisaties.csv", out.getvalue().encode(), content_type="text/csv")


def xlsx_file(rows, header=HEADER):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return SimpleUploadedFile("organisaties.xlsx", out.getvalue())


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(roles=["staff"], two_factor=True))
    return client


def test_preview_with_bad_rows_imports_nothing_and_names_the_rows(staff_client):
    rows = [
        GOOD_ROWS[0],
        ["Foute KvK", "1234", "employers", "Rivierenland", "", "Tiel", ""],  # row 3
        ["Foute postcode", "", "employers", "Rivierenland", "0123 AB", "Tiel", ""],  # row 4
        GOOD_ROWS[1],
        ["Onbekende regio", "", "employers", "Atlantis", "", "Tiel", ""],  # row 6
        ["Onbekende doelgroep", "", "astronauts", "Rivierenland", "", "Tiel", ""],  # row 7
    ]
    response = staff_client.post(reverse("dissemination:organisation_import"), {"file": csv_file(rows)})
    report = response.context["report"]
    assert response.status_code == 200
    assert report.bad_rows == [3, 4, 6, 7]
    assert [(error.row, error.column) for error in report.errors] == [
        (3, "kvk_number"),
        (4, "postcode"),
        (6, "region"),
        (7, "target_group"),
    ]
    assert response.context["key"] == ""
    assert not Organisation.objects.exists()


def test_a_kvk_number_twice_in_the_file_or_already_known_is_reported(staff_client):
    OrganisationFactory(kvk_number="87654321")
    rows = [
        GOOD_ROWS[0],
        ["Dubbel", "12345678", "employers", "Rivierenland", "", "Tiel", ""],
        ["Bestaand", "87654321", "employers", "Rivierenland", "", "Tiel", ""],
    ]
    response = staff_client.post(reverse("dissemination:organisation_import"), {"file": csv_file(rows)})
    assert response.context["report"].bad_rows == [3, 4]
    assert Organisation.objects.count() == 1


def test_good_csv_file_is_imported_after_confirmation(staff_client):
    url = reverse("dissemination:organisation_import")
    response = staff_client.post(url, {"file": csv_file(GOOD_ROWS, delimiter=";")})
    assert response.context["report"].ok
    assert not Organisation.objects.exists()

    response = staff_client.post(url, {"action": "confirm", "key": response.context["key"]})
    assert response.status_code == 302
    assert response.url == reverse("dissemination:organisation_list")
    assert list(
        Organisation.objects.order_by("name").values_list("name", "kvk_number", "target_group", "postcode", "city")
    ) == [
        ("Bakkerij De Linge", "12345678", "employers", "4001 AB", "Tiel"),
        ("Gemeente Culemborg", "", "municipalities", "", "Culemborg"),
        ("Praktijkschool Tiel", "", "schools", "4002 CD", "Tiel"),
    ]


def test_good_xlsx_file_is_imported_and_a_numeric_kvk_keeps_its_leading_zero(staff_client):
    url = reverse("dissemination:organisation_import")
    rows = [["Hovenier Groen", 1234567, "employers", "Rivierenland", "4001 AB", "Tiel", ""]]
    response = staff_client.post(url, {"file": xlsx_file(rows)})
    assert response.context["report"].ok
    staff_client.post(url, {"action": "confirm", "key": response.context["key"]})
    assert list(Organisation.objects.values_list("name", "kvk_number")) == [("Hovenier Groen", "01234567")]


def test_confirming_with_a_wrong_key_imports_nothing(staff_client):
    url = reverse("dissemination:organisation_import")
    staff_client.post(url, {"file": csv_file(GOOD_ROWS)})
    response = staff_client.post(url, {"action": "confirm", "key": "guessed"})
    assert response.status_code == 302
    assert response.url == url
    assert not Organisation.objects.exists()


def test_rows_that_became_bad_after_the_preview_are_not_half_imported(staff_client):
    url = reverse("dissemination:organisation_import")
    response = staff_client.post(url, {"file": csv_file(GOOD_ROWS)})
    OrganisationFactory(kvk_number="12345678")  # saved by someone else meanwhile
    response = staff_client.post(url, {"action": "confirm", "key": response.context["key"]})
    assert response.context["report"].bad_rows == [2]
    assert Organisation.objects.count() == 1


def test_file_without_required_columns_is_refused_on_the_form(staff_client):
    response = staff_client.post(
        reverse("dissemination:organisation_import"), {"file": csv_file([["A", "Tiel"]], header=["name", "city"])}
    )
    assert list(response.context["form"].errors) == ["file"]


def test_preview_service_reports_spreadsheet_row_numbers():
    dataset = organisation_import_read(
        content=csv_file([GOOD_ROWS[0], ["", "", "employers", "Rivierenland", "", "", ""]]).read(),
        filename="x.csv",
    )
    assert organisation_import_preview(dataset=dataset).bad_rows == [3]


# --- export ---------------------------------------------------------------------------------------

FORMULAS = ['=HYPERLINK("http://evil.example")', "+31 6 1234", "-1+1", "@SUM(A1)"]


def test_csv_export_neutralises_formula_cells_and_follows_the_filters(staff_client):
    for name in FORMULAS:
        OrganisationFactory(name=name, target_group="schools")
    OrganisationFactory(name="Bakkerij", target_group="employers")
    response = staff_client.get(
        reverse("dissemination:organisation_export"), {"format": "csv", "target_group": "schools"}
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="organisaties-')
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == HEADER
    assert sorted(row[0] for row in rows[1:]) == sorted("'" + name for name in FORMULAS)


def test_xlsx_export_neutralises_formula_cells(staff_client):
    for name in FORMULAS:
        OrganisationFactory(name=name, city="=1+1")
    response = staff_client.get(reverse("dissemination:organisation_export"), {"format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    # Issue 17: the Excel export has the headings in the user's language (CSV keeps the keys).
    assert list(values[0]) == ["Naam", "KvK-nummer", "Doelgroep", "Regio", "Postcode", "Plaats", "Website"]
    assert sorted(row[0] for row in values[1:]) == sorted("'" + name for name in FORMULAS)
    assert {row[5] for row in values[1:]} == {"'=1+1"}
    assert all(cell.data_type == "s" for row in sheet.iter_rows(min_row=2) for cell in row if cell.value)


def test_an_exported_excel_sheet_can_be_imported_again(staff_client):
    OrganisationFactory(name="Bakkerij De Linge", kvk_number="01234567", target_group="employers", city="Tiel")
    exported = staff_client.get(reverse("dissemination:organisation_export"), {"format": "xlsx"}).content
    Organisation.objects.all().delete()

    url = reverse("dissemination:organisation_import")
    response = staff_client.post(url, {"file": SimpleUploadedFile("organisaties.xlsx", exported)})
    assert response.context["report"].ok
    staff_client.post(url, {"action": "confirm", "key": response.context["key"]})

    assert list(Organisation.objects.values_list("name", "kvk_number", "city")) == [
        ("Bakkerij De Linge", "01234567", "Tiel")
    ]


def test_english_headings_are_read_as_their_columns():
    dataset = organisation_import_read(
        content=csv_file([GOOD_ROWS[0]], header=["Name", "KvK number", "Target group", "Region"]).read(),
        filename="organisations.csv",
    )

    assert dataset.headers == ["name", "kvk_number", "target_group", "region"]


@pytest.mark.parametrize("rows", [5, 200])
def test_export_runs_fixed_queries(staff_client, django_assert_num_queries, rows):
    OrganisationFactory.create_batch(rows)
    with django_assert_num_queries(2):
        response = staff_client.get(reverse("dissemination:organisation_export"), {"format": "csv"})
    assert len(response.content.decode("utf-8-sig").strip().splitlines()) == rows + 1


# --- permissions ----------------------------------------------------------------------------------


@pytest.mark.parametrize("url_name", ["dissemination:organisation_import", "dissemination:organisation_export"])
def test_import_and_export_are_for_staff_only(client, url_name):
    url = reverse(url_name)
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    for role in ["ambassador", "trainer"]:
        client.force_login(UserFactory(roles=[role]))
        assert client.get(url).status_code == 403


def test_ambassadors_cannot_post_an_import(client):
    client.force_login(UserFactory(roles=["ambassador"]))
    response = client.post(reverse("dissemination:organisation_import"), {"file": csv_file(GOOD_ROWS)})
    assert response.status_code == 403
    assert not Organisation.objects.exists()


def test_preview_points_out_near_identical_names_without_refusing_them(staff_client):
    known = OrganisationFactory(name="Bakkerij de Linge B.V.", city="TIEL")
    rows = [GOOD_ROWS[0], GOOD_ROWS[1], ["Praktijkschool  Tiel", "", "schools", "Rivierenland", "", "tiel", ""]]
    response = staff_client.post(reverse("dissemination:organisation_import"), {"file": csv_file(rows)})
    report = response.context["report"]
    assert report.ok
    assert [(warning.row, warning.similar_pks) for warning in report.warnings] == [(2, [known.pk]), (4, [])]
    assert len(report.warnings[1].similar) == 1  # the earlier row 3 of the same file


def test_one_column_csv_is_reported_as_missing_columns_not_unreadable():
    with pytest.raises(ValidationError) as caught:
        organisation_import_read(content=b"name\nBakkerij\n", filename="x.csv")
    assert caught.value.code == "missing_columns"
