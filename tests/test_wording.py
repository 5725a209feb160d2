"""One Dutch voice (issue 17): the app says "je", and "tweestapsverificatie" for two-factor, also
where the text comes from Django or allauth (mentorwijs/third_party_texts.py)."""

import gettext
import re
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from tests.factories import PASSWORD, UserFactory

FORMAL = re.compile(r"\b(u|uw|Uw|alstublieft)\b|a\.u\.b\.")


def visible_text(response) -> str:
    """The page without its markup, scripts and styles: what a reader sees."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def assert_informal(text: str):
    assert "Uw " not in text
    assert " uw " not in text
    assert FORMAL.search(text) is None, FORMAL.search(text)


@pytest.mark.django_db
def test_login_page_and_its_required_field_errors_say_je(client):
    page = visible_text(client.get(reverse("account_login")))
    assert "Log in met je e-mailadres." in page
    assert_informal(page)

    response = client.post(reverse("account_login"), {"login": "", "password": ""})

    text = visible_text(response)
    assert "Dit veld is verplicht." in text
    assert_informal(text)


@pytest.mark.django_db
def test_password_reset_page_says_je_in_allauths_text_too(client):
    page = visible_text(client.get(reverse("account_reset_password")))

    assert "Neem contact met ons op als het niet lukt je wachtwoord opnieuw in te stellen." in page
    assert_informal(page)


@pytest.mark.django_db
def test_password_change_says_je_in_its_help_and_errors(client):
    user = UserFactory(roles=["trainer"], two_factor=True)
    client.force_login(user)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    url = reverse("account_change_password")
    assert_informal(visible_text(client.get(url)))

    response = client.post(url, {"oldpassword": PASSWORD, "password1": "12345", "password2": "12345"})

    text = visible_text(response)
    assert "Je wachtwoord moet minstens 10 tekens lang zijn." in text
    assert "Je wachtwoord mag niet alleen uit cijfers bestaan." in text
    assert_informal(text)


def test_password_validators_help_texts_say_je():
    from django.contrib.auth.password_validation import password_validators_help_texts

    texts = password_validators_help_texts()

    assert len(texts) == len(settings.AUTH_PASSWORD_VALIDATORS)
    assert [text for text in texts if not text.startswith("Je wachtwoord")] == []


def test_every_overridden_third_party_text_says_je_and_tweestapsverificatie():
    from mentorwijs.third_party_texts import TEXTS

    for text in TEXTS:
        if isinstance(text, str):
            dutch = [translation.gettext(text)]
        else:  # ngettext_lazy: both forms
            dutch = [str(text % {"min_length": 1}), str(text % {"min_length": 2})]
        for line in dutch:
            assert line != text, f"not translated: {text!r}"
            assert_informal(line)
            assert "factor" not in line.lower(), line


def test_no_catalogue_the_app_uses_says_twee_factor():
    """Every Dutch text the app can show, as Django looks it up (locale/ first, then the apps'
    catalogues), and the project's compiled catalogue itself."""
    merged = translation.trans_real.translation("nl")._catalog
    with (Path(settings.BASE_DIR) / "locale/nl/LC_MESSAGES/django.mo").open("rb") as compiled_file:
        compiled = gettext.GNUTranslations(compiled_file)._catalog

    shown = [merged[msgid] for msgid in merged.keys()]  # noqa: SIM118 (TranslationCatalog has no __iter__)
    found = [text for text in shown + list(compiled.values()) if re.search(r"twee-?factor", text, re.I)]

    assert found == []


def test_a_mail_rendered_outside_a_request_names_the_month_in_dutch():
    """A worker may have English active from the previous message; the mail's language decides."""
    from types import SimpleNamespace

    from mentorwijs.mail import build_message

    certification = SimpleNamespace(pk=1, get_level_display="Ambassadeur", valid_until=date(2027, 1, 12))
    context = {"name": "Sanne", "certification": certification, "certification_url": "https://example.org/c/1"}
    with translation.override("en"):
        message = build_message(
            template="ambassadors/notice_expired", to="sanne@example.org", context=context, language="nl"
        )

    assert "12 januari 2027" in message.body
    assert "January" not in message.body
