"""Thai first: every `_()` string in every template has a reviewed Thai translation, placeholders
survive translation (dates in the Buddhist Era: tests/test_calendar.py).

When a test here fails after a template change, run `scripts/update-translations.sh`, translate the
new entries in `src/pracha/locale/th/LC_MESSAGES/messages.po` and remove any `#, fuzzy` line.
"""

from __future__ import annotations

import ast
import re
import string
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from pracha import i18n
from pracha.http.rendering import make_environment

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "pracha"
POT = PACKAGE / "locale" / "messages.pot"
THAI_PO = PACKAGE / "locale" / "th" / "LC_MESSAGES" / "messages.po"
FIX = "run scripts/update-translations.sh, then translate what it lists in " + str(THAI_PO.relative_to(ROOT))

# `_(` not preceded by a word character or a dot, then a string literal that is the whole first
# argument (followed by `,` or `)`). `_(name)` or `_("a" ~ b)` are not literals and are skipped.
CALL = re.compile(r"""(?<![\w.])_\(\s*(?P<literal>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')\s*[,)]""")


def template_files() -> list[Path]:
    return sorted(PACKAGE.glob("**/templates/**/*.html"))


@cache
def regex_messages() -> dict[str, list[str]]:
    """Every literal `_()` message id in the templates → where it is used (file:line)."""
    found: dict[str, list[str]] = {}
    for path in template_files():
        text = path.read_text(encoding="utf-8")
        for match in CALL.finditer(text):
            message = ast.literal_eval(match["literal"])
            line = text.count("\n", 0, match.start()) + 1
            found.setdefault(message, []).append(f"{path.relative_to(ROOT)}:{line}")
    return found


@cache
def extracted_messages() -> set[str]:
    """What `pybabel extract -F babel.cfg` finds (Jinja2's babel extractor): what the script writes."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f, filename="babel.cfg")
    found: set[str] = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords={"_": None}, comment_tags=(), strip_comment_tags=True
    ):
        if isinstance(message, tuple):  # a call with keyword arguments: (msgid, None, ...)
            message = message[0]
        if message:
            found.add(message)
    return found


def read_catalogue(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, locale=locale, abort_invalid=True)


@cache
def thai() -> Catalog:
    return read_catalogue(THAI_PO, "th")


def placeholders(text: str) -> set[tuple[str | None, str | None, str | None]]:
    """The str.format fields of a message: {(name, format spec, conversion)}. Raises on stray braces."""
    return {(name, spec, conv) for _literal, name, spec, conv in string.Formatter().parse(text) if name is not None}


def test_templates_exist_and_use_translations() -> None:
    assert len(template_files()) >= 10
    messages = regex_messages()
    assert len(messages) >= 100
    assert "Sign in" in messages
    assert "{days} working days" in messages  # keyword arguments: _("{days} working days", days=n)
    assert "e.g. moving house, birth, elderly allowance" in messages  # single quotes


def test_babel_extractor_finds_every_template_string() -> None:
    """The script relies on babel.cfg + Jinja2's extractor; it must see what the templates use."""
    regex, babel = set(regex_messages()), extracted_messages()
    assert regex - babel == set(), f"babel.cfg misses template strings: {sorted(regex - babel)}"
    assert babel - regex == set(), f"babel extracts strings the regex scan does not see: {sorted(babel - regex)}"


def test_thai_po_parses_with_babel() -> None:
    po = thai()
    assert str(po.locale) == "th"
    headers = dict(po.mime_headers)
    assert headers["Language"] == "th"
    assert headers["Plural-Forms"] == "nplurals=1; plural=0;"
    assert "charset=utf-8" in headers["Content-Type"].lower()
    assert po.num_plurals == 1
    assert not po.fuzzy
    assert len([m for m in po if m.id]) >= 100


def test_pot_is_up_to_date() -> None:
    pot = {m.id for m in read_catalogue(POT) if m.id}
    used = set(regex_messages())
    assert used - pot == set(), f"messages.pot lacks {sorted(used - pot)}: {FIX}"
    assert pot - used == set(), f"messages.pot lists strings no template uses {sorted(pot - used)}: {FIX}"


def test_every_template_string_has_thai() -> None:
    translated = {m.id for m in thai() if m.id and m.string and str(m.string).strip() and not m.fuzzy}
    missing = {message: where for message, where in regex_messages().items() if message not in translated}
    listing = "\n".join(f"  {message!r}  ({', '.join(where)})" for message, where in sorted(missing.items()))
    assert not missing, f"{len(missing)} template string(s) have no reviewed Thai translation ({FIX}):\n{listing}"


def test_translations_keep_placeholders() -> None:
    wrong = []
    for m in thai():
        if not m.id or not m.string:
            continue
        try:
            same = placeholders(str(m.string)) == placeholders(str(m.id))
        except ValueError:  # a stray { or } in the translation
            same = False
        if not same:
            wrong.append(f"{m.id!r} → {m.string!r}")
    assert not wrong, "translations must keep the {placeholders} of their id:\n" + "\n".join(wrong)


def test_translations_are_thai_and_tidy() -> None:
    for m in thai():
        if not m.id or not m.string:
            continue
        text = str(m.string)
        assert text == text.strip() and "  " not in text, f"stray spaces in {text!r}"
        assert re.search(r"[\u0e00-\u0e7f]", text), f"{m.id!r} is not translated into Thai: {text!r}"


def test_gettext_thai_and_english() -> None:
    assert i18n.gettext("th", "Sign in") == "เข้าสู่ระบบ"
    assert i18n.gettext("th", "Skip to main content") == "ข้ามไปยังเนื้อหาหลัก"
    assert i18n.gettext("en", "Sign in") == "Sign in"
    assert i18n.gettext("th", "A string nobody translated") == "A string nobody translated"


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("th", "3 วันทำการ"), ("en", "3 working days")],
)
def test_templates_fill_placeholders_after_translating(lang: str, expected: str) -> None:
    env = make_environment([])
    assert env.from_string('{{ _("{days} working days", days=3) }}').render(lang=lang) == expected
