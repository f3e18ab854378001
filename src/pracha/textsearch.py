"""Search over short bilingual documents: Thai split into words with PyThaiNLP (newmm, never on
spaces), Thai compounds also counted by their dictionary parts, English lower-cased and lightly
stemmed; scored with BM25. Pure: imports nothing of ours and no database.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from functools import lru_cache

from pythainlp.corpus import thai_words
from pythainlp.tokenize import word_tokenize
from pythainlp.util import normalize, thai_digit_to_arabic_digit

_K1, _B, _PART_WEIGHT = 1.2, 0.75, 0.5
_MIN_SHARE = 0.15  # results scoring under this share of the best one are noise, not answers
_THAI_CHAR = re.compile(r"[\u0e01-\u0e5b]")
_NOT_WORD = re.compile(r"[^\u0e01-\u0e4e0-9a-z]")
_LATIN_WORD = re.compile(r"[a-z0-9]+")
_TH_STOP = frozenset(
    "การ ความ ของ ที่ และ หรือ ใน จาก ได้ ให้ เป็น มี ไม่ ซึ่ง โดย กับ แต่ ต่อ ตาม เพื่อ จะ ก็ ว่า"
    " นี้ นั้น อยู่ ไป มา ถ้า หาก ครับ ค่ะ คะ จ้ะ จ้า นะ น่ะ ละ ล่ะ ไหม มั้ย หรือไม่ อย่างไร ยังไง บ้าง"
    " อะไร ที่ไหน ไหน ต้อง ขอ ผม ดิฉัน ฉัน หนู เรา คุณ ท่าน อยาก ต้องการ เอง แล้ว ด้วย ทำ เรื่อง วิธี"
    " ยัง ทั้ง ทุก เมื่อ อัน".split())
_EN_STOP = frozenset(
    "a an the of for to and or in on at by with from my me we you your how do does did what where"
    " when which who can could get got is are am be been want need please about into it this that"
    " there as if not no so".split())


@lru_cache(maxsize=1)
def _dictionary() -> frozenset[str]:
    return frozenset(thai_words())


@lru_cache(maxsize=8192)
def _parts(token: str) -> tuple[str, ...]:
    """Split a Thai compound into the fewest dictionary words (each 2+ letters), or ()."""
    words, n = _dictionary(), len(token)
    if n < 4:
        return ()
    best: list[tuple[str, ...] | None] = [()] + [None] * n
    for end in range(2, n + 1):
        for start in range(end - 1):
            prev, piece = best[start], token[start:end]
            if prev is None or piece == token or piece not in words:
                continue
            current = best[end]
            if current is None or len(prev) + 1 < len(current):
                best[end] = (*prev, piece)
    return best[n] or ()


def _stem(word: str) -> str:
    """A deliberately tiny English stemmer: applied alike to text and query, it only has to agree."""
    if len(word) > 5 and word.endswith("ing"):
        word = word[:-3]
    elif len(word) > 4 and word.endswith("ies"):
        word = word[:-3] + "y"
    elif len(word) > 4 and word.endswith("ed"):
        word = word[:-2]
    elif len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    return word[:-1] if len(word) > 3 and word.endswith("e") else word


def terms(text: str) -> dict[str, float]:
    """Weighted search terms of ``text``: Thai words (plus their parts), stemmed English words."""
    terms: defaultdict[str, float] = defaultdict(float)
    text = thai_digit_to_arabic_digit(normalize(text)).lower()
    for token in word_tokenize(text, engine="newmm", keep_whitespace=False):
        if _THAI_CHAR.search(token):
            word = _NOT_WORD.sub("", token)
            if len(word) < 2 or word in _TH_STOP:
                continue
            terms[word] += 1.0
            for part in _parts(word):
                if part not in _TH_STOP:
                    terms[part] += _PART_WEIGHT
        else:
            for word in _LATIN_WORD.findall(token):
                if len(word) > 1 and word not in _EN_STOP:
                    terms[_stem(word)] += 1.0
    return terms


class SearchIndex:
    """BM25 over documents made of weighted fields: each document is a list of (text, weight)."""

    def __init__(self, documents: list[list[tuple[str, float]]]) -> None:
        self._tf: list[dict[str, float]] = []
        lengths: list[float] = []
        for fields in documents:
            tf: defaultdict[str, float] = defaultdict(float)
            for text, field_weight in fields:
                for term, weight in terms(text).items():
                    tf[term] += weight * field_weight
            self._tf.append(dict(tf))
            lengths.append(sum(tf.values()))
        average = (sum(lengths) / len(lengths)) if lengths else 1.0
        self._norm = [1 - _B + _B * length / (average or 1.0) for length in lengths]
        df = Counter(term for tf in self._tf for term in tf)
        n = len(documents)
        self._idf = {t: math.log(1 + (n - d + 0.5) / (d + 0.5)) for t, d in df.items()}

    def search(self, query: str, limit: int = 10) -> list[tuple[float, int]]:
        """(score, document index) pairs, best first; [] for a blank query or no match."""
        query_terms = terms(query) if query and query.strip() else {}
        scored: list[tuple[float, int]] = []
        for i, tf in enumerate(self._tf):
            score = 0.0
            for term, query_weight in query_terms.items():
                f = tf.get(term)
                if f:
                    score += query_weight * self._idf[term] * f * (_K1 + 1) / (f + _K1 * self._norm[i])
            if score > 0:
                scored.append((score, i))
        scored.sort(key=lambda item: (-item[0], item[1]))
        floor = scored[0][0] * _MIN_SHARE if scored else 0.0
        return [(score, i) for score, i in scored[: max(limit, 0)] if score >= floor]
