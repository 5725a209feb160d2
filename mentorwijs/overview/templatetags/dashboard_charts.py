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
