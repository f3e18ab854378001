"""The platform's own datasets (pracha.opendata.platform): the daily job creates and publishes them,
the published files pass the disclosure test, a second run the same day changes nothing, and a change
makes a new version with its own ledger entry. Both engines."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from pracha.automation import schedules
from pracha.cli import app as cli
from pracha.config import Settings, get_settings
from pracha.ledger.models import LedgerEntry
from pracha.opendata import platform
from pracha.opendata.catalogue import PUBLISHED, OpenData
from pracha.opendata.disclosure import K
from pracha.opendata.models import OpenDataset, ResourceVersion
from pracha.services.catalog import Catalog
from tests.opendata.statistics_world import ELDERLY, TODAY, add_citizens, apply, build


def platform_dataset(db: Session, key: str) -> OpenDataset:
    dataset = db.scalar(select(OpenDataset).where(OpenDataset.platform_key == key))
    assert dataset is not None
    return dataset


def published_rows(db: Session, key: str) -> list[dict[str, str]]:
    """The current version's bytes, as anyone downloads them, read back as CSV."""
    resource = platform_dataset(db, key).resources[0]
    version = db.scalar(select(ResourceVersion).where(ResourceVersion.resource_id == resource.id,
                                                      ResourceVersion.number == resource.version))
    assert version is not None and version.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(version.content.decode("utf-8"))))


def opendata(catalog: Catalog, settings: Settings) -> OpenData:
    return OpenData(catalog, settings.catalog_dir.resolve(), "http://testserver")


def test_the_daily_job_publishes_the_platform_datasets(db: Session, catalog: Catalog, settings: Settings) -> None:
    build(db)
    schedules.run_daily(db, catalog, settings, TODAY.isoformat())  # the app's registry: opendata's DAILY job
    db.commit()
    for spec in platform.BUILTIN:
        dataset = platform_dataset(db, spec.key)
        assert dataset.owner_org == "pracha" and dataset.data_type == "ข้อมูลสถิติ"
        assert dataset.license_id == "Open Data Common" and dataset.disclosure == "เปิดเผย"
        assert dataset.privacy is not None and dataset.privacy["method"] == "small-cell suppression"
        assert dataset.privacy["k"] == K and dataset.privacy["secondary"] is True
        [resource] = dataset.resources
        assert resource.version == 1 and resource.format == "CSV" and resource.datastore_active


def test_disclosure_every_published_cell_covers_k_people(db: Session, catalog: Catalog, settings: Settings) -> None:
    """The issue's disclosure test: many applications with small cells, the daily refresh, the published
    CSV read back, and for every published number the real distinct people behind it, from the world."""
    world = build(db)
    more = add_citizens(db, 30)
    for n, citizen in enumerate(more):  # many small cells: 30 people spread over 10 districts
        apply(db, world, citizen, ELDERLY, dt.date(2026, 9, 1 + n % 20), f"อำเภอทดสอบ{n % 10}")
    db.commit()
    platform.refresh(db, opendata(catalog, settings), TODAY)
    db.commit()
    rows = published_rows(db, "applications-by-district")
    assert rows and any(r["applications"] for r in rows) and any(r["suppressed"] == "true" for r in rows)
    for row in rows:
        if not row["applications"]:
            assert row["suppressed"] == "true"
            continue
        key = (row["service_id"], row["month"])
        if row["row_type"] == "district":
            people = world.applicants[(*key, row["district"])]
        else:
            people = set().union(*(v for (s, m, _), v in world.applicants.items() if (s, m) == key))
        assert len(people) >= K, row
    for row in published_rows(db, "processing-times"):
        if row["decided"]:
            assert len(world.decided[(row["agency"], row["month"])]) >= K
    for row in published_rows(db, "exchange-requests"):
        if row["requests"]:
            group = [v for (c, m, _), v in world.subjects.items() if (c, m) == (row["client_id"], row["month"])]
            people = world.subjects[(row["client_id"], row["month"], row["purpose"])] if row["purpose"] else \
                set().union(*group)
            assert len(people) >= K, row


def test_refresh_is_idempotent_and_a_change_makes_version_two(db: Session, catalog: Catalog,
                                                              settings: Settings) -> None:
    world = build(db)
    od = opendata(catalog, settings)
    assert set(platform.refresh(db, od, TODAY)) == {s.key for s in platform.BUILTIN}
    db.commit()
    assert platform.refresh(db, od, TODAY) == []  # the same bytes: no new version
    assert platform.refresh(db, od, TODAY + dt.timedelta(days=1)) == []  # nor the next day, same months
    db.commit()
    for citizen in add_citizens(db, 10):  # ten more in November
        apply(db, world, citizen, ELDERLY, dt.date(2026, 11, 20), "หางดง")
    db.commit()
    assert platform.refresh(db, od, TODAY) == ["applications-by-district"]
    db.commit()
    resource = platform_dataset(db, "applications-by-district").resources[0]
    versions = db.scalars(select(ResourceVersion).where(ResourceVersion.resource_id == resource.id)
                          .order_by(ResourceVersion.number)).all()
    assert [v.number for v in versions] == [1, 2] and resource.version == 2
    assert versions[0].sha256 != versions[1].sha256
    entries = [db.get(LedgerEntry, v.ledger_entry_id) for v in versions]
    assert all(e is not None and e.kind == PUBLISHED for e in entries)
    assert entries[0] is not None and entries[1] is not None and entries[0].id != entries[1].id
    cell = [r for r in published_rows(db, "applications-by-district")
            if (r["service_id"], r["month"], r["district"]) == (ELDERLY, "2026-11", "หางดง")]
    assert cell[0]["applications"] == "10"


def test_a_deleted_platform_dataset_stays_deleted(db: Session, catalog: Catalog, settings: Settings) -> None:
    world = build(db)
    od = opendata(catalog, settings)
    platform.refresh(db, od, TODAY)
    platform_dataset(db, "automation-rate").state = "deleted"
    db.commit()
    for citizen in add_citizens(db, 12):  # the automation rate of November changes
        apply(db, world, citizen, ELDERLY, dt.date(2026, 10, 2), "หางดง", decided=dt.date(2026, 11, 9), by_bot=True)
    db.commit()
    published = platform.refresh(db, od, TODAY)
    assert "automation-rate" not in published and "processing-times" in published
    assert platform_dataset(db, "automation-rate").resources[0].version == 1


def test_the_command_publishes_now_and_then_changes_nothing(db: Session, settings: Settings,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    build(db)
    db.commit()
    monkeypatch.setenv("PRACHA_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("PRACHA_VAR_DIR", str(settings.var_dir))
    monkeypatch.setenv("PRACHA_DATA_KEY_FILE", str(settings.data_key_file))
    get_settings.cache_clear()
    try:
        first = CliRunner().invoke(cli, ["opendata", "refresh"])
        second = CliRunner().invoke(cli, ["opendata", "refresh"])
    finally:
        get_settings.cache_clear()
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    assert first.output.startswith("published: ") and "applications-by-district" in first.output
    assert "nothing changed" in second.output
    db.rollback()
    assert platform_dataset(db, "applications-by-district").resources[0].version == 1
