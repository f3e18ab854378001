"""Is a question inside what Pracha knows? A tiny logistic model over a few features of the question
and of its retrieval (see ``FEATURES``), with its weights in ``catalog/assistant/tuning.yaml``.

The weights are fitted by ``bench/assistant_eval.py --tune`` on the tuning questions only (never on
the evaluation set) with :func:`fit`: plain gradient descent with an L2 penalty on standardised
features, numpy only. Pure: no database, no downloads (word rarity comes from the Thai National
Corpus frequency list that ships inside PyThaiNLP).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
from pythainlp.corpus import tnc

FEATURES = (
    "score",  # log(1 + best service's score)
    "lead",  # (best - second) / best
    "known",  # share of the question's words the index's core vocabulary or the lexicon knows
    "service_words",  # share of the question's words found in the best service's own passages
    "cue",  # 1 when a colloquial phrase or an in-domain cue word of the lexicon occurs
    "unknown",  # share of the question's whole words that the index has never seen
    "rarest_unknown",  # how rare in everyday Thai the rarest such word is (0..1; 0 when none)
)
_MAX_SURPRISAL = 18.0


@lru_cache(maxsize=1)
def _frequencies() -> tuple[dict[str, int], int]:
    freqs = dict(tnc.word_freqs())
    return freqs, sum(freqs.values())


def rarity(word: str) -> float:
    """Near 0 for the commonest words of written Thai, near 1 (0.96) for words the corpus never saw."""
    freqs, total = _frequencies()
    return min(1.0, -math.log((freqs.get(word, 0) + 1) / total) / _MAX_SURPRISAL)


@dataclass(frozen=True)
class ScopeModel:
    weights: tuple[float, ...] = field(default_factory=lambda: (0.0,) * len(FEATURES))
    bias: float = 0.0
    cut: float = 0.5  # in scope when the probability reaches this

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> ScopeModel:
        if not data:
            return cls()
        named = data.get("weights") or {}
        return cls(tuple(float(named.get(name, 0.0)) for name in FEATURES), float(data.get("bias", 0.0)),
                   float(data.get("cut", 0.5)))

    def to_dict(self) -> dict[str, Any]:
        return {"bias": round(self.bias, 4), "cut": round(self.cut, 3),
                "weights": {name: round(w, 4) for name, w in zip(FEATURES, self.weights, strict=True)}}

    def probability(self, features: np.ndarray) -> float:
        z = self.bias + float(np.dot(self.weights, features))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def in_scope(self, features: np.ndarray) -> bool:
        return self.probability(features) >= self.cut


def fit(x: np.ndarray, y: np.ndarray, l2: float = 0.05, steps: int = 4000, rate: float = 0.5) -> ScopeModel:
    """Logistic regression of ``y`` (1 = in scope) on the rows of ``x``; weights on the raw scale."""
    mean, std = x.mean(axis=0), x.std(axis=0)
    std[std == 0] = 1.0
    z = (x - mean) / std
    w, b = np.zeros(x.shape[1]), 0.0
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(z @ w + b)))
        w -= rate * ((z.T @ (p - y)) / len(y) + l2 * w)
        b -= rate * float(np.mean(p - y))
    raw = w / std
    return ScopeModel(tuple(float(v) for v in raw), float(b - np.dot(raw, mean)))
