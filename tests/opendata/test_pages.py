"""The /data pages through the ASGI app on both engines: the search with facets and Thai text, a dataset's
page (Thai metadata, preview, versions, JSON-LD), privacy of private datasets, and the publisher's forms
(create a dataset, upload a CSV with an error, then a valid one)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.calendar import format_datetime
from pracha.config import Settings
from pracha.identity.models import AGENCY_ADMIN, OFFICER
from pracha.opendata import catalogue
from pracha.opendata.catalogue import OpenData, Upload
from pracha.opendata.models import OpenDataset
from pracha.opendata.publishers import SYSTEM_PUBLISHER
from pracha.services.catalog import Catalog
from tests.factories import create_citizen, create_staff, sign_in

AGENCY = "cm-elderly-welfare"
ELDERLY_CSV = "ตำบล,ผู้รับเบี้ย\nศรีภูมิ,812\nพระสิงห์,655\nช้างม่อย,431\n".encode()


def package(name: str, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": name, "title": "ผู้รับเบี้ยยังชีพผู้สูงอายุ รายตำบล", "title_en": "Elderly allowance recipients",
        "notes": "จำนวนผู้รับเบี้ยยังชีพผู้สูงอายุในอำเภอเมืองเชียงใหม่ แยกตามตำบล", "owner_org": AGENCY,
        "license_id": "Open Data Common", "data_type": "ข้อมูลสถิติ", "objective": ["เพื่อการให้บริการประชาชน"],
        "update_frequency_unit": "เดือน", "update_frequency_interval": 1, "geo_coverage": "ตำบล",
        "data_source": "กองสวัสดิการสังคม เทศบาลนครเชียงใหม่", "data_format": ["CSV"],
        "data_category": "ข้อมูลสาธารณะ", "disclosure": "เปิดเผย", "maintainer": "ฝ่ายสถิติ",
        "maintainer_email": "stat@example.go.th", "tags": ["ผู้สูงอายุ", "เบี้ยยังชีพ"], "groups": ["population"]}
    values.update(overrides)
    return values


@pytest.fixture
def od(settings: Settings, catalog: Catalog) -> OpenData:
    return OpenData(catalog, settings.catalog_dir.resolve(), "http://testserver/")


def publish(db: Session, od: OpenData, name: str, csv: bytes | None = ELDERLY_CSV, *, link: bool = False,
            **overrides: Any) -> OpenDataset:
    dataset = catalogue.create_package(db, od, SYSTEM_PUBLISHER, package(name, **overrides))
    if link:
        catalogue.add_resource(db, od, SYSTEM_PUBLISHER, dataset,
                               {"name": "ไฟล์ต้นฉบับ", "url": "https://data.example.go.th/elderly.csv", "format": "CSV"})
    if csv is not None:
        catalogue.add_resource(db, od, SYSTEM_PUBLISHER, dataset, {"name": "ข้อมูลรายตำบล"},
                               Upload("elderly.csv", csv, "text/csv"))
    db.commit()
    return dataset


def form_of(values: dict[str, Any], csrf: str) -> list[tuple[str, str]]:
    """A dataset dict as the publisher's form posts it (lists as repeated fields, tags comma-joined)."""
    fields: list[tuple[str, str]] = [("csrf_token", csrf)]
    for key, value in values.items():
        if key == "tags":
            fields.append(("tags", ", ".join(value)))
        elif isinstance(value, list):
            fields.extend((key, v) for v in value)
        else:
            fields.append((key, str(value)))
    return fields


def test_dataset_page_shows_thai_metadata_resources_and_versions(client: TestClient, db: Session,
                                                                 od: OpenData) -> None:
    dataset = publish(db, od, "elderly-by-subdistrict")
    dataset.privacy = {"method": "small-cell suppression", "k": 10, "unit": "distinct people", "secondary": True}
    resource = dataset.resources[0]
    catalogue.update_resource(db, od, SYSTEM_PUBLISHER, resource.id, {},
                              Upload("elderly.csv", ELDERLY_CSV + "สุเทพ,700\n".encode(), "text/csv"))
    db.commit()
    page = client.get("/data/dataset/elderly-by-subdistrict")
    assert page.status_code == 200
    html = page.text
    assert "ผู้รับเบี้ยยังชีพผู้สูงอายุ รายตำบล" in html
    for label in ("ประเภทชุดข้อมูล", "วัตถุประสงค์", "หน่วยความถี่ของการปรับปรุงข้อมูล", "แหล่งที่มา",
                  "ระดับชั้นข้อมูล", "หมวดหมู่ข้อมูลตามธรรมาภิบาลข้อมูลภาครัฐ", "ผู้ติดต่อ"):
        assert label in html
    assert "ข้อมูลสถิติ" in html and "กองสวัสดิการสังคม เทศบาลนครเชียงใหม่" in html
    assert resource.sha256 is not None and resource.sha256 in html  # the current version's fingerprint
    assert html.count("<code class=\"hash\">") >= 3  # the resource's, and both versions'
    for number in (1, 2):  # each version's receipt and download
        assert f"/api/v1/opendata/resources/{resource.id}/versions/{number}/receipt" in html
        assert f"/data/dataset/elderly-by-subdistrict/resource/{resource.id}/v/{number}" in html
    assert format_datetime(resource.versions[0].published_at, "th") in html  # in Thai, not ISO
    assert "package_show?id=elderly-by-subdistrict" in html and "RemoteCKAN" in html
    assert f"datastore_search?resource_id={resource.id}" in html
    assert re.search(r"<table class=\"preview\">.*ศรีภูมิ.*812", html, re.S)  # the preview table
    assert "การคุ้มครองความเป็นส่วนตัว" in html and "น้อยกว่า 10 คน" in html  # the privacy method, in words
    chart = re.search(r'<figure class="chart">(.*?)</figure>', html, re.S)  # the chart, inline, no script
    assert chart is not None and "<svg" in chart.group(1) and "<script" not in chart.group(1)
    english = client.get("/data/dataset/elderly-by-subdistrict?lang=en").text
    assert "Dataset type" in english and "Statistics" in english and "Elderly allowance recipients" in english


def test_dataset_page_embeds_its_json_ld(client: TestClient, db: Session, od: OpenData) -> None:
    publish(db, od, "elderly-jsonld", csv=None)
    html = client.get("/data/dataset/elderly-jsonld").text
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert found is not None
    document = json.loads(found.group(1))
    assert "elderly-jsonld" in json.dumps(document, ensure_ascii=False)


def test_private_dataset_is_404_to_the_public_and_visible_to_its_publisher(
        make_client: Any, db: Session, od: OpenData) -> None:
    publish(db, od, "elderly-private", csv=None, private=True)
    assert make_client().get("/data/dataset/elderly-private").status_code == 404
    citizen = make_client()
    sign_in(db, citizen, create_citizen(db))
    assert citizen.get("/data/dataset/elderly-private").status_code == 404
    officer = make_client()  # staff of the agency, but not its publisher
    sign_in(db, officer, create_staff(db, OFFICER, AGENCY))
    assert officer.get("/data/dataset/elderly-private").status_code == 404
    other_admin = make_client()
    sign_in(db, other_admin, create_staff(db, AGENCY_ADMIN, "cm-building-control"))
    assert other_admin.get("/data/dataset/elderly-private").status_code == 404
    admin = make_client()
    sign_in(db, admin, create_staff(db, AGENCY_ADMIN, AGENCY))
    page = admin.get("/data/dataset/elderly-private")
    assert page.status_code == 200 and "Not public" not in page.text and "ไม่เผยแพร่ต่อสาธารณะ" in page.text
    assert "elderly-private" in admin.get("/data/publish").text


def test_deleted_and_personal_datasets_are_404(client: TestClient, db: Session, od: OpenData) -> None:
    publish(db, od, "elderly-deleted", csv=None)
    catalogue.delete_package(db, SYSTEM_PUBLISHER, "elderly-deleted")
    publish(db, od, "elderly-personal", csv=None, private=True, data_category="ข้อมูลส่วนบุคคล")
    db.commit()
    assert client.get("/data/dataset/elderly-deleted").status_code == 404
    assert client.get("/data/dataset/elderly-personal").status_code == 404
    assert client.get("/data/dataset/no-such-dataset").status_code == 404


def test_publisher_creates_a_dataset_then_uploads_a_csv_with_an_error_then_a_valid_one(
        client: TestClient, db: Session) -> None:
    admin = create_staff(db, AGENCY_ADMIN, AGENCY)
    csrf = sign_in(db, client, admin)
    assert client.get("/data/publish/new").status_code == 200
    values = package("elderly-new", groups=["population"])
    values.pop("title_en")
    missing = client.post("/data/publish/new", data=dict(form_of({**values, "maintainer_email": "nope"}, csrf)))
    assert missing.status_code == 422
    assert 'id="error-maintainer_email"' in missing.text and "อีเมลไม่ถูกต้อง" in missing.text
    assert 'value="ฝ่ายสถิติ"' in missing.text  # what was typed is kept
    created = client.post("/data/publish/new", data=dict(form_of(values, csrf)), follow_redirects=False)
    assert created.status_code == 303 and created.headers["location"] == "/data/dataset/elderly-new?saved=1"
    dataset = db.scalar(select(OpenDataset).where(OpenDataset.name == "elderly-new"))
    assert dataset is not None and dataset.objective == ["เพื่อการให้บริการประชาชน"] and dataset.tags == [
        "ผู้สูงอายุ", "เบี้ยยังชีพ"] and dataset.created_by == f"user:{admin.id}"

    bad = "ตำบล,ผู้รับเบี้ย\nศรีภูมิ,812\nพระสิงห์\n".encode()  # row 3 lacks its count
    refused = client.post("/data/dataset/elderly-new/resource/new", data={"csrf_token": csrf, "name": "รายตำบล"},
                          files={"file": ("elderly.csv", bad, "text/csv")})
    assert refused.status_code == 422
    assert '<table class="table-errors">' in refused.text and "Traceback" not in refused.text
    errors = re.search(r'<table class="table-errors">.*?</table>', refused.text, re.S)
    assert errors is not None and "ผู้รับเบี้ย" in errors.group(0) and re.search(r"<td>\s*3\s*</td>", errors.group(0))
    db.expire_all()
    assert db.scalar(select(OpenDataset).where(OpenDataset.name == "elderly-new")).resources == []  # type: ignore[union-attr]

    done = client.post("/data/dataset/elderly-new/resource/new", data={"csrf_token": csrf, "name": "รายตำบล"},
                       files={"file": ("elderly.csv", ELDERLY_CSV, "text/csv")}, follow_redirects=False)
    assert done.status_code == 303
    page = client.get("/data/dataset/elderly-new")
    assert "รายตำบล" in page.text and "พระสิงห์" in page.text  # the preview of the loaded table


def test_publisher_edits_and_deletes_with_confirmation(client: TestClient, db: Session, od: OpenData) -> None:
    publish(db, od, "elderly-edit", csv=None)
    csrf = sign_in(db, client, create_staff(db, AGENCY_ADMIN, AGENCY))
    form = client.get("/data/dataset/elderly-edit/edit")
    assert form.status_code == 200 and 'value="elderly-edit"' in form.text
    changed = client.post("/data/dataset/elderly-edit/edit", follow_redirects=False,
                          data=dict(form_of(package("elderly-edit", title="ผู้รับเบี้ยยังชีพ (ปรับปรุง)"), csrf)))
    assert changed.status_code == 303
    assert "ผู้รับเบี้ยยังชีพ (ปรับปรุง)" in client.get("/data/dataset/elderly-edit").text
    assert client.get("/data/dataset/elderly-edit/delete").status_code == 200
    gone = client.post("/data/dataset/elderly-edit/delete", data={"csrf_token": csrf}, follow_redirects=False)
    assert gone.status_code == 303
    assert client.get("/data/dataset/elderly-edit").status_code == 404


def test_publisher_uploads_a_new_version_and_the_old_one_stays(client: TestClient, db: Session,
                                                              od: OpenData) -> None:
    dataset = publish(db, od, "elderly-monthly", link=True)
    link, table = dataset.resources
    csrf = sign_in(db, client, create_staff(db, AGENCY_ADMIN, AGENCY))
    page = client.get("/data/dataset/elderly-monthly")
    assert f'/resource/{table.id}/version"' in page.text and f'/resource/{link.id}/version"' not in page.text
    assert client.get(f"/data/dataset/elderly-monthly/resource/{link.id}/version").status_code == 404  # a link
    form = client.get(f"/data/dataset/elderly-monthly/resource/{table.id}/version")
    assert form.status_code == 200 and 'type="file"' in form.text
    empty = client.post(f"/data/dataset/elderly-monthly/resource/{table.id}/version", data={"csrf_token": csrf})
    assert empty.status_code == 422 and "กรุณาเลือกไฟล์" in empty.text
    bad = client.post(f"/data/dataset/elderly-monthly/resource/{table.id}/version", data={"csrf_token": csrf},
                      files={"file": ("elderly.csv", "ตำบล,ผู้รับเบี้ย\nศรีภูมิ,812\nพระสิงห์\n".encode(), "text/csv")})
    assert bad.status_code == 422 and '<table class="table-errors">' in bad.text
    march = "ตำบล,ผู้รับเบี้ย\nศรีภูมิ,820\nพระสิงห์,660\n".encode()
    done = client.post(f"/data/dataset/elderly-monthly/resource/{table.id}/version", data={"csrf_token": csrf},
                       files={"file": ("elderly-2569-03.csv", march, "text/csv")}, follow_redirects=False)
    assert done.status_code == 303
    db.expire_all()
    resource = db.get(type(table), table.id)
    assert resource is not None and [v.number for v in resource.versions] == [1, 2]  # the bad file made none
    assert resource.versions[0].content == ELDERLY_CSV and resource.versions[1].content == march
    assert "820" in client.get("/data/dataset/elderly-monthly").text  # the preview shows the new rows
    other = TestClient(client.app)
    sign_in(db, other, create_staff(db, AGENCY_ADMIN, "cm-building-control"))
    assert other.get(f"/data/dataset/elderly-monthly/resource/{table.id}/version").status_code == 403


def test_publisher_of_another_agency_cannot_edit(client: TestClient, db: Session, od: OpenData) -> None:
    publish(db, od, "elderly-theirs", csv=None)
    csrf = sign_in(db, client, create_staff(db, AGENCY_ADMIN, "cm-building-control"))
    assert client.get("/data/dataset/elderly-theirs/edit").status_code == 403
    assert client.post("/data/dataset/elderly-theirs/delete", data={"csrf_token": csrf}).status_code == 403
    refused = client.post("/data/publish/new", data=dict(form_of(package("mine-for-theirs"), csrf)))
    assert refused.status_code in (403, 422) and "Traceback" not in refused.text


def test_search_with_thai_words_facets_sort_and_pages(client: TestClient, db: Session, od: OpenData) -> None:
    publish(db, od, "elderly-search", csv=None, link=True)
    publish(db, od, "permits-by-month", csv=None, owner_org="cm-building-control", title="ใบอนุญาตก่อสร้างอาคาร รายเดือน",
            notes="จำนวนใบอนุญาตก่อสร้างที่ออกในแต่ละเดือน", tags=["ก่อสร้าง"], groups=["city"],
            data_type="ข้อมูลระเบียน")
    found = client.get("/data", params={"q": "ใบอนุญาตก่อสร้าง"})
    assert found.status_code == 200
    assert "/data/dataset/permits-by-month" in found.text and "/data/dataset/elderly-search" not in found.text
    everything = client.get("/data").text
    link = re.search(r'<a href="(/data\?organization=cm-building-control)">([^<]+)</a> <span class="muted">\(1\)',
                     everything)
    assert link is not None and link.group(2).strip() != "cm-building-control"  # the agency's Thai name
    filtered = client.get(link.group(1)).text
    assert "/data/dataset/permits-by-month" in filtered and "/data/dataset/elderly-search" not in filtered
    assert 'aria-current="true"' in filtered and 'href="/data"' in filtered  # the active item removes it
    csv_only = client.get("/data", params=[("res_format", "CSV"), ("tags", "ผู้สูงอายุ")]).text
    assert "/data/dataset/elderly-search" in csv_only and "/data/dataset/permits-by-month" not in csv_only
    english = client.get("/data", params={"data_type": "ข้อมูลสถิติ", "lang": "en"}).text
    assert "Statistics" in english and "/data/dataset/elderly-search" in english
    by_name = client.get("/data", params={"sort": "name"}).text
    assert by_name.index("elderly-search") < by_name.index("permits-by-month")
    for n in range(20):
        publish(db, od, f"page-filler-{n:02d}", csv=None, title=f"ชุดข้อมูลทดสอบ {n}")
    first = client.get("/data").text
    assert first.count('<li>\n      <h3>') == 20 and 'rel="next"' in first
    second = client.get("/data", params={"page": 2}).text
    assert second.count('<li>\n      <h3>') == 2 and 'rel="prev"' in second


def test_search_refuses_bad_input_politely(client: TestClient) -> None:
    assert client.get("/data", params={"page": 0}).status_code == 422
    odd = client.get("/data", params={"q": 'nosuchfield:"x"', "sort": "nonsense"})
    assert odd.status_code == 200 and "Traceback" not in odd.text
