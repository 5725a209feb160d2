"""Server-side SVG charts for the dashboard: no script, no style attributes (a strict CSP)."""

from django import template

register = template.Library()

WIDTH = 400  # the viewBox width; the SVG scales to its column
BAR_MAX = 330  # room is left beside the longest bar for its number
ROW_HEIGHT = 38  # a label line above each bar
BAR_HEIGHT = 14
LABEL_MAX = 60  # characters; the table beside the chart has the full label


@register.inclusion_tag("overview/dashboard/bar_chart.html")
def bar_chart(rows, title, chart_id):
    """Horizontal bars from (label, value) rows, the longest bar for the largest value. Every bar has
    a <title> with its label and number; the chart's <title> names it for screen readers."""
    rows = [(str(label), int(value or 0)) for label, value in rows]
    largest = max((value for _label, value in rows), default=0)
    bars = []
    for index, (label, value) in enumerate(rows):
        top = index * ROW_HEIGHT
        width = round(value * BAR_MAX / largest) if largest else 0
        bars.append(
            {
                "label": label,
                "short_label": label if len(label) <= LABEL_MAX else label[: LABEL_MAX - 1] + "…",
                "value": value,
                "label_y": top + 12,
                "bar_y": top + 17,
                "width": max(width, 1) if value else 0,
                "value_x": (max(width, 1) if value else 0) + 6,
                "value_y": top + 17 + BAR_HEIGHT - 3,
            }
        )
    return {
        "title": title,
        "chart_id": chart_id,
        "bars": bars,
        "width": WIDTH,
        "height": max(len(rows), 1) * ROW_HEIGHT,
        "bar_height": BAR_HEIGHT,
    }


# --- bars over time: one slot per month, the series stacked or side by side ----------------------------

MONTH_WIDTH = 480  # the viewBox; the SVG scales to its column
MONTH_HEIGHT = 240
PLOT_LEFT = 42  # room for the numbers of the scale
PLOT_RIGHT = 8
PLOT_TOP = 10
PLOT_BOTTOM = 200  # the months' names and years below
# One colour per column of the table, in the order of its columns (distinguishable without red/green).
PALETTE = ["#0b5c57", "#e69f00", "#56b4e9", "#cc79a7", "#d55e00", "#0072b2", "#7b3294", "#8a8a8a"]


def _nice_step(largest: int, ticks: int = 4) -> int:
    """A round step (1, 2 or 5 times a power of ten) so that `ticks` steps reach `largest`."""
    rough = max(largest / ticks, 1)
    power = 1
    while power * 10 <= rough:
        power *= 10
    return next(step * power for step in (1, 2, 5, 10) if step * power >= rough)


def _label_every(months: int) -> int:
    return next((step for step in (1, 2, 3, 6) if months / step <= 12), 12)


@register.inclusion_tag("overview/dashboard/month_chart.html")
def month_chart(table, title, description, chart_id, stacked=True):
    """Vertical bars per month from a Table whose rows are months (cells[0] the month's first day)
    and whose columns are the series; only the series with a number in the period are drawn and
    listed in the legend. Stacked: one bar per month, the series on top of each other; otherwise
    the series side by side. Every bar has a <title> (month, series, number); the chart a <title>
    and a <desc>; the table stays on the page beside it for reading."""
    columns = list(table.columns)
    drawn = [index for index in range(len(columns)) if any(row.values[index] for row in table.rows)]
    series = [{"key": columns[i][0], "label": columns[i][1], "colour": PALETTE[i % len(PALETTE)]} for i in drawn]
    rows = table.rows
    if stacked:
        largest = max((sum(row.values) for row in rows), default=0)
    else:
        largest = max((max(row.values, default=0) for row in rows), default=0)
    step = _nice_step(largest)
    top = step * max(-(-largest // step), 1)
    plot_height = PLOT_BOTTOM - PLOT_TOP
    slot = (MONTH_WIDTH - PLOT_LEFT - PLOT_RIGHT) / max(len(rows), 1)
    bar_room = slot * 0.72
    every = _label_every(len(rows))

    def height(value):
        return round(value * plot_height / top, 2)

    months = []
    for position, row in enumerate(rows):
        month = row.cells[0]
        left = PLOT_LEFT + position * slot + (slot - bar_room) / 2
        bars, base = [], PLOT_BOTTOM
        width = bar_room if stacked else bar_room / max(len(drawn), 1)
        for number, (index, serie) in enumerate(zip(drawn, series, strict=True)):
            value = row.values[index]
            bar_height = height(value)
            if stacked:
                x, y = left, base - bar_height
                base = y
            else:
                x, y = left + number * width, PLOT_BOTTOM - bar_height
            if value:
                bars.append(
                    {
                        "key": serie["key"],
                        "label": serie["label"],
                        "colour": serie["colour"],
                        "value": value,
                        "x": round(x, 2),
                        "y": round(y, 2),
                        "width": round(max(width - (0 if stacked else 1), 1), 2),
                        "height": max(bar_height, 1),
                    }
                )
        labelled = position % every == 0
        months.append(
            {
                "key": row.key,
                "month": month,
                "total": sum(row.values),
                "bars": bars,
                "label_x": round(PLOT_LEFT + position * slot + slot / 2, 2),
                "labelled": labelled,
                "with_year": labelled and (position == 0 or month.month <= every),
            }
        )
    ticks = [{"value": value, "y": round(PLOT_BOTTOM - height(value), 2)} for value in range(0, top + 1, step)]
    return {
        "title": title,
        "description": description,
        "chart_id": chart_id,
        "series": series,
        "months": months,
        "ticks": ticks,
        "width": MONTH_WIDTH,
        "height": MONTH_HEIGHT,
        "plot_left": PLOT_LEFT,
        "plot_right": MONTH_WIDTH - PLOT_RIGHT,
        "plot_bottom": PLOT_BOTTOM,
        "month_y": PLOT_BOTTOM + 16,
        "year_y": PLOT_BOTTOM + 32,
        "empty": not drawn,
    }
