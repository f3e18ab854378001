"""The FAQ and the evaluation data: enough FAQ entries for every service, accurate to the catalogue,
and evaluation questions that do not repeat (or nearly repeat) an FAQ question."""

from __future__ import annotations

import difflib
from pathlib import Path

from pracha.assistant.knowledge import load_faq
from pracha.assistant.nlp import normalise
from pracha.services.catalog import Catalog, default_catalog_dir

ROOT = Path(__file__).resolve().parents[2]


def _questions(name: str) -> list[tuple[str, str]]:
    rows = []
    for line in (ROOT / "bench" / "data" / name).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            label, question = line.split("\t", 1)
            rows.append((label, question))
    return rows


def test_faq_covers_every_service(catalog: Catalog) -> None:
    faq = load_faq(default_catalog_dir() / "faq", catalog)
    assert len(faq) >= 150
    for service_id in catalog.services:
        assert sum(p.service_id == service_id for p in faq) >= 15
    fees = {p.service_id: p.answer.th for p in faq if p.key.endswith("-fee")}
    assert "50 บาท" in fees["commercial-registration"] and "20 บาท" in fees["building-permit"]


def test_eval_set_is_large_enough_and_a_fifth_out_of_scope(catalog: Catalog) -> None:
    rows = _questions("assistant_dev.tsv")
    assert len(rows) >= 200
    assert {label for label, _ in rows} <= set(catalog.services) | {"-"}
    share = sum(label == "-" for label, _ in rows) / len(rows)
    assert 0.18 <= share <= 0.25


def test_eval_questions_are_not_copied_from_the_faq(catalog: Catalog) -> None:
    faq = [normalise(q).replace(" ", "") for p in load_faq(default_catalog_dir() / "faq", catalog)
           for q in (p.question.th, p.question.en)]
    tune = {normalise(q) for _, q in _questions("assistant_tune.tsv")}
    for _, question in _questions("assistant_dev.tsv"):
        mine = normalise(question).replace(" ", "")
        assert normalise(question) not in tune, question
        for other in faq:
            assert difflib.SequenceMatcher(None, mine, other).ratio() < 0.85, (question, other)
