"""The offices of ``catalog/offices.yaml``: where each is, its opening hours per weekday, its slot length
and how many people one slot takes per service; and the slots they open on the catalogue's working days."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from pracha.calendar import BANGKOK, WorkCalendar
from pracha.services.catalog import Catalog, CatalogError, Text

OFFICES_FILE = "offices.yaml"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
HORIZON_DAYS = 30  # slots are offered this far ahead


@dataclass(frozen=True)
class Office:
    id: str
    agency: str
    name: Text
    address: Text
    slot_minutes: int
    hours: dict[int, tuple[tuple[dt.time, dt.time], ...]]  # weekday (0 = Monday) → open periods
    services: dict[str, int]  # service id → places per slot

    def capacity(self, service_id: str) -> int:
        return self.services.get(service_id, 0)

    def starts_on(self, day: dt.date) -> list[dt.datetime]:
        """The slots' starts on `day` (UTC), whether or not the day is a working day."""
        starts = []
        step = dt.timedelta(minutes=self.slot_minutes)
        for opens, closes in self.hours.get(day.weekday(), ()):
            at = dt.datetime.combine(day, opens, BANGKOK)
            end = dt.datetime.combine(day, closes, BANGKOK)
            while at + step <= end:
                starts.append(at.astimezone(dt.UTC))
                at += step
        return starts

    def opens_at(self, starts_at: dt.datetime, calendar: WorkCalendar) -> bool:
        """Whether `starts_at` is one of this office's slots on a working day."""
        day = starts_at.astimezone(BANGKOK).date()
        return calendar.is_working_day(day) and starts_at.astimezone(dt.UTC) in self.starts_on(day)


def _text(value: Any, where: str) -> Text:
    if not isinstance(value, dict) or not isinstance(value.get("th"), str) or not isinstance(value.get("en"), str):
        raise CatalogError(f"{where}: needs th and en texts")
    return Text(value["th"], value["en"])


def _period(value: Any, where: str) -> tuple[dt.time, dt.time]:
    try:
        opens, closes = (dt.time.fromisoformat(part.strip()) for part in str(value).split("-"))
    except ValueError:
        raise CatalogError(f"{where}: {value!r} is not HH:MM-HH:MM") from None
    if opens >= closes:
        raise CatalogError(f"{where}: {value!r} closes before it opens")
    return opens, closes


def _office(entry: Any, catalog: Catalog, where: str) -> Office:
    if not isinstance(entry, dict):
        raise CatalogError(f"{where}: an office is a mapping")
    oid, agency = str(entry.get("id", "")), str(entry.get("agency", ""))
    where = f"{where} {oid}"
    if not oid or agency not in catalog.agencies:
        raise CatalogError(f"{where}: needs an id and an agency of agencies.yaml")
    minutes = entry.get("slot_minutes")
    if not isinstance(minutes, int) or not 5 <= minutes <= 240:
        raise CatalogError(f"{where}: slot_minutes must be 5–240")
    hours: dict[int, tuple[tuple[dt.time, dt.time], ...]] = {}
    for day, periods in (entry.get("hours") or {}).items():
        if day not in WEEKDAYS or not isinstance(periods, list):
            raise CatalogError(f"{where}: hours: {day!r} is not mon … sun with a list of periods")
        hours[WEEKDAYS.index(day)] = tuple(_period(p, f"{where}: hours: {day}") for p in periods)
    services = entry.get("services") or {}
    for sid, places in services.items():
        if sid not in catalog.services or not isinstance(places, int) or places < 1:
            raise CatalogError(f"{where}: services: {sid!r} must be a catalogue service with places ≥ 1")
    return Office(oid, agency, _text(entry.get("name"), f"{where}: name"),
                  _text(entry.get("address"), f"{where}: address"), minutes, hours, dict(services))


def load_offices(directory: Path, catalog: Catalog) -> dict[str, Office]:
    """The offices of `directory`/offices.yaml, checked against the catalogue; {} without the file."""
    path = directory / OFFICES_FILE
    if not path.exists():
        return {}
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    if not isinstance(entries, list):
        raise CatalogError(f"{path}: a list of offices")
    offices = [_office(e, catalog, str(path)) for e in entries]
    found = {o.id: o for o in offices}
    if len(found) != len(offices):
        raise CatalogError(f"{path}: office ids must be unique")
    return found


@lru_cache(maxsize=8)
def _cached(directory: Path, catalog: Catalog) -> dict[str, Office]:
    return load_offices(directory, catalog)


def offices_for(directory: Path, catalog: Catalog) -> dict[str, Office]:
    """The offices, read once per catalogue directory and loaded catalogue."""
    return _cached(directory.resolve(), catalog)


def offices_serving(offices: dict[str, Office], service_id: str) -> list[Office]:
    return [o for o in offices.values() if service_id in o.services]
