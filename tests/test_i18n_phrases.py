"""Phrases: text stored as a key and parameters, rendered in each reader's language (pracha.i18n)."""

from __future__ import annotations

import pytest

from pracha import i18n
from pracha.i18n import Phrase

GREETING = i18n.define("test.greeting", "สวัสดี {name}{note}", "Hello {name}{note}")
NOTE = i18n.define("test.note", " ({text})", " ({text})")


def test_a_phrase_renders_in_each_language_with_bilingual_and_nested_params() -> None:
    phrase = Phrase(GREETING, {"name": {"th": "สมชาย", "en": "Somchai"},
                               "note": Phrase(NOTE, {"text": {"th": "ผู้สูงอายุ", "en": "elderly"}})})
    assert i18n.both(phrase) == {"th": "สวัสดี สมชาย (ผู้สูงอายุ)", "en": "Hello Somchai (elderly)"}
    stored = i18n.to_json(phrase)
    assert stored == {"key": GREETING, "params": {"name": {"th": "สมชาย", "en": "Somchai"},
                                                  "note": {"key": NOTE, "params": {"text": {"th": "ผู้สูงอายุ",
                                                                                             "en": "elderly"}}}}}
    assert i18n.render(stored, "en") == "Hello Somchai (elderly)"  # as read back from a JSON column


def test_typed_text_missing_params_lists_and_english_fallback() -> None:
    assert i18n.render("พิมพ์เอง", "en") == "พิมพ์เอง"  # a person's words stay as typed
    assert i18n.render(Phrase(GREETING, {"name": "Malee"}), "en") == "Hello Malee"  # no note: empty
    assert i18n.render({"th": "ไทยเท่านั้น"}, "en") == "ไทยเท่านั้น"
    assert i18n.render([{"th": "หนึ่ง", "en": "one"}, None, "two"], "en") == "one\ntwo"
    assert i18n.render(None, "th") == ""


def test_unknown_keys_raise_and_a_key_cannot_change_its_text() -> None:
    with pytest.raises(i18n.UnknownPhrase):
        i18n.render({"key": "no.such.key", "params": {}}, "th")
    assert i18n.define(GREETING, "สวัสดี {name}{note}", "Hello {name}{note}") == GREETING  # the same again: fine
    with pytest.raises(ValueError, match="defined twice"):
        i18n.define(GREETING, "หวัดดี", "Hi")
