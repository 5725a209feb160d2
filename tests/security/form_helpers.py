"""Helpers of the form fuzz case tables (tests/security/form_cases_*.py)."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from hypothesis import strategies as st

from dissemination.models import Region
from tests.factories import UserFactory

from .fuzz import HOSTILE, upload


def login(client, roles, **kwargs):
    user = UserFactory(roles=roles, **kwargs)  # with two-factor, as every role needs
    client.force_login(user)
    return user


def rivierenland():
    return Region.objects.get(name="Rivierenland")


def latest(model):
    return lambda ctx, data: model.objects.order_by("-pk").first()


def in_days(days):
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def setup_staff(url_name, *args):
    def setup(client):
        login(client, ["staff"])
        return {"url": reverse(url_name, args=args)}

    return setup


def snapshot(model, *names):
    """The object's row as stored, to compare before and after a refused form."""

    def take(ctx):
        return model.objects.filter(pk=ctx["object"].pk).values(*names).first()

    return take


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
cell = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=30))


def csv_file(header: list[str], row: st.SearchStrategy) -> st.SearchStrategy:
    """A CSV with the right header and rows of hostile cells (quoted as a spreadsheet writes them)."""

    def render(rows):
        lines = [",".join(header)]
        lines += [",".join('"' + str(cell).replace('"', '""') + '"' for cell in cells) for cells in rows]
        return upload("import.csv", "\n".join(lines).encode("utf-8", "surrogatepass"))

    return st.lists(row, min_size=1, max_size=4).map(render)


organisation_rows = st.tuples(
    cell, st.sampled_from(["", "12345678", "1234"]), st.sampled_from(["employers", "x"]), cell, cell, cell, cell
)
subscriber_rows = st.tuples(
    st.sampled_from(["a@example.org", "geen-adres", ""]), cell, cell, st.just("employers"), cell, cell, cell
)
