"""Strategies and the runner of the form fuzz tests (tests/security/test_form_fuzz.py).

A `FormCase` names a page, who may use it, the form's fields with their kind and a valid value,
the models whose rows must not change when the form is refused, and (optionally) where the saved
text is stored and the page that shows it. `run_case` feeds it hypothesis examples through the
real view with the Django test client."""

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils.html import escape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

# More examples: FUZZ_MAX_EXAMPLES=500 (or HYPOTHESIS_PROFILE=fuzz-long) in front of the pytest command.
# The default profile draws the same examples every run, so CI cannot fail on an input it never saw
# before and cannot replay; fuzz-long draws new ones each time, to look further.
settings.register_profile(
    "fuzz",
    max_examples=int(os.environ.get("FUZZ_MAX_EXAMPLES", "25")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
    derandomize=True,
)
settings.register_profile(
    "fuzz-long",
    max_examples=int(os.environ.get("FUZZ_MAX_EXAMPLES", "300")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)
# The admin's pages (tests/security/test_admin_fuzz.py) are many (every registered model, for staff
# and superusers) and slower to render: fewer examples each by default.
settings.register_profile(
    "fuzz-admin", settings.get_profile("fuzz"), max_examples=int(os.environ.get("FUZZ_MAX_EXAMPLES", "10"))
)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "fuzz")
if not PROFILE.startswith("fuzz"):
    PROFILE = "fuzz"
ADMIN_PROFILE = "fuzz-admin" if PROFILE == "fuzz" else PROFILE

# Payloads an attacker types. Those with markup must never come back unescaped.
MARKUP = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "<svg/onload=alert(1)>",
    "</textarea><script>alert(2)</script>",
]
HOSTILE = [
    *MARKUP,
    "'; DROP TABLE x; --",
    "' OR '1'='1",
    "Robert'); DELETE FROM dissemination_person; --",
    "{{ 7|add:7 }}{% debug %}",
    "%(name)s %s %n {0}",
    "\u202eRTL\u200f mark \u200b",
    "😀👩🏽‍🏫 ẞ İ ﷽",
    "../../etc/passwd",
    "javascript:alert(1)",
    "//evil.example/x",
    "https://evil.example/",
    "=cmd|' /C calc'!A0",
]

# Any code point but the lone surrogates (which cannot be sent as UTF-8); NUL included.
ANY_CHAR = st.characters(exclude_categories=("Cs",))
CLEAN_CHAR = st.characters(exclude_categories=("Cs", "Cc"))

random_text = st.text(ANY_CHAR, max_size=60)
long_text = st.integers(min_value=201, max_value=20_000).map(lambda n: ("ab<x>" * n)[:n])
with_nul = st.text(CLEAN_CHAR, max_size=10).map(lambda s: f"a{s}\x00b")
hostile_text = st.one_of(
    st.sampled_from(HOSTILE),
    random_text,
    st.tuples(st.sampled_from(HOSTILE), random_text).map("".join),
    long_text,
    with_nul,
)
numbers = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(["-1", "0", "1e309", "NaN", "-inf", "9" * 5000, "1.5", "0x10", "١٢", "²", "+-3", " 7 "]),
)
bad_dates = st.sampled_from(
    [
        "2024-02-30",
        "0000-00-00",
        "0001-01-01",
        "9999-12-31",
        "10000-01-01",
        "-2024-01-01",
        "31/12/2024",
        "2024-13-01",
        "2024-01-01T25:00",
        "25:61",
        "99:99",
        "9999-12-31T23:59",
    ]
)
scalar = st.one_of(hostile_text, numbers, bad_dates)
hostile_value = st.one_of(scalar, st.lists(scalar, max_size=3))


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


# Files an attacker uploads: random bytes, text, a ZIP header (what .xlsx and .docx start with)
# followed by garbage, an empty file, under names with hostile text.
hostile_file = st.builds(
    upload,
    name=st.one_of(
        st.sampled_from(["a.csv", "a.xlsx", "a.pdf", "a.png", "a.docx", "geen-extensie", ".csv"]),
        st.tuples(st.sampled_from(HOSTILE), st.sampled_from([".csv", ".pdf", ".xlsx"])).map("".join),
    ),
    content=st.one_of(
        st.binary(max_size=3000),
        hostile_text.map(lambda text: text.encode("utf-8", "surrogatepass")),
        st.binary(max_size=500).map(lambda tail: b"PK\x03\x04" + tail),
        st.binary(max_size=500).map(lambda tail: b"%PDF-1.4\n" + tail + b"\n%%EOF"),
        st.just(b""),
    ),
)


def safe_text(max_length: int | None):
    """Text a real user might type that the field should take: payloads, unicode, within the limit."""
    limit = min(max_length or 80, 80)
    fitting = [payload for payload in HOSTILE if len(payload) <= limit] or ["<b>"]
    return st.one_of(
        st.sampled_from(fitting),
        st.text(CLEAN_CHAR, min_size=1, max_size=limit).filter(lambda s: s.strip()),
    )


@dataclass
class Field:
    """`kind` is "text" (free text, `max_length`), "file" (`valid` is a strategy of good uploads) or
    "value" (anything else; `valid` is a good value)."""

    kind: str = "value"
    valid: Any = None
    max_length: int | None = None
    required: bool = True


def text(max_length=None, valid="Tekst", required=True):
    return Field("text", valid, max_length, required)


def value(valid):
    return Field("value", valid)


def file(valid):
    return Field("file", valid)


@dataclass
class FormCase:
    """One form behind its view.

    setup(client) -> ctx (a dict): logs the user in, creates what the page needs, and puts
      "url" in ctx; "fields" may be filled there too when the valid values are objects' ids.
    models: counted before and after; unchanged unless the view redirected (its way to say saved).
    snapshot(ctx) -> any: compared before and after a refusal (for forms that change an object).
    stored(ctx, data) -> object or None: the saved object after a redirect, for the text check.
    stored_fields: form field -> attribute holding its text.
    show(ctx, obj) -> url of a page that shows the stored text (checked for escaping).
    """

    id: str
    setup: Callable[[Any], dict]
    fields: dict[str, Field] = field(default_factory=dict)
    models: tuple = ()
    method: str = "post"
    extra: dict = field(default_factory=dict)
    snapshot: Callable[[dict], Any] | None = None
    stored: Callable[[dict, dict], Any] | None = None
    stored_fields: dict[str, str] = field(default_factory=dict)
    show: Callable[[dict, Any], str] | None = None
    shown_fields: tuple | None = None  # fields whose text the show page displays; None: all stored_fields
    saved_status: tuple = (301, 302, 303)
    expect_saved: bool = True


@st.composite
def form_data(draw, fields: dict[str, Field], extra: dict):
    """Mostly-valid (every non-text field valid, text fields hostile but acceptable) or hostile
    (any field may be anything, a list, or missing)."""
    mode = draw(st.sampled_from(["valid", "hostile"]))
    data = dict(extra)
    for name, spec in fields.items():
        if spec.kind == "file":
            data[name] = draw(spec.valid if mode == "valid" else st.one_of(spec.valid, hostile_file, hostile_value))
            continue
        if mode == "valid":
            data[name] = draw(safe_text(spec.max_length)) if spec.kind == "text" else spec.valid
            continue
        choice = draw(st.sampled_from(["valid", "hostile", "hostile", "missing"]))
        if choice == "missing":
            continue
        data[name] = spec.valid if choice == "valid" else draw(hostile_value)
    data = {name: val for name, val in data.items() if val is not None}
    return data


def _strings(data: dict):
    for val in data.values():
        if isinstance(val, list | tuple):
            yield from (item for item in val if isinstance(item, str))
        elif isinstance(val, str):
            yield val


def assert_escaped(body: str, data: dict, where: str):
    """No markup payload that was sent comes back raw."""
    for sent in _strings(data):
        for payload in MARKUP:
            if payload in sent:
                assert payload not in body, f"{where}: {payload!r} rendered unescaped"


def _counts(models):
    return {model._meta.label: model._default_manager.count() for model in models}


def normalised(val: str) -> str:
    """What a Django CharField makes of the input (it strips surrounding whitespace)."""
    return val.strip()


def same_text(stored: str, sent: str) -> bool:
    """Stored as sent, after the form's stripping; some services also collapse runs of whitespace
    (names and cities: " ".join(value.split()))."""
    return stored in (normalised(sent), " ".join(sent.split()))


def check_example(case: FormCase, client, ctx: dict, data: dict):
    url = ctx["url"]
    before = _counts(case.models)
    snap_before = case.snapshot(ctx) if case.snapshot else None
    try:
        response = client.get(url, data) if case.method == "get" else client.post(url, data)
    except Exception as error:  # the test client re-raises what the view raised: a 500
        raise AssertionError(f"{case.id}: {type(error).__name__}: {error} for input {data!r}") from error
    assert response.status_code < 500, f"{case.id}: {response.status_code} for input {data!r}"
    body = response.content.decode(errors="replace") if response.get("Content-Type", "").startswith("text/") else ""
    assert_escaped(body, data, f"{case.id} response")
    if response.has_header("Location"):
        location = response["Location"]
        # (url_has_allowed_host_and_scheme also refuses URLs over 2048 characters: too strict here)
        parts = urlsplit(location.replace("\\", "/"))
        off_site = f"{case.id}: redirected off the site to {location!r}, input {data!r}"
        assert parts.scheme in ("", "http", "https"), off_site
        assert parts.netloc in ("", "testserver"), off_site
    if case.method == "get":
        return response
    saved = response.status_code in case.saved_status
    if not saved:
        assert _counts(case.models) == before, f"{case.id}: rows changed on a refused form, input {data!r}"
        if case.snapshot:
            assert case.snapshot(ctx) == snap_before, f"{case.id}: object changed on a refused form, input {data!r}"
        return response
    if case.stored is None:
        return response
    obj = case.stored(ctx, data)
    if obj is None:
        return response
    for form_field, attr in case.stored_fields.items():
        sent = data.get(form_field)
        if isinstance(sent, str):
            stored = getattr(obj, attr)
            assert "\x00" not in stored, f"{case.id}: {attr} stored a NUL character (PostgreSQL refuses it)"
            assert same_text(stored, sent), f"{case.id}: {attr} stored {stored!r}, sent {sent!r}"
    if case.show is not None:
        page = client.get(case.show(ctx, obj))
        assert page.status_code == 200, f"{case.id}: showing the saved object answered {page.status_code}"
        shown = page.content.decode()
        shown_data = {name: data[name] for name in case.stored_fields if isinstance(data.get(name), str)}
        assert_escaped(shown, shown_data, f"{case.id} page showing it")
        displayed = case.stored_fields if case.shown_fields is None else case.shown_fields
        for sent in _strings({name: val for name, val in shown_data.items() if name in displayed}):
            for payload in MARKUP:
                if normalised(sent) == payload:
                    assert escape(payload) in shown, f"{case.id}: {payload!r} not shown (escaped) on its page"
    return response


def run_case(case: FormCase, client, profile: str = PROFILE):
    """Set the page up once, then run the examples, each in a savepoint rolled back afterwards."""
    ctx = case.setup(client)
    fields = ctx.get("fields", case.fields)
    extra = {**case.extra, **ctx.get("extra", {})}

    statuses = []

    @settings(settings.get_profile(profile))
    @given(data=form_data(fields, extra))
    def examples(data):
        cache.clear()  # the public forms are rate limited
        with transaction.atomic():
            statuses.append(check_example(case, client, ctx, data).status_code)
            transaction.set_rollback(True)

    examples()
    if case.method == "post" and (case.stored or case.snapshot) and case.expect_saved:
        # Otherwise the valid values of the table are wrong and only refusals were tested.
        assert set(statuses) & set(case.saved_status), f"{case.id}: no example was saved ({sorted(set(statuses))})"
