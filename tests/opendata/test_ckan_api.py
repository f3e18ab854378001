"""The CKAN Action API through the app, on both engines: every action in CKAN's envelope, and each
error in CKAN's shape (the `__type` ckanapi maps back to its exceptions)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.opendata.models import OpenDataset, ResourceVersion
from tests.factories import create_staff, sign_in
from tests.opendata.conftest import AGENCY, Seeded, package

READS = ("status_show", "site_read", "package_list", "current_package_list_with_resources", "organization_list",
         "group_list", "tag_list", "license_list")


def ok(response: Any, action: str) -> Any:
    body = response.json()
    assert response.status_code == 200, body
    assert body["success"] is True
    assert body["help"] == f"http://testserver/api/3/action/help_show?name={action}"
    return body["result"]


def failed(response: Any, status: int, kind: str) -> dict[str, Any]:
    body = response.json()
    assert response.status_code == status, body
    assert body["success"] is False and "result" not in body
    assert body["error"]["__type"] == kind
    error: dict[str, Any] = body["error"]
    return error


def test_every_read_answers_in_the_envelope_on_both_paths_and_methods(client: TestClient, seeded: Seeded) -> None:
    for action in READS:
        for prefix in ("/api/3/action/", "/api/action/"):
            assert ok(client.get(prefix + action), action) == ok(client.post(prefix + action, json={}), action)
    status = ok(client.get("/api/3/action/status_show"), "status_show")
    assert status["ckan_version"] == "2.11.0" and status["locale_default"] == "th"
    assert status["extensions"] == ["datastore", "dcat"] and status["site_url"] == "http://testserver"
    assert ok(client.get("/api/3/action/site_read"), "site_read") is True
    # only public datasets: not the private draft, not the internal-use one
    assert ok(client.get("/api/3/action/package_list"), "package_list") == [
        "building-permits-by-month", "elderly-allowance-recipients"]
    assert ok(client.get("/api/3/action/package_list?limit=1&offset=1"), "package_list") == [
        "elderly-allowance-recipients"]
    newest = ok(client.get("/api/3/action/current_package_list_with_resources"), "current_package_list_with_resources")
    assert [p["name"] for p in newest] == ["building-permits-by-month", "elderly-allowance-recipients"]
    assert [r["name"] for r in newest[1]["resources"]] == ["ข้อมูล JSON", "หน้าเว็บหน่วยงาน"]
    assert ok(client.get("/api/3/action/tag_list"), "tag_list") == ["ผู้สูงอายุ", "อาคาร", "เบี้ยยังชีพ"]
    assert ok(client.get("/api/3/action/tag_list", params={"query": "เบี้ย"}), "tag_list") == ["เบี้ยยังชีพ"]
    licences = ok(client.get("/api/3/action/license_list"), "license_list")
    assert {"Open Data Common", "cc-by"} <= {lic["id"] for lic in licences}


def test_package_and_resource_show(client: TestClient, seeded: Seeded) -> None:
    by_name = ok(client.get("/api/3/action/package_show?id=elderly-allowance-recipients"), "package_show")
    by_id = ok(client.post("/api/action/package_show", json={"id": seeded.elderly_id}), "package_show")
    assert by_name == by_id
    assert by_name["title"] == "ผู้รับเบี้ยยังชีพผู้สูงอายุ จังหวัดเชียงใหม่ รายตำบล"
    assert by_name["data_category"] == "ข้อมูลสาธารณะ" and by_name["geo_coverage"] == "ตำบล"
    assert by_name["organization"]["name"] == AGENCY
    [upload, link] = by_name["resources"]
    assert upload["url_type"] == "upload" and upload["hash"].startswith("sha256:") and upload["version"] == 1
    assert link["url"] == "https://welfare.chiangmai.go.th/data"
    shown = ok(client.get(f"/api/3/action/resource_show?id={seeded.elderly_resource}"), "resource_show")
    assert shown == upload


def test_organizations_and_groups(client: TestClient, seeded: Seeded) -> None:
    orgs = ok(client.get("/api/3/action/organization_list?all_fields=true"), "organization_list")
    counts = {o["name"]: o["package_count"] for o in orgs}
    assert counts[AGENCY] == 1 and counts["cm-building-control"] == 1 and counts["pracha"] == 0
    org = ok(client.get(f"/api/3/action/organization_show?id={AGENCY}&include_datasets=true"), "organization_show")
    assert org["title"] and [p["name"] for p in org["packages"]] == ["elderly-allowance-recipients"]
    assert "packages" not in ok(client.get(f"/api/3/action/organization_show?id={AGENCY}"), "organization_show")
    groups = ok(client.get("/api/3/action/group_list", params={"all_fields": "true"}), "group_list")
    assert {g["name"]: g["package_count"] for g in groups}["population"] == 1
    group = ok(client.post("/api/3/action/group_show", json={"id": "city", "include_datasets": True}), "group_show")
    assert [p["name"] for p in group["packages"]] == ["building-permits-by-month"]
    assert "ไม่พบหน่วยงานนี้" in failed(client.get("/api/3/action/organization_show?id=nope"), 404,
                                        "Not Found Error")["message"]
    failed(client.get("/api/3/action/group_show?id=nope"), 404, "Not Found Error")


def test_package_search_finds_thai_words_with_filters_and_facets(client: TestClient, seeded: Seeded) -> None:
    everywhere = ok(client.get("/api/3/action/package_search", params={"q": "เชียงใหม่"}), "package_search")
    assert everywhere["count"] == 2  # both agencies are Chiang Mai's
    # Thai is written without spaces: the words are found inside one run of letters
    found = ok(client.get("/api/3/action/package_search", params={"q": "ผู้สูงอายุเชียงใหม่"}), "package_search")
    assert found["count"] == 1 and found["results"][0]["name"] == "elderly-allowance-recipients"
    faceted = ok(client.post("/api/3/action/package_search", json={
        "fq": "organization:cm-building-control", "facet.field": ["organization", "tags"]}), "package_search")
    assert [p["name"] for p in faceted["results"]] == ["building-permits-by-month"]
    assert faceted["facets"]["tags"] == {"อาคาร": 1}
    failed(client.get("/api/3/action/package_search", params={"fq": "nosuchfield:x"}), 409, "Search Query Error")


@pytest.mark.parametrize("query", ["action/package_search?rows=-1", "action/package_search?rows=x",
                                   "action/package_search?start=-5", "action/package_list?limit=5000",
                                   "action/package_list?limit=x", "action/package_list?offset=-1",
                                   "action/package_list?offset=99999999999999999999999999",
                                   "action/current_package_list_with_resources?limit=1001",
                                   "action/organization_list?all_fields=maybe", "action/package_show?id="])
def test_bad_numbers_and_types_are_validation_errors(client: TestClient, query: str) -> None:
    failed(client.get("/api/3/" + query), 409, "Validation Error")


def test_rows_are_capped_at_1000(client: TestClient, seeded: Seeded) -> None:
    found = ok(client.get("/api/3/action/package_search?rows=100000000"), "package_search")
    assert found["count"] == 2 and len(found["results"]) == 2


def test_error_shapes(client: TestClient, seeded: Seeded) -> None:
    error = failed(client.get("/api/3/action/no_such_action"), 400, "Bad Request")
    assert "Action name not known: no_such_action" in error["message"]
    failed(client.get("/api/3/action/package_show?id=no-such-dataset"), 404, "Not Found Error")
    failed(client.get(f"/api/3/action/package_show?id={seeded.private_id}"), 404, "Not Found Error")
    failed(client.get(f"/api/3/action/package_show?id={seeded.internal_id}"), 404, "Not Found Error")
    failed(client.get("/api/3/action/resource_show?id=nope"), 404, "Not Found Error")
    sql = failed(client.get("/api/3/action/datastore_search_sql?sql=SELECT 1"), 403, "Authorization Error")
    assert "use datastore_search with filters" in sql["message"] and sql["message"].startswith("ระบบนี้")
    # the JSON resource has no datastore table
    failed(client.get(f"/api/3/action/datastore_search?resource_id={seeded.elderly_resource}"), 404,
           "Not Found Error")
    failed(client.post("/api/3/action/package_show", content=b"{not json", headers={"Content-Type":
                                                                                     "application/json"}),
           400, "Bad Request")
    failed(client.post("/api/3/action/package_show", json=[1, 2]), 400, "Bad Request")
    failed(client.get("/api/3/action/package_create"), 400, "Bad Request")  # writes are POSTs
    failed(client.post("/api/3/action/package_show", json={"id": {"$gt": ""}}), 409, "Validation Error")


def test_writes_need_a_publishing_token(client: TestClient, db: Session, seeded: Seeded,
                                        tokens: dict[str, str]) -> None:
    new = package("welfare-offices")
    failed(client.post("/api/3/action/package_create", json=new), 403, "Authorization Error")
    failed(client.post("/api/3/action/package_create", json=new, headers={"Authorization": tokens["read"]}),
           403, "Authorization Error")
    failed(client.post("/api/3/action/package_create", json=new, headers={"Authorization": "pracha_wrong"}),
           403, "Authorization Error")
    # another agency's dataset: the token publishes for its own agency only
    failed(client.post("/api/3/action/package_patch", json={"id": "building-permits-by-month", "title": "x"},
                       headers={"Authorization": tokens["publish"]}), 403, "Authorization Error")
    failed(client.post("/api/3/action/package_create", json={**new, "owner_org": "cm-building-control"},
                       headers={"Authorization": tokens["publish"]}), 403, "Authorization Error")
    # the API ignores session cookies: a signed-in agency admin still needs a token
    sign_in(db, client, create_staff(db, "agency_admin", AGENCY))
    failed(client.post("/api/3/action/package_create", json=new), 403, "Authorization Error")
    assert db.scalar(select(OpenDataset).where(OpenDataset.name == "welfare-offices")) is None


def test_a_publisher_creates_changes_and_deletes_a_dataset(client: TestClient, db: Session, seeded: Seeded,
                                                           tokens: dict[str, str]) -> None:
    raw = {"Authorization": tokens["publish"]}
    created = ok(client.post("/api/3/action/package_create", json=package("welfare-offices"), headers=raw),
                 "package_create")
    assert created["name"] == "welfare-offices" and created["owner_org"] == AGENCY
    taken = failed(client.post("/api/3/action/package_create", json=package("welfare-offices"), headers=raw),
                   409, "Validation Error")
    assert taken["name"] == ["ชื่อ URL นี้ถูกใช้แล้ว (That URL is already in use.)"]
    invalid = failed(client.post("/api/3/action/package_create", json=package("x-y", data_type="ไม่มี"),
                                 headers=raw), 409, "Validation Error")
    assert list(invalid) == ["__type", "message", "data_type"]
    bearer = {"Authorization": f"Bearer {tokens['publish']}"}
    patched = ok(client.post("/api/3/action/package_patch", json={"id": "welfare-offices", "title_en": "Offices"},
                             headers=bearer), "package_patch")
    assert patched["title_en"] == "Offices" and patched["tags"] == created["tags"]
    updated = ok(client.post("/api/action/package_update", json={**package("welfare-offices"), "tags": []},
                             headers={"X-CKAN-API-Key": tokens["publish"]}), "package_update")
    assert updated["tags"] == [] and updated["title_en"] == created["title_en"]
    link = ok(client.post("/api/3/action/resource_create", json={
        "package_id": "welfare-offices", "name": "แผนที่", "url": "https://example.go.th/map"}, headers=raw),
        "resource_create")
    assert link["url"] == "https://example.go.th/map" and link["version"] == 0
    upload = ok(client.post("/api/3/action/resource_create", data={"package_id": created["id"], "name": "รายชื่อ"},
                            files={"upload": ("offices.json", b'{"offices": 3}', "application/json")},
                            headers=raw), "resource_create")
    assert upload["format"] == "JSON" and upload["url_type"] == "upload" and upload["version"] == 1
    again = ok(client.post("/api/3/action/resource_update", data={"id": upload["id"]},
                           files={"upload": ("offices.json", b'{"offices": 4}', "application/json")}, headers=raw),
               "resource_update")
    assert again["version"] == 2 and again["hash"] != upload["hash"]
    versions = db.scalars(select(ResourceVersion).where(ResourceVersion.resource_id == upload["id"])).all()
    assert [v.content for v in versions] == [b'{"offices": 3}', b'{"offices": 4}']
    assert all(v.ledger_entry_id is not None for v in versions)
    assert "welfare-offices" in ok(client.get("/api/3/action/package_list"), "package_list")
    assert ok(client.post("/api/3/action/package_delete", json={"id": "welfare-offices"}, headers=raw),
              "package_delete") is None
    failed(client.get("/api/3/action/package_show?id=welfare-offices"), 404, "Not Found Error")
    assert "welfare-offices" not in ok(client.get("/api/3/action/package_list"), "package_list")


def test_a_publisher_sees_its_private_dataset(client: TestClient, seeded: Seeded, tokens: dict[str, str]) -> None:
    shown = ok(client.get(f"/api/3/action/package_show?id={seeded.private_id}",
                          headers={"Authorization": tokens["publish"]}), "package_show")
    assert shown["private"] is True
