"""The retrieval index: two BM25 indexes (bm25s) over the same passages, one of words (PyThaiNLP
newmm) and one of character trigrams (typos and odd word cuts still share most trigrams). A passage
scores ``words + alpha * trigrams / len(query trigrams)``; a service scores as its best passage.

Whether a question is *in scope* is decided by a small logistic model (``scope.py``) over features
of the question and of its retrieval; otherwise the assistant says it does not know. Its weights live
in ``catalog/assistant/tuning.yaml`` and are fitted by ``bench/assistant_eval.py --tune`` on the
tuning questions, never on the evaluation set. Pure: no database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import bm25s
import numpy as np
import yaml

from pracha.assistant import nlp
from pracha.assistant.knowledge import Passage, load_faq, service_passages
from pracha.assistant.scope import ScopeModel, rarity
from pracha.services.catalog import Catalog

_THAI_LETTERS = "".join(chr(c) for c in range(0x0E01, 0x0E4F))


@dataclass(frozen=True)
class Tuning:
    alpha: float = 1.0
    scope: ScopeModel = field(default_factory=ScopeModel)
    faq_full_weight: float = 1.0  # how much the whole-passage score counts when ranking a service's FAQ
    second_weight: float = 0.0  # how much a service's second-best passage adds to its score

    @classmethod
    def load(cls, path: Path) -> Tuning:
        data = (yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else None) or {}
        return cls(float(data.get("alpha", 1.0)), ScopeModel.from_dict(data.get("scope")),
                   float(data.get("faq_full_weight", 1.0)), float(data.get("second_weight", 0.0)))


@dataclass(frozen=True)
class Retrieval:
    services: list[tuple[str, float]]  # best first
    passages: list[tuple[Passage, float]]  # best first, at most 10
    in_scope: bool
    features: np.ndarray = field(default_factory=lambda: np.zeros(0))  # see scope.FEATURES
    query: str = ""  # the question as asked
    scores: np.ndarray = field(default_factory=lambda: np.zeros(0))  # every passage's score

    @property
    def service_id(self) -> str | None:
        return self.services[0][0] if self.in_scope and self.services else None


def _bm25(corpus: list[list[str]]) -> bm25s.BM25:
    index = bm25s.BM25()
    index.index(corpus, show_progress=False)
    return index


class Index:
    def __init__(self, catalog: Catalog, faq_dir: Path, lexicon: nlp.Lexicon, tuning: Tuning) -> None:
        self.catalog = catalog
        self.lexicon = lexicon
        self.tuning = tuning
        self.passages = service_passages(catalog) + load_faq(faq_dir, catalog, lexicon.faq_paraphrases)
        texts = [nlp.normalise(p.index_text(catalog)) for p in self.passages]
        word_docs = [nlp.words(t) for t in texts]
        self.vocabulary = frozenset(w for doc in word_docs for w in doc)
        # Words that name what Pracha knows: FAQ questions, service names, keywords and summaries, and
        # the lexicon's phrases (not every word of the long descriptions).
        core = [f"{p.question.th} {p.question.en} {p.answer.th} {p.answer.en}" if p.kind == "service" else
                f"{p.question.th} {p.question.en}" for p in self.passages]
        core += [" ".join((*s.keywords_th, *s.keywords_en)) for s in catalog.services.values()]
        core += list(lexicon.synonyms) + list(lexicon.synonyms.values())
        self._known = frozenset(w for text in core for w in nlp.words(nlp.normalise(text)))
        self._words = _bm25(word_docs)
        self._grams = _bm25([nlp.trigrams(t) for t in texts])
        self._service_of = np.array([list(catalog.services).index(p.service_id) for p in self.passages])
        self._service_ids = list(catalog.services)
        self._service_words: dict[str, set[str]] = {sid: set() for sid in self._service_ids}
        for passage, doc in zip(self.passages, word_docs, strict=True):
            self._service_words[passage.service_id].update(doc)
        names = {sid: nlp.normalise(" ".join((svc.name.th, svc.name.en, *svc.keywords_th, *svc.keywords_en)))
                 for sid, svc in catalog.services.items()}
        self._topic_words = {sid: frozenset(nlp.words(text)) | frozenset(nlp.asking_words(text))
                             for sid, text in names.items()}
        self._faq_of: dict[str, list[int]] = {}
        intent_docs: list[str] = []  # one per way of asking an FAQ entry (its questions, its paraphrases)
        intent_of: list[int] = []
        for i, passage in enumerate(self.passages):
            if passage.kind != "faq":
                continue
            self._faq_of.setdefault(passage.service_id, []).append(i)
            topic = self._topic_words[passage.service_id]
            for text in (passage.question.th, passage.question.en, *passage.paraphrases):
                words = [w for w in nlp.asking_words(lexicon.correct(nlp.normalise(text))) if w not in topic]
                intent_docs.append(" ".join(words))
                intent_of.append(i)
        self._intent_of = np.array(intent_of)
        self._intent_words = _bm25([d.split() or ["-"] for d in intent_docs])
        self._intent_grams = _bm25([nlp.trigrams(d) or ["-"] for d in intent_docs])
        rarity("")  # load the word frequencies now, not during the first question

    def prepare(self, text: str) -> str:
        """Normalised, misspellings fixed, colloquial phrases expanded."""
        return self.lexicon.expand(self.lexicon.correct(nlp.normalise(text)))

    def _fix(self, word: str) -> str:
        """An unknown Thai word one edit from exactly one known word becomes that word."""
        if word in self.vocabulary or len(word) < 4 or not nlp.detect_language(word) == "th":
            return word
        splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
        candidates = {a + b[1:] for a, b in splits if b}
        candidates |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
        candidates |= {a + c + b[1:] for a, b in splits if b for c in _THAI_LETTERS}
        candidates |= {a + c + b for a, b in splits for c in _THAI_LETTERS}
        known = candidates & self.vocabulary
        return known.pop() if len(known) == 1 else word

    def features(self, text: str, services: list[tuple[str, float]]) -> np.ndarray:
        """The out-of-scope model's features (scope.FEATURES) of a question and its ranked services."""
        corrected = self.lexicon.correct(nlp.normalise(text))
        own = [self._fix(w) for w in nlp.words(corrected)]
        whole = [self._fix(w) for w in nlp.whole_words(corrected)]
        first = services[0][1] if services else 0.0
        second = services[1][1] if len(services) > 1 else 0.0
        mine = self._service_words[services[0][0]] if services else set()
        unknown = [w for w in whole if w not in self.vocabulary]
        n = len(own) or 1
        return np.array([
            np.log1p(first), (first - second) / first if first > 0 else 0.0,
            sum(w in self._known for w in own) / n, sum(w in mine for w in own) / n,
            float(self.lexicon.has_cue(corrected)), len(unknown) / (len(whole) or 1),
            max((rarity(w) for w in unknown), default=0.0)])

    def scores(self, text: str) -> np.ndarray:
        """Each passage's score for the question."""
        prepared = self.prepare(text)
        query_words = [self._fix(w) for w in nlp.words(prepared)]
        query_grams = nlp.trigrams(prepared)
        total = np.zeros(len(self.passages), dtype=np.float64)
        if query_words:
            total += self._words.get_scores(query_words)
        if query_grams:
            total += self.tuning.alpha * self._grams.get_scores(query_grams) / len(query_grams) * 10
        return total

    def search(self, text: str) -> Retrieval:
        scores = self.scores(text)
        best = np.full(len(self._service_ids), 0.0)
        np.maximum.at(best, self._service_of, scores)
        if self.tuning.second_weight:
            # A service whose second-best passage also fits beats one with a single stray match.
            second = np.full(len(self._service_ids), 0.0)
            masked = np.where(scores >= best[self._service_of], -np.inf, scores)
            np.maximum.at(second, self._service_of, np.maximum(masked, 0.0))
            best = best + self.tuning.second_weight * second
        order = np.argsort(-best, kind="stable")
        services = [(self._service_ids[i], float(best[i])) for i in order if best[i] > 0]
        top = np.argsort(-scores, kind="stable")[:10]
        passages = [(self.passages[i], float(scores[i])) for i in top if scores[i] > 0]
        features = self.features(text, services)
        return Retrieval(services, passages, self.decide(features), features, text, scores)

    def decide(self, features: np.ndarray, tuning: Tuning | None = None) -> bool:
        """In scope when the out-of-scope model (with these or the loaded weights) says so."""
        return (tuning or self.tuning).scope.in_scope(features)

    def faq_ranking(self, retrieval: Retrieval, service_id: str) -> list[str]:
        """The service's FAQ entry ids, the one that answers the question best first."""
        return [p.key for p in self.faq_passages(retrieval, service_id)]

    def faq_passages(self, retrieval: Retrieval, service_id: str) -> list[Passage]:
        """The service's FAQ entries ranked by what the question asks: BM25 of its words over each entry's
        question and paraphrases, both without the words of the service's name (every generic entry
        repeats the name, so the name would decide between the fee and the amount), then the full score."""
        rows = self._faq_of.get(service_id, [])
        if not rows:
            return []
        topic = self._topic_words[service_id]
        prepared = self.lexicon.correct(nlp.normalise(retrieval.query))
        query = [w for w in (self._fix(w) for w in nlp.asking_words(prepared)) if w not in topic]
        grams = nlp.trigrams(" ".join(query))
        asked = np.zeros(len(self._intent_of))
        if query:
            asked += self._intent_words.get_scores(query)
        if grams:
            asked += self._intent_grams.get_scores(grams) / len(grams) * 10
        intent = np.zeros(len(self.passages))
        np.maximum.at(intent, self._intent_of, asked)  # an entry scores as its best-fitting phrasing
        full = retrieval.scores if len(retrieval.scores) else self.scores(retrieval.query)
        best = max(float(full[i]) for i in rows) or 1.0
        ranked = sorted(rows, key=lambda i: -(intent[i] + self.tuning.faq_full_weight * full[i] / best))
        return [self.passages[i] for i in ranked]

    def best_passage(self, retrieval: Retrieval, service_id: str) -> Passage | None:
        """The best FAQ entry of the service; else the service overview."""
        faq = self.faq_passages(retrieval, service_id)
        if faq:
            return faq[0]
        hits = [p for p, _ in retrieval.passages if p.service_id == service_id]
        return hits[0] if hits else None
