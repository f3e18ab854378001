"""Thai text handling for the assistant: normalise, mask national IDs, detect the language, expand
colloquial words and fix misspellings from the lexicon (``catalog/assistant/lexicon.yaml``), and cut
text into the terms the index uses (PyThaiNLP newmm words; character trigrams for typo tolerance).

Pure: imports only ``pracha.textsearch`` and ``pracha.nationalids`` of ours, no database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pythainlp.tokenize import word_tokenize
from pythainlp.util import normalize as thai_normalize
from pythainlp.util import thai_digit_to_arabic_digit

from pracha import nationalids
from pracha.textsearch import terms

_THAI = re.compile(r"[\u0e01-\u0e5b]")
_LATIN = re.compile(r"[A-Za-z]")
_SPACE = re.compile(r"\s+")
_GRAM_TEXT = re.compile(r"[^\u0e01-\u0e4e0-9a-z]")
ID_MASK = "x-xxxx-xxxxx-xx-x"


def mask_national_ids(text: str) -> str:
    """Replace every national ID, however it was typed (`pracha.nationalids`), with a mask."""
    return nationalids.mask_national_ids(text, ID_MASK)


def normalise(text: str) -> str:
    """Unicode-normalised Thai (PyThaiNLP), Arabic digits, lower case, single spaces."""
    text = thai_digit_to_arabic_digit(thai_normalize(text))
    return _SPACE.sub(" ", text).strip().lower()


def detect_language(text: str) -> str:
    """'th' when the text has any Thai letters or no Latin ones; 'en' otherwise."""
    thai, latin = len(_THAI.findall(text)), len(_LATIN.findall(text))
    return "en" if latin and not thai else "th"


def trigrams(text: str) -> list[str]:
    """Character trigrams of the text without spaces or punctuation (robust to typos and to how the
    word cutter splits a misspelt word)."""
    compact = _GRAM_TEXT.sub("", text)
    return [compact[i:i + 3] for i in range(len(compact) - 2)]


def words(text: str) -> list[str]:
    """Search words of normalised text: Thai words and their dictionary parts, stemmed English."""
    return list(terms(text))


def whole_words(text: str) -> list[str]:
    """The search words of normalised text without the dictionary parts of compounds (newmm tokens)."""
    found = (next(iter(terms(token)), None) for token in word_tokenize(text, engine="newmm", keep_whitespace=False))
    return [w for w in found if w is not None]


def asking_words(text: str) -> list[str]:
    """Every word of normalised text as the word cutter gives it, question words included ("ที่ไหน",
    "เท่าไร", "กี่วัน": the search words drop them as stop words, but they say what is asked)."""
    tokens = word_tokenize(text, engine="newmm", keep_whitespace=False)
    return [t for t in (_GRAM_TEXT.sub("", token) for token in tokens) if t]


@dataclass(frozen=True)
class Lexicon:
    synonyms: dict[str, str] = field(default_factory=dict)
    misspellings: dict[str, str] = field(default_factory=dict)
    status_phrases: tuple[str, ...] = ()
    greetings: tuple[str, ...] = ()
    thanks: tuple[str, ...] = ()
    cues: tuple[str, ...] = ()  # in-domain words: a question naming one is likely about a service
    forgot_password: tuple[str, ...] = ()  # "I forgot my password / cannot sign in": the reset page
    faq_paraphrases: dict[str, tuple[str, ...]] = field(default_factory=dict)  # FAQ id suffix → phrasings

    @classmethod
    def load(cls, path: Path) -> Lexicon:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}

        def table(name: str) -> dict[str, str]:
            return {normalise(str(k)): normalise(str(v)) for k, v in (data.get(name) or {}).items()}

        def phrases(name: str) -> tuple[str, ...]:
            return tuple(normalise(str(p)) for p in data.get(name) or ())

        return cls(table("synonyms"), table("misspellings"), phrases("status_phrases"), phrases("greetings"),
                   phrases("thanks"), phrases("cues"), phrases("forgot_password"),
                   {str(k): tuple(str(p) for p in v) for k, v in (data.get("faq_paraphrases") or {}).items()})

    def correct(self, text: str) -> str:
        """Fix the listed misspellings (longest first, so a longer fix wins over its part)."""
        for wrong in sorted(self.misspellings, key=len, reverse=True):
            if wrong in text:
                right = self.misspellings[wrong]
                # A misspelling that is the start of its fix ("เบี้ยคนแก" → "เบี้ยคนแก่") must not touch
                # the right spelling, or it would become "เบี้ยคนแก่่".
                rest = right[len(wrong):] if right.startswith(wrong) else ""
                pattern = re.escape(wrong) + (f"(?!{re.escape(rest)})" if rest else "")
                text = re.sub(pattern, right.replace("\\", r"\\"), text)
        return text

    def expand(self, text: str) -> str:
        """The text plus the catalogue wording of every colloquial phrase found in it."""
        compact = text.replace(" ", "")
        extra = [canonical for phrase, canonical in self.synonyms.items()
                 if (phrase in text if _LATIN.search(phrase) else phrase.replace(" ", "") in compact)]
        return " ".join([text, *extra])

    def _has(self, text: str, phrases: tuple[str, ...]) -> bool:
        compact = text.replace(" ", "")
        return any((p in text) if _LATIN.search(p) else (p.replace(" ", "") in compact) for p in phrases)

    def has_cue(self, text: str) -> bool:
        """Whether a colloquial phrase of the synonyms or an in-domain cue word occurs in the text."""
        return self._has(text, (*self.synonyms, *self.cues))

    def asks_status(self, text: str) -> bool:
        return self._has(text, self.status_phrases)

    def small_talk(self, text: str) -> str | None:
        """'greeting' or 'thanks' for a short message that is only that; None otherwise."""
        if len(text) > 25:
            return None
        if self._has(text, self.thanks):
            return "thanks"
        if self._has(text, self.greetings) and not words(text.replace("สวัสดี", "")):
            return "greeting"
        return None
