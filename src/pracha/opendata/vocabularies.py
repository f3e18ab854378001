"""The Thai catalogue's values mapped to the controlled vocabularies harvesters expect: EU data themes,
EU frequencies (and Project Open Data's ISO 8601 repeating durations), EU file types and IANA media
types. Pure: imports nothing of ours. Every mapping here is Pracha's reading, to be confirmed with
DGA (data.go.th) before national harvesting relies on it."""

from __future__ import annotations

import re

EU = "http://publications.europa.eu/resource/authority/"
TO_CONFIRM = ("EU_THEMES", "FREQUENCIES", "POD_PERIODICITY")

# Pracha's groups (catalog/opendata/groups.yaml) → EU data-theme
EU_THEMES = {
    "population": EU + "data-theme/SOCI",
    "economy": EU + "data-theme/ECON",
    "city": EU + "data-theme/REGI",
    "government": EU + "data-theme/GOVE",
    "health": EU + "data-theme/HEAL",
}

# update_frequency_unit → EU frequency code, with codes for intervals that have one of their own
FREQUENCIES: dict[str, str] = {
    "ปี": "ANNUAL", "ครึ่งปี": "ANNUAL_2", "ไตรมาส": "QUARTERLY", "เดือน": "MONTHLY", "สัปดาห์": "WEEKLY",
    "วัน": "DAILY", "วันทำการ": "DAILY", "ชั่วโมง": "HOURLY", "นาที": "1MIN", "ตามเวลาจริง": "UPDATE_CONT",
    "ไม่มีการปรับปรุงหลังจากการจัดเก็บข้อมูล": "NEVER", "ไม่ทราบ": "UNKNOWN", "อื่นๆ": "OTHER",
}
EVERY_N: dict[tuple[str, int], str] = {
    ("ปี", 2): "BIENNIAL", ("ปี", 3): "TRIENNIAL", ("เดือน", 2): "BIMONTHLY", ("เดือน", 3): "QUARTERLY",
    ("สัปดาห์", 2): "BIWEEKLY", ("วัน", 2): "DAILY_2", ("ชั่วโมง", 2): "BIHOURLY", ("ชั่วโมง", 3): "TRIHOURLY",
    ("ชั่วโมง", 12): "12HRS", ("นาที", 5): "5MIN", ("นาที", 10): "10MIN", ("นาที", 15): "15MIN",
    ("นาที", 30): "30MIN",
}
# update_frequency_unit → the ISO 8601 duration of one period (Project Open Data's accrualPeriodicity)
POD_PERIODICITY = {"ปี": "P{n}Y", "ครึ่งปี": "P6M", "ไตรมาส": "P3M", "เดือน": "P{n}M", "สัปดาห์": "P{n}W",
                   "วัน": "P{n}D", "วันทำการ": "P1D", "ชั่วโมง": "PT{n}H", "นาที": "PT{n}M"}

# the catalogue's formats → EU file-type codes (the formats publishers use; others get no dct:format)
FILE_TYPES = {"CSV": "CSV", "XLSX": "XLSX", "XLS": "XLS", "JSON": "JSON", "XML": "XML", "PDF": "PDF",
              "HTML": "HTML", "TXT": "TXT", "ZIP": "ZIP", "RDF": "RDF", "TTL": "RDF_TURTLE",
              "GEOJSON": "GEOJSON", "SHP": "SHP", "KML": "KML", "GML": "GML", "DOCX": "DOCX", "DOC": "DOC",
              "ODS": "ODS", "PNG": "PNG", "JPEG": "JPEG", "JPG": "JPEG", "TIFF": "TIFF", "GEOTIFF": "TIFF"}
MEDIA_TYPE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]{0,62}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$")


def frequency(unit: str | None, interval: int | None) -> str | None:
    """The EU frequency IRI for a Thai update frequency, or None for a unit that has none."""
    if unit is None:
        return None
    code = EVERY_N.get((unit, interval or 1)) or FREQUENCIES.get(unit)
    return EU + "frequency/" + code if code else None


def pod_periodicity(unit: str | None, interval: int | None) -> str | None:
    """Project Open Data's accrualPeriodicity ("R/P1M"), "irregular", or None."""
    if unit == "ตามเวลาจริง":
        return "R/PT1S"
    pattern = POD_PERIODICITY.get(unit or "")
    return "R/" + pattern.format(n=interval or 1) if pattern else None


def file_type(fmt: str) -> str | None:
    code = FILE_TYPES.get(fmt.strip().upper())
    return EU + "file-type/" + code if code else None


def media_type(mimetype: str) -> str | None:
    """The IANA registry's IRI for a media type (parameters dropped), if it looks like one."""
    value = mimetype.split(";")[0].strip().lower()
    return "https://www.iana.org/assignments/media-types/" + value if MEDIA_TYPE.match(value) else None
