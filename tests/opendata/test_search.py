"""package_search over a real catalogue on both engines: Thai words, fq terms, facets, sorting, paging,
private and deleted datasets left out, and the index following every committed change."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.orm import Session

from pracha.config import Settings
from pracha.opendata import catalogue, search, search_query
from pracha.opendata.errors import PackageInvalid
from pracha.opendata.publishers import SYSTEM_PUBLISHER
from pracha.services.catalog import Catalog
from pracha.web.app import create_app


def dataset(name: str, title: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "title": title, "owner_org": "cm-elderly-welfare", "license_id": "Open Data Common",
            "notes": "ข้อมูลตัวอย่างสำหรับการทดสอบ", "data_type": "ข้อมูลสถิติ", "objective": ["พันธกิจหน่วยงาน"],
            "update_frequency_unit": "เดือน", "update_frequency_interval": 1, "geo_coverage": "ตำบล",
            "data_source": "เทศบาลนครเชียงใหม่", "data_format": ["CSV"], "data_category": "ข้อมูลสาธารณะ",
            "disclosure": "เปิดเผย", "maintainer": "ฝ่ายสวัสดิการสังคม", "maintainer_email": "welfare@cmcity.go.th",
            **extra}


@pytest.fixture
def od(settings: Settings, catalog: Catalog) -> catalogue.OpenData:
    return catalogue.OpenData(catalog, settings.catalog_dir.resolve(), "http://testserver/")


@pytest.fixture
def session(settings: Settings) -> Iterator[Session]:
    app = create_app(settings)
    with app.state.pracha.db.sessions() as session:
        yield session


@pytest.fixture
def published(session: Session, od: catalogue.OpenData) -> Session:
    rows = [
        dataset("elderly-allowance-by-subdistrict", "ผู้รับเบี้ยยังชีพผู้สูงอายุ จำแนกตามตำบล เมืองเชียงใหม่",
                tags=["ผู้สูงอายุ", "สวัสดิการ"], groups=["population"], title_en="Elderly allowance recipients"),
        dataset("building-permits-by-month", "ใบอนุญาตก่อสร้างอาคาร รายเดือน", owner_org="cm-building-control",
                tags=["ก่อสร้าง"], groups=["city"], geo_coverage="เทศบาล/อบต.",
                resources=[{"name": "ลิงก์ข้อมูล", "url": "https://example.go.th/permits.pdf", "format": "PDF"}]),
        dataset("food-shops", "ร้านอาหารที่ได้รับใบอนุญาต", owner_org="cm-city-health", tags=["อาหาร", "สวัสดิการ"],
                groups=["health", "economy"], data_type="ข้อมูลระเบียน"),
        dataset("private-draft", "ร่างข้อมูลผู้สูงอายุ", private=True),
        dataset("to-delete", "ข้อมูลผู้สูงอายุที่ถูกลบ"),
    ]
    for row in rows:
        catalogue.create_package(session, od, SYSTEM_PUBLISHER, row)
    catalogue.delete_package(session, SYSTEM_PUBLISHER, "to-delete")
    session.commit()
    return session


def names(result: dict[str, Any]) -> list[str]:
    return [p["name"] for p in result["results"]]


def test_a_thai_word_finds_the_dataset_that_holds_it(published: Session, od: catalogue.OpenData) -> None:
    result = search.package_search(published, od, {"q": "ผู้สูงอายุ"})
    assert names(result) == ["elderly-allowance-by-subdistrict"]  # not the private nor the deleted one
    assert result["count"] == 1
    assert sorted(names(search.package_search(published, od, {"q": "ใบอนุญาต"}))) == [
        "building-permits-by-month", "food-shops"]
    assert search.package_search(published, od, {"q": "elderly allowance"})["count"] == 1
    assert search.package_search(published, od, {"q": "ดาวอังคาร"})["count"] == 0


def test_blank_query_lists_every_public_dataset_newest_first(published: Session, od: catalogue.OpenData) -> None:
    result = search.package_search(published, od, {})
    assert names(result) == ["food-shops", "building-permits-by-month", "elderly-allowance-by-subdistrict"]
    assert search.package_search(published, od, {"q": "*:*", "sort": "name asc"})["results"][0]["name"] == \
        "building-permits-by-month"


def test_fq_terms_filter_and_facets_count(published: Session, od: catalogue.OpenData) -> None:
    result = search.package_search(published, od, {
        "fq": 'tags:"สวัสดิการ" dataset_type:dataset', "facet.field": '["organization", "groups", "res_format"]'})
    assert sorted(names(result)) == ["elderly-allowance-by-subdistrict", "food-shops"]
    assert result["facets"]["organization"] == {"cm-elderly-welfare": 1, "cm-city-health": 1}
    assert result["facets"]["groups"] == {"economy": 1, "health": 1, "population": 1}
    items = result["search_facets"]["organization"]["items"]
    assert {i["name"]: i["display_name"] for i in items}["cm-city-health"] == od.catalog.agencies[
        "cm-city-health"].name.th
    assert names(search.package_search(published, od, {"fq": "-organization:cm-city-health tags:สวัสดิการ"})) == [
        "elderly-allowance-by-subdistrict"]
    assert names(search.package_search(published, od, {"fq": "res_format:PDF"})) == ["building-permits-by-month"]
    assert sorted(names(search.package_search(published, od, {"fq": "groups:(health OR city)"}))) == [
        "building-permits-by-month", "food-shops"]
    assert search.package_search(published, od, {"q": "organization:cm-city-health"})["count"] == 1
    assert search.package_search(published, od, {"fq": "dataset_type:harvest"})["count"] == 0


def test_paging_and_row_limits(published: Session, od: catalogue.OpenData) -> None:
    first = search.package_search(published, od, {"rows": 2, "start": 0})
    second = search.package_search(published, od, {"rows": "2", "start": "2"})
    assert first["count"] == second["count"] == 3
    assert len(first["results"]) == 2 and len(second["results"]) == 1
    assert len(search.package_search(published, od, {"rows": 10**9})["results"]) == 3  # capped, not refused


@pytest.mark.parametrize("params", [{"rows": "x"}, {"rows": -1}, {"start": "1.5"}])
def test_bad_numbers_are_validation_errors(published: Session, od: catalogue.OpenData,
                                           params: dict[str, Any]) -> None:
    with pytest.raises(PackageInvalid):
        search.package_search(published, od, params)


@pytest.mark.parametrize("params", [{"fq": "secret_field:x"}, {"fq": "organization"}, {"sort": "title sideways"},
                                    {"sort": "password desc"}, {"facet.field": "[1]"}, {"facet.field": '["nope"]'},
                                    {"q": ["a"]}])
def test_unreadable_queries_are_search_query_errors(published: Session, od: catalogue.OpenData,
                                                    params: dict[str, Any]) -> None:
    with pytest.raises(search_query.SearchQueryInvalid):
        search.package_search(published, od, params)


def test_the_index_follows_each_committed_change(published: Session, od: catalogue.OpenData) -> None:
    assert search.package_search(published, od, {"q": "น้ำท่วม"})["count"] == 0
    catalogue.create_package(published, od, SYSTEM_PUBLISHER, dataset("flood-points", "จุดเสี่ยงน้ำท่วม"))
    published.commit()
    assert names(search.package_search(published, od, {"q": "น้ำท่วม"})) == ["flood-points"]
    catalogue.update_package(published, od, SYSTEM_PUBLISHER, "flood-points", {"private": True}, partial=True)
    published.commit()
    assert search.package_search(published, od, {"q": "น้ำท่วม"})["count"] == 0


def test_remembered_answers_follow_each_committed_change(published: Session, od: catalogue.OpenData) -> None:
    params = {"q": "ผู้สูงอายุ", "facet.field": '["organization"]'}
    first = search.package_search_json(published, od, params)
    assert search.package_search_json(published, od, dict(params)) is first  # asked again: from memory
    assert json.loads(first) == search.package_search(published, od, params)
    catalogue.create_package(published, od, SYSTEM_PUBLISHER, dataset("elderly-clubs", "ชมรมผู้สูงอายุ"))
    published.commit()
    assert json.loads(search.package_search_json(published, od, params))["count"] == 2


def test_remembered_answers_are_bounded_in_bytes(published: Session, od: catalogue.OpenData,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "ANSWER_MAX_BYTES", 10)  # every answer here is bigger: none is kept
    first = search.package_search_json(published, od, {"q": "สวัสดิการ", "rows": 3})
    assert search.package_search_json(published, od, {"q": "สวัสดิการ", "rows": 3}) is not first
    monkeypatch.setattr(search, "ANSWER_MAX_BYTES", 10**6)
    monkeypatch.setattr(search, "ANSWERS_BYTES", len(first) + 1)  # room for one answer at a time
    kept = search.package_search_json(published, od, {"q": "สวัสดิการ", "rows": 3})
    assert search.package_search_json(published, od, {"q": "สวัสดิการ", "rows": 3}) is kept
    search.package_search_json(published, od, {"q": "สวัสดิการ", "rows": 2})  # pushes the first one out
    assert search.package_search_json(published, od, {"q": "สวัสดิการ", "rows": 3}) is not kept
