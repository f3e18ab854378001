"""Thai-aware search, pure."""

from __future__ import annotations

from pracha.textsearch import SearchIndex, terms


def test_thai_is_cut_into_words_not_on_spaces() -> None:
    t = terms("ขอย้ายทะเบียนบ้านครับ")
    assert "ย้าย" in t and "ทะเบียนบ้าน" in t
    assert "ครับ" not in t and "ขอ" not in t  # particles and stop-words carry no meaning here
    assert "ทะเบียน" in t and t["ทะเบียน"] < t["ทะเบียนบ้าน"]  # a compound's parts count, less


def test_thai_digits_and_english() -> None:
    assert "60" in terms("อายุ ๖๐ ปี")
    assert set(terms("Moving houses")) == set(terms("move house"))  # stemmed alike


def test_index_ranks_and_drops_noise() -> None:
    index = SearchIndex([[("แจ้งย้ายที่อยู่", 3.0)], [("แจ้งเกิด", 3.0)], [("ขออนุญาตก่อสร้างอาคาร", 3.0)]])
    assert [i for _, i in index.search("ย้ายบ้าน")] == [0]
    assert index.search("") == [] and index.search("xyzzy") == []
    assert index.search("แจ้ง", limit=0) == []
