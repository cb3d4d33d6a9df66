"""Every text of the portal in French, Dutch and English: no key missing in any language."""

import json
import re
from pathlib import Path

import pytest

from comptoir_core.documents.fields import CHECKS
from comptoir_core.documents.models import DocumentStatus, Source

WEB = Path(__file__).resolve().parents[2] / "web"
LANGUAGES = ("fr", "nl", "en")


def flatten(tree: dict, prefix: str = "") -> dict[str, str]:
    flat = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            flat |= flatten(value, f"{prefix}{key}.")
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def texts(language: str) -> dict[str, str]:
    """Every text of one language: `locales/<lang>/<area>.json` read as `<area>.<key>`, as the app does."""
    folder = WEB / "src" / "locales" / language
    return flatten({file.stem: json.loads(file.read_text()) for file in sorted(folder.glob("*.json"))})


LOCALES = {lang: texts(lang) for lang in LANGUAGES}


def keys_used_in_the_source() -> set[str]:
    """The literal keys of t("…") calls; a key built at run time (`status.${s}`) gives its fixed prefix."""
    used = set()
    for file in (WEB / "src").rglob("*"):
        if file.suffix in (".svelte", ".ts") and not file.name.endswith(".d.ts"):
            used |= set(re.findall(r"""\bt\(\s*[`"]([^`"]+)[`"]""", file.read_text()))
    return used


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_has_every_key_of_the_others(language):
    every_key = set().union(*LOCALES.values())
    missing = sorted(every_key - set(LOCALES[language]))
    assert missing == [], f"{language} lacks {missing}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_text_is_empty_and_each_names_the_same_placeholders_as_english(language):
    for key, text in LOCALES[language].items():
        assert text.strip(), f"{language}: {key} is empty"
        assert set(re.findall(r"{{(\w+)}}", text)) == set(re.findall(r"{{(\w+)}}", LOCALES["en"][key])), (
            f"{language}: {key}"
        )


def test_every_key_the_screens_ask_for_exists():
    english = set(LOCALES["en"])
    for key in keys_used_in_the_source():
        if key + "_other" in english:  # a plural: i18next picks key_one or key_other by the count
            continue
        if "${" in key:
            prefix = key.split("${")[0]
            assert any(k.startswith(prefix) for k in english), key
        else:
            assert key in english, f"the source asks for {key}, which no locale has"


def test_every_status_source_mailbox_and_field_the_api_answers_has_a_name():
    english = set(LOCALES["en"])
    wanted = (
        {f"status.{s.value}" for s in DocumentStatus}
        | {f"sources.{s.value}" for s in Source}
        | {f"boxes.names.{b}" for b in ("purchase", "sales", "misc", "processing")}
        | {f"fields.{name}" for name in CHECKS if name != "vat_breakdown"}
    )
    assert sorted(wanted - english) == []


def test_the_mailboxes_have_the_guides_names_in_each_language():
    names = {
        lang: [LOCALES[lang][f"boxes.names.{b}"] for b in ("purchase", "sales", "misc", "processing")]
        for lang in LANGUAGES
    }
    assert names == {
        "fr": ["Achats", "Ventes", "Divers", "En traitement"],
        "nl": ["Aankopen", "Verkopen", "Diversen", "In verwerking"],
        "en": ["Purchases", "Sales", "Miscellaneous", "In processing"],
    }
