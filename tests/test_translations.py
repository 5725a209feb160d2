"""The compiled catalogue (django.mo) holds what the source catalogue (django.po) says.

A merge can leave a .mo older than its .po in content but newer on disk, and compilemessages then
skips it: the interface falls back to English for every text added since. This reads both files."""

import gettext
import re
from pathlib import Path

from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale" / "nl" / "LC_MESSAGES"
# The last two lines of a one-line entry: msgid "…" then msgstr "…".
ENTRY = re.compile(r'^msgid "(.+)"\nmsgstr "(.+)"$', re.M)


def unescape(text: str) -> str:
    """A .po string's escapes (\\n, \\") undone, keeping non-ASCII letters."""
    return text.encode().decode("unicode_escape").encode("latin-1").decode()


def test_the_compiled_catalogue_matches_the_source():
    source = (LOCALE / "django.po").read_text(encoding="utf-8")
    with open(LOCALE / "django.mo", "rb") as compiled_file:
        compiled = gettext.GNUTranslations(compiled_file)
    entries = [
        match.groups()
        for block in source.split("\n\n")
        if "#, fuzzy" not in block and "msgctxt" not in block and (match := ENTRY.search(block))
    ]
    assert len(entries) > 1000

    stale = [msgid for msgid, msgstr in entries if compiled.gettext(unescape(msgid)) != unescape(msgstr)]

    assert stale == [], f"{len(stale)} texts differ: run msgfmt -o locale/nl/LC_MESSAGES/django.mo on the .po"
