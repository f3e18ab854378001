"""The real CKAN client from PyPI against a live `pracha serve`, on both engines: `ckanapi` lists,
searches, shows and dumps the catalogue, maps a missing dataset to its NotFound, and a publisher's API
token creates a dataset and uploads a file with it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import ckanapi
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.config import Settings
from pracha.opendata.models import OpenDataset
from tests.opendata.conftest import AGENCY, Seeded, package
from tests.servers import process

CSV = "ตำบล,ผู้รับเบี้ยยังชีพ\nศรีภูมิ,412\nช้างคลาน,380\nสุเทพ,295\n".encode()


@pytest.fixture
def portal(settings: Settings, seeded: Seeded, tokens: dict[str, str], tmp_path: Path) -> Iterator[str]:
    """`pracha serve` over the test's database, with the datasets and tokens already in it."""
    env = {"PRACHA_DATABASE_URL": settings.database_url, "PRACHA_VAR_DIR": str(settings.var_dir),
           "PRACHA_DATA_KEY_FILE": str(settings.data_key_file), "PRACHA_SECRET_KEY": "test-secret",
           "PRACHA_WARM_UP": "false"}
    with process(["serve"], env, tmp_path, "portal") as url:
        yield url


def test_ckanapi_reads_searches_and_dumps(portal: str, tmp_path: Path) -> None:
    ckan = ckanapi.RemoteCKAN(portal, user_agent="pracha-tests")
    assert ckan.action.package_list() == ["building-permits-by-month", "elderly-allowance-recipients"]
    found = ckan.action.package_search(q="เบี้ยยังชีพ", fq=f"organization:{AGENCY}", rows=5,
                                       **{"facet.field": '["tags"]'})
    assert [p["name"] for p in found["results"]] == ["elderly-allowance-recipients"]
    assert found["facets"]["tags"] == {"ผู้สูงอายุ": 1, "เบี้ยยังชีพ": 1}
    shown = ckan.action.package_show(id="elderly-allowance-recipients")
    assert shown["title"] == "ผู้รับเบี้ยยังชีพผู้สูงอายุ จังหวัดเชียงใหม่ รายตำบล"
    assert AGENCY in ckan.action.organization_list()
    with pytest.raises(ckanapi.NotFound):
        ckan.action.package_show(id="no-such-dataset")
    with pytest.raises(ckanapi.SearchQueryError):
        ckan.action.package_search(fq="nosuchfield:x")
    with pytest.raises(ckanapi.NotAuthorized):
        ckan.action.package_create(**package("anonymous-attempt"))
    out = tmp_path / "datasets.jsonl"
    script = Path(sys.executable).parent / "ckanapi"
    done = subprocess.run([str(script), "dump", "datasets", "--all", "-q", "-r", portal, "-O", str(out)],  # noqa: S603
                          capture_output=True, timeout=120,  # its workers are `ckanapi` from PATH
                          env={**os.environ, "PATH": f"{script.parent}{os.pathsep}{os.environ.get('PATH', '')}"})
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    dumped = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert sorted(dumped, key=lambda p: p["name"]) == [
        ckan.action.package_show(id=name) for name in ckan.action.package_list()]


def test_ckanapi_publisher_creates_a_dataset_and_uploads_a_csv(portal: str, db: Session, tokens: dict[str, str],
                                                               tmp_path: Path) -> None:
    ckan = ckanapi.RemoteCKAN(portal, apikey=tokens["publish"], user_agent="pracha-tests")
    created = ckan.action.package_create(**package("elderly-allowance-2569", title="ผู้รับเบี้ยยังชีพ ปีงบประมาณ 2569"))
    assert created["owner_org"] == AGENCY
    with pytest.raises(ckanapi.ValidationError) as taken:
        ckan.action.package_create(**package("elderly-allowance-2569"))
    assert "name" in taken.value.error_dict
    path = tmp_path / "recipients.csv"
    path.write_bytes(CSV)
    with path.open("rb") as upload:
        resource = ckan.action.resource_create(package_id=created["id"], name="ผู้รับเบี้ยรายตำบล", upload=upload)
    assert resource["format"] == "CSV" and resource["version"] == 1 and resource["datastore_active"] is True
    assert ckan.action.package_show(id="elderly-allowance-2569")["resources"][0]["id"] == resource["id"]
    rows = ckan.action.datastore_search(resource_id=resource["id"], limit=2)
    assert rows["total"] == 3 and len(rows["records"]) == 2
    db.expire_all()
    assert db.scalar(select(OpenDataset.created_by).where(OpenDataset.name == "elderly-allowance-2569")) \
        .startswith("token:")
