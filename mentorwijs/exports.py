"""The one way to answer with a spreadsheet (issue 17): an XLSX download that opens right in Dutch
Excel. Headers in the user's language (bold, frozen), sensible column widths, dates as dates and
numbers as numbers. CSV stays for machines; each export writes its own.

Every text cell is stored as text, so a value such as `=HYPERLINK(...)` shows as typed and never
runs as a formula (openpyxl would otherwise take a string that starts with "=" as one)."""

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "DD-MM-YYYY"
DATETIME_FORMAT = "DD-MM-YYYY HH:MM"
MIN_WIDTH, MAX_WIDTH = 8, 60
# Excel's limit for a sheet's name, and the characters it refuses in one.
SHEET_TITLE_LENGTH = 31
SHEET_TITLE_FORBIDDEN = str.maketrans({char: " " for char in "[]:*?/\\"})


def _cell_value(value):
    """A value openpyxl stores with its type: numbers and dates as such, everything else as text."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, datetime):
        # Excel has no time zones: the local time, as the pages show it.
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, date):
        return value
    return str(value)


def _shown_length(value) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime):
        return len(DATETIME_FORMAT)
    if isinstance(value, date):
        return len(DATE_FORMAT)
    return max((len(line) for line in str(value).splitlines()), default=0)


def xlsx_response(*, filename: str, title: str, headers: Sequence, rows: Iterable[Sequence]) -> HttpResponse:
    """A download of one sheet: `headers` (translated labels) above `rows` (values of any type).
    `filename` without the extension."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(title).translate(SHEET_TITLE_FORBIDDEN)[:SHEET_TITLE_LENGTH] or "Sheet"
    bold = Font(bold=True)
    widths = [_shown_length(header) for header in headers]
    sheet.append([str(header) for header in headers])
    for cell in sheet[1]:
        cell.font = bold
    for row in rows:
        values = [_cell_value(value) for value in row]
        sheet.append(values)
        for index, (cell, value) in enumerate(zip(sheet[sheet.max_row], values, strict=False)):
            if isinstance(value, str):
                cell.data_type = TYPE_STRING  # text, also when it starts with "="
            elif isinstance(value, datetime):
                cell.number_format = DATETIME_FORMAT
            elif isinstance(value, date):
                cell.number_format = DATE_FORMAT
            if index < len(widths):
                widths[index] = max(widths[index], _shown_length(value))
            else:
                widths.append(_shown_length(value))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, MIN_WIDTH), MAX_WIDTH)
    sheet.freeze_panes = "A2"
    buffer = BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response
