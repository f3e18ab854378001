"""Proof of what was published: two versions of a file, each downloadable with its hash in the
headers, each with a receipt that verifies offline and names the bytes downloaded; the list of
versions is exactly the `opendata.published` entries the public log holds for the resource (read from
its tiles, as any outsider would), so a silently replaced file would show. Then the check page, the
API and `pracha ledger verify-receipt --file`."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from pracha.cli import app as cli
from pracha.ledger import leaves, note, receipts, tiles
from pracha.ledger.deps import LEDGER
from pracha.ledger.keys import verifier_key
from pracha.ledger.verify import parse_bundle
from pracha.opendata import catalogue, versions
from pracha.opendata.catalogue import Upload
from pracha.opendata.models import OpenResource
from pracha.opendata.publishers import SYSTEM_PUBLISHER
from tests.opendata.published import counts, new_version, open_data, publish

V1 = counts("2569-10", ช้างม่อย=131, ศรีภูมิ=98)
V2 = counts("2569-11", ช้างม่อย=133, ศรีภูมิ=97)


def key_of(app: FastAPI) -> str:
    return verifier_key(app.state.pracha.registry.get(LEDGER).signer)


def published_in_log(client: TestClient, app: FastAPI, resource_id: str) -> list[str]:
    """The objects of every opendata.published entry for the resource, read from the public tiles."""
    signed = note.open_note(client.get("/ledger/checkpoint").text, [note.new_verifier(key_of(app))])
    size = note.parse_checkpoint(signed.text).size
    found = []
    for index in range(0, size, tiles.TILE_WIDTH):
        width = min(tiles.TILE_WIDTH, size - index)
        bundle = client.get("/ledger/" + tiles.entries_path(index // tiles.TILE_WIDTH, width))
        for data in parse_bundle(bundle.content):
            leaf = json.loads(data)
            if leaves.category_of(leaf) == catalogue.PUBLISHED and leaf["object"].startswith(
                    f"opendata/{resource_id}/"):
                found.append(leaf["object"])
    return found


@pytest.fixture
def resource(app: FastAPI, db: Session) -> OpenResource:
    od = open_data(app)
    _, resource = publish(db, od, content=V1, filename="ผู้สูงอายุ-2569-10.json")
    new_version(db, od, resource, V2, "ผู้สูงอายุ-2569-11.json")
    return resource


def test_every_version_has_a_receipt_that_names_its_bytes(client: TestClient, app: FastAPI,
                                                          resource: OpenResource) -> None:
    listed = client.get(f"/api/v1/opendata/resources/{resource.id}/versions").json()["versions"]
    assert [v["number"] for v in listed] == [1, 2] and [v["current"] for v in listed] == [False, True]
    for version, content in zip(listed, (V1, V2), strict=True):
        download = client.get(version["download_url"])
        assert download.status_code == 200 and download.content == content
        digest = hashlib.sha256(download.content).hexdigest()
        assert version["sha256"] == digest and download.headers["etag"] == f'"{digest}"'
        assert download.headers["repr-digest"] == f"sha-256=:{base64.b64encode(bytes.fromhex(digest)).decode()}:"
        receipt = client.get(version["receipt_url"]).json()
        check = receipts.verify_receipt(receipt, key_of(app))
        assert check.ok, check.message_en
        assert receipt["leaf"]["object"] == f"opendata/{resource.id}/v{version['number']}/sha256:{digest}"
        assert receipt["index"] == version["ledger_index"]
    # the log holds exactly these versions for the resource: a replaced file would be a third entry or
    # a hash that no entry names
    assert published_in_log(client, app, resource.id) == [
        f"opendata/{resource.id}/v{v['number']}/sha256:{v['sha256']}" for v in listed]

    current = client.get(f"/data/dataset/elderly-allowance-by-subdistrict/resource/{resource.id}/download")
    assert current.content == V2 and current.headers["cache-control"] == "public, max-age=60"
    assert "filename*=UTF-8''%E0%B8%9C" in current.headers["content-disposition"]  # the Thai name kept
    cached = client.get(current.url, headers={"If-None-Match": current.headers["etag"]})
    assert cached.status_code == 304 and cached.content == b""


def test_only_public_datasets_show_their_versions(client: TestClient, app: FastAPI, db: Session,
                                                 resource: OpenResource) -> None:
    od = open_data(app)
    base = f"/data/dataset/elderly-allowance-by-subdistrict/resource/{resource.id}"
    assert client.get(f"/data/dataset/another-name/resource/{resource.id}/v/1").status_code == 404
    assert client.get(f"{base}/v/3").status_code == 404
    assert client.get(f"{base}/v/99999999999999999999").status_code == 422
    catalogue.update_package(db, od, SYSTEM_PUBLISHER, resource.dataset_id, {"private": True}, partial=True)
    db.commit()
    for path in (f"{base}/download", f"{base}/v/1", f"/api/v1/opendata/resources/{resource.id}/versions",
                 f"/api/v1/opendata/resources/{resource.id}/versions/1/receipt"):
        assert client.get(path).status_code == 404, path
    sha = hashlib.sha256(V1).hexdigest()
    assert client.get("/api/v1/opendata/verify", params={"sha256": sha}).json()["matches"] == []


def test_finding_1_an_uploaded_page_never_runs_on_the_site(client: TestClient, app: FastAPI, db: Session,
                                                         resource: OpenResource) -> None:
    """A publisher's HTML file is served as an attachment in a sandbox, never as a page of Pracha."""
    catalogue.update_resource(db, open_data(app), SYSTEM_PUBLISHER, resource.id, {},
                              Upload("report.html", b"<script>alert(document.cookie)</script>", "text/html"))
    db.commit()
    response = client.get(f"/data/dataset/elderly-allowance-by-subdistrict/resource/{resource.id}/v/3")
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["content-disposition"].startswith("attachment")
    assert response.headers["content-security-policy"].startswith("sandbox")
    assert response.headers["x-content-type-options"] == "nosniff"


def test_the_check_page_finds_the_version_of_a_file(client: TestClient, resource: OpenResource) -> None:
    page = client.get("/data/verify")
    assert page.status_code == 200 and 'lang="th"' in page.text and 'for="field-file"' in page.text
    csrf = client.get("/api/v1/session").json()["csrf_token"]
    found = client.post("/data/verify", data={"csrf_token": csrf},
                        files={"file": ("downloaded.json", V1, "application/json")})
    assert found.status_code == 200 and "เผยแพร่โดยประชา" in found.text
    assert f"/api/v1/opendata/resources/{resource.id}/versions/1/receipt" in found.text
    assert "จำนวนผู้รับเบี้ยยังชีพผู้สูงอายุ รายตำบล" in found.text and "2569" in found.text  # Buddhist Era
    altered = hashlib.sha256(V1 + b" ").hexdigest()
    changed = client.post("/data/verify?lang=en", data={"csrf_token": csrf, "sha256": altered})
    assert changed.status_code == 200 and "Not published by Pracha" in changed.text
    bad = client.post("/data/verify", data={"csrf_token": csrf, "sha256": "not a hash"})
    assert bad.status_code == 422 and 'aria-invalid="true"' in bad.text
    api = client.get("/api/v1/opendata/verify", params={"sha256": "sha256:" + hashlib.sha256(V2).hexdigest()})
    (match,) = api.json()["matches"]
    assert match["number"] == 2 and match["dataset"] == "elderly-allowance-by-subdistrict"
    assert client.get("/api/v1/opendata/verify", params={"sha256": "zz"}).status_code == 422


def test_verify_receipt_with_the_file(client: TestClient, app: FastAPI, resource: OpenResource,
                                      tmp_path: Path) -> None:
    receipt = tmp_path / "receipt.json"
    receipt.write_text(client.get(f"/api/v1/opendata/resources/{resource.id}/versions/1/receipt").text)
    right, wrong = tmp_path / "v1.json", tmp_path / "v2.json"
    right.write_bytes(V1)
    wrong.write_bytes(V2)
    runner = CliRunner()
    ok = runner.invoke(cli, ["ledger", "verify-receipt", str(receipt), "--key", key_of(app), "--file", str(right)])
    assert ok.exit_code == 0 and "version 1 of resource" in ok.output
    bad = runner.invoke(cli, ["ledger", "verify-receipt", str(receipt), "--key", key_of(app), "--file", str(wrong)])
    assert bad.exit_code == 1 and "not the one published" in bad.output
    assert not versions.check_file_against_receipt({"leaf": {"category": "sealed"}},
                                                   receipts.Check(True, "", ""), "0" * 64).ok
