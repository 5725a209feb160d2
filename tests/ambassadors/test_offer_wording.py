"""A trainer offers to give a run ("aanbieden"); the Dutch texts never say the trainer enrols
("aanmelden", "inschrijven"), which is what participants do."""

import re
from pathlib import Path

from django.utils import translation
from django.utils.translation import gettext, ngettext

CATALOGUE = Path(__file__).resolve().parents[2] / "locale" / "nl" / "LC_MESSAGES" / "django.po"
ENROLLING = re.compile(r"aanmeld|aangemeld|meld je|inschrij|schrijf je", re.IGNORECASE)
# The offers a trainer makes (AssignmentOffer), as opposed to a place offered from the waiting list.
TRAINER_OFFER = re.compile(
    r"offer(s|ed)? to (give|train)|\boffers?\b.*\btrainer|^Offer (accepted|declined|withdrawn)"
    r"|^(Your offers|No offers are waiting|Offers waiting|Offered on|You offered|This offer was"
    r"|This is not your offer|This run does not take offers)",
    re.IGNORECASE,
)


def entries():
    text = CATALOGUE.read_text()
    for block in text.split("\n\n"):
        msgid = "".join(re.findall(r'"(.*)"', block.split("msgid ", 1)[-1].split("msgstr", 1)[0]))
        msgstr = "".join(re.findall(r'"(.*)"', block.split("msgstr", 1)[-1])) if "msgstr" in block else ""
        yield msgid, msgstr


def test_offer_to_give_this_run_says_the_trainer_offers():
    with translation.override("nl"):
        assert gettext("Offer to give this run") == "Aanbieden om deze training te geven"
        assert gettext("You offered; staff will decide.").startswith("Je hebt aangeboden")
        assert ngettext(
            "%(counter)s offer to train waits for you.", "%(counter)s offers to train wait for you.", 2
        ) == ("%(counter)s aanbiedingen om te trainen wachten op je.")


def test_no_trainer_offer_is_translated_as_enrolling():
    wrong = [(msgid, msgstr) for msgid, msgstr in entries() if TRAINER_OFFER.search(msgid) and ENROLLING.search(msgstr)]
    assert wrong == []
    assert any(TRAINER_OFFER.search(msgid) for msgid, _ in entries())
