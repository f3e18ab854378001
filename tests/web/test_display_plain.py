"""Every service in plain words: a few short everyday sentences (Thai and English), shown first under
the title of its page."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from pythainlp.tokenize import word_tokenize

from pracha.services.catalog import Catalog

MAX_WORDS = 25  # per sentence, Thai words as the catalogue search counts them (newmm)


def thai_words(sentence: str) -> list[str]:
    return [w for w in word_tokenize(sentence, engine="newmm", keep_whitespace=False) if w.strip()]


def test_every_service_has_a_plain_summary_of_short_sentences(catalog: Catalog) -> None:
    assert len(catalog.services) == 12
    for service in catalog.services.values():
        plain = service.plain
        assert plain is not None, service.id
        assert 3 <= len(plain.th) <= 5 and 3 <= len(plain.en) <= 5, service.id
        for sentence in plain.th:
            assert len(thai_words(sentence)) <= MAX_WORDS, (service.id, sentence)
            assert re.search("[\u0e00-\u0e7f]", sentence), (service.id, sentence)
        for sentence in plain.en:
            assert len(sentence.split()) <= MAX_WORDS, (service.id, sentence)


def test_plain_figures_come_from_the_service_itself(catalog: Catalog) -> None:
    """No invented facts: every number in a plain sentence appears in the service's own text."""
    for service in catalog.services.values():
        assert service.plain is not None
        facts = " ".join([service.summary.th, service.description.th, str(service.sla_days), str(service.fee_amount),
                          service.fee_note.th if service.fee_note else "", *(e.th for e in service.eligibility),
                          *(d.name.th for d in service.documents)])
        for number in re.findall(r"\d[\d,.]*\d|\d", " ".join(service.plain.th)):
            assert number in facts, (service.id, number)


@pytest.mark.parametrize("lang", ["th", "en"])
def test_the_plain_summary_comes_first_on_the_service_page(client: TestClient, catalog: Catalog, lang: str) -> None:
    service = catalog.services["elderly-allowance"]
    assert service.plain is not None
    page = client.get(f"/services/{service.id}?lang={lang}").text
    first = service.plain.get(lang)[0]
    assert page.index("<h1>") < page.index(first) < page.index(service.summary.get(lang))
    assert page.index(first) < page.index(service.description.get(lang))
    assert ("โดยสรุป" if lang == "th" else "In short") in page
