"""mentorwijs.exports: the one Excel download (issue 17)."""

from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from mentorwijs.exports import MAX_WIDTH, XLSX_CONTENT_TYPE, xlsx_response


def sheet_of(response):
    return load_workbook(BytesIO(response.content)).active


def test_a_sheet_has_a_bold_frozen_header_and_typed_cells():
    moment = datetime(2027, 1, 12, 8, 30, tzinfo=ZoneInfo("UTC"))
    response = xlsx_response(
        filename="proef",
        title="Proef: [a/b]",
        headers=["Tekst", "Getal", "Bedrag", "Datum", "Tijdstip", "Leeg"],
        rows=[["=1+1", 3, Decimal("2.50"), date(2027, 1, 12), moment, None]],
    )

    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert response["Content-Disposition"] == 'attachment; filename="proef.xlsx"'
    sheet = sheet_of(response)
    assert sheet.title == "Proef   a b "
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.b for cell in sheet[1])
    text, number, amount, day, at, empty = sheet[2]
    assert (text.value, text.data_type) == ("=1+1", "s")
    assert number.value == 3
    assert amount.value == 2.5
    assert day.value == datetime(2027, 1, 12)
    assert day.is_date
    assert at.value == datetime(2027, 1, 12, 9, 30)  # Amsterdam time, as the pages show it
    assert empty.value is None


def test_columns_are_as_wide_as_their_longest_value_within_limits():
    sheet = sheet_of(xlsx_response(filename="x", title="x", headers=["Kort", "Lang"], rows=[["a", "b" * 200]]))

    assert sheet.column_dimensions["A"].width == 8
    assert sheet.column_dimensions["B"].width == MAX_WIDTH
