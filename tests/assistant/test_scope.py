"""The out-of-scope model: the fit learns a separable rule, the weights survive the YAML round trip,
and with the shipped weights short everyday questions are answered while questions about other
government business are refused (examples written for this test, not taken from the eval set)."""

from __future__ import annotations

import numpy as np
import pytest

from pracha.assistant.dialogue import Assistant
from pracha.assistant.scope import FEATURES, ScopeModel, fit, rarity
from pracha.services.catalog import Catalog, default_catalog_dir


@pytest.fixture(scope="module")
def assistant(catalog: Catalog) -> Assistant:
    return Assistant(catalog, default_catalog_dir())


def test_fit_learns_a_separable_rule_and_round_trips() -> None:
    rng = np.random.default_rng(7)
    x = rng.normal(size=(200, len(FEATURES)))
    y = (x[:, 0] + 0.5 * x[:, 4] > 0).astype(float)
    model = fit(x, y)
    assert np.mean([model.in_scope(row) == bool(t) for row, t in zip(x, y, strict=True)]) > 0.95
    again = ScopeModel.from_dict(model.to_dict())
    assert [again.in_scope(row) for row in x[:50]] == [model.in_scope(row) for row in x[:50]]
    assert ScopeModel().probability(x[0]) == 0.5  # no weights: undecided, never a crash


def test_rarity_orders_everyday_and_rare_words() -> None:
    assert rarity("เอา") < 0.5 < rarity("พาสปอร์ต") < rarity("ไม่มีคำนี้ในคลังแน่นอน") <= 1.0


@pytest.mark.parametrize(("question", "service_id"), [
    ("ลูกเพิ่งเกิด แจ้งเกิดที่ไหน", "birth-registration"),
    ("ย้ายทะเบียนบ้านใช้อะไรบ้าง", "change-of-address"),
    ("เบี้ยคนแก่ลงทะเบียนยังไง", "elderly-allowance"),
    ("จดทะเบียนร้านค้าที่ไหน", "commercial-registration"),
])
def test_short_everyday_questions_are_answered(assistant: Assistant, question: str, service_id: str) -> None:
    assert assistant.index.search(question).service_id == service_id


@pytest.mark.parametrize("question", ["ต่อภาษีรถยนต์ประจำปี", "ขอใบอนุญาตเลี้ยงไก่ชน", "จองตั๋วเครื่องบินไปภูเก็ต",
                                      "how do I apply for a fishing licence"])
def test_other_government_business_is_refused(assistant: Assistant, question: str) -> None:
    found = assistant.index.search(question)
    assert not found.in_scope and found.service_id is None, found.features
