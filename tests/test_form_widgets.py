"""The browser's date, time and date-time pickers (mentorwijs.forms) write ISO values in every language."""

from datetime import date, datetime, time

import pytest
from django.utils import translation

from dissemination.forms.newsletters_mail_events import MailEventFilterForm
from mentorwijs.forms import DateInput, DateTimeInput, TimeInput


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_pickers_write_the_format_the_browser_reads(language):
    with translation.override(language):
        assert DateInput().render("d", date(2026, 12, 7)) == '<input type="date" name="d" value="2026-12-07">'
        assert TimeInput().render("t", time(18, 0)) == '<input type="time" name="t" value="18:00">'
        assert (
            DateTimeInput().render("s", datetime(2026, 12, 7, 18, 5))
            == '<input type="datetime-local" name="s" value="2026-12-07T18:05">'
        )
        assert DateInput(attrs={"class": "form-control"}).render("d", None) == (
            '<input type="date" name="d" class="form-control">'
        )


def test_a_filter_bar_keeps_the_dates_it_was_sent():
    form = MailEventFilterForm({"since": "2026-12-01", "until": ""})
    assert str(form["since"]) == '<input type="date" name="since" value="2026-12-01" id="id_since">'
    assert str(form["until"]) == '<input type="date" name="until" value="" id="id_until">'
