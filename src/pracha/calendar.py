"""The Thai government calendar: working days, the Buddhist Era and the fiscal year.

A day is a working day unless it is a Saturday, a Sunday, a public or government holiday of Thailand
(the `holidays` package, substitution days included) or a closure listed in the catalogue's
``holidays.yaml`` (special days off the cabinet declares, often after the package was released).

``WorkCalendar`` is immutable: the app loads one per catalogue directory (``load_calendar``), so it
follows ``Settings.catalog_dir``; the module-level ``is_working_day`` and ``add_working_days`` use
the repository's ``catalog/holidays.yaml``, read once.

Foundation module: imports nothing of ours but config and errors.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

import holidays
import yaml

from pracha.config import REPO_ROOT
from pracha.errors import PrachaError

BANGKOK = ZoneInfo("Asia/Bangkok")
BUDDHIST_ERA_OFFSET = 543
HOLIDAYS_FILE = "holidays.yaml"
# National Labour Day is in the package's public holidays, but "only observed by financial and private
# sectors" (its own note): government offices work on 1 May and on its substitution day.
_NOT_GOVERNMENT = ("วันแรงงานแห่งชาติ",)
_KEYS = frozenset({"date", "th", "en", "source", "to_confirm"})

THAI_MONTHS = (
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
)
THAI_MONTHS_SHORT = (
    "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
)
EN_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)


class CalendarError(PrachaError):
    """``holidays.yaml`` is broken; the message names the file, the line and what is wrong."""

    status_code = 500
    code = "calendar_invalid"

    def __init__(self, where: str, problem_th: str, problem_en: str) -> None:
        super().__init__(f"{where}: {problem_th}", f"{where}: {problem_en}")


@dataclass(frozen=True, slots=True)
class Closure:
    """A day government offices are closed that the `holidays` package does not (yet) know."""

    day: dt.date
    th: str
    en: str
    source: str
    to_confirm: bool = False


@lru_cache(maxsize=256)
def _public_holidays(year: int) -> Mapping[dt.date, tuple[str, str]]:
    """Thailand's public and government holidays of `year`: day -> (Thai name, English name)."""
    kinds = (holidays.PUBLIC, holidays.GOVERNMENT)
    th = holidays.country_holidays("TH", years=year, categories=kinds, language="th")
    en = holidays.country_holidays("TH", years=year, categories=kinds, language="en_US")
    found = {}
    for day in th:
        names = [n for n in th.get_list(day) if not any(skip in n for skip in _NOT_GOVERNMENT)]
        if names:
            found[day] = ("; ".join(names), en.get(day, names[0]))
    return MappingProxyType(found)


@dataclass(frozen=True)
class WorkCalendar:
    """Working days of Thai government offices: Monday to Friday, less holidays and `closures`."""

    closures: Mapping[dt.date, Closure] = field(default_factory=lambda: MappingProxyType({}))

    def holiday_name(self, day: dt.date, lang: str = "th") -> str | None:
        """Why offices are closed on `day` (weekends aside), in `lang`; None on an ordinary day."""
        if (closure := self.closures.get(day)) is not None:
            return closure.en if lang == "en" else closure.th
        names = _public_holidays(day.year).get(day)
        return None if names is None else names[1] if lang == "en" else names[0]

    def is_working_day(self, day: dt.date) -> bool:
        return day.weekday() < 5 and day not in self.closures and day not in _public_holidays(day.year)

    def add_working_days(self, day: dt.date, n: int) -> dt.date:
        """The `n`-th working day after `day` (`day` itself never counts); `n` < 0 counts back
        before `day`; `n` == 0 is `day` when it is a working day, else the next one. The answer is
        always a working day, so a due date never falls on a day the office is closed."""
        step = 1 if n >= 0 else -1
        remaining = abs(n)
        if n == 0:
            day -= dt.timedelta(days=1)
            remaining = 1
        while remaining:
            day += dt.timedelta(days=step)
            remaining -= self.is_working_day(day)
        return day

    def unconfirmed(self) -> list[Closure]:
        """Closures marked ``to_confirm: true``, oldest first: someone should check their source."""
        return sorted((c for c in self.closures.values() if c.to_confirm), key=lambda c: c.day)


# --- holidays.yaml --------------------------------------------------------------------------------
class _LineLoader(yaml.SafeLoader):
    """Safe YAML that keeps dates as text (to check them ourselves) and notes each mapping's line."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        mapping = super().construct_mapping(node, deep=deep)
        mapping["__line__"] = node.start_mark.line + 1
        return mapping




def _date_as_text(loader: yaml.SafeLoader, node: yaml.Node) -> str:
    return str(node.value)


_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _date_as_text)


def _text(entry: dict[Hashable, Any], key: str, where: str, *, required: bool = True) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or (required and not value.strip()):
        raise CalendarError(where, f"ต้องระบุ '{key}' เป็นข้อความ", f"'{key}' must be a non-empty text")
    return value.strip()


def _closure(entry: Any, where: str) -> Closure:
    if not isinstance(entry, dict):
        raise CalendarError(where, "แต่ละรายการต้องมี date, th, en และ source",
                            "each closure needs date, th, en and source")
    if unknown := sorted(str(k) for k in entry if k not in _KEYS and k != "__line__"):
        raise CalendarError(where, f"ไม่รู้จักคีย์ {unknown}", f"unknown keys {unknown}")
    raw = str(entry.get("date", ""))
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        raise CalendarError(where, f"วันที่ {raw!r} ไม่ถูกต้อง (ใช้รูปแบบ ค.ศ. YYYY-MM-DD)",
                            f"date {raw!r} is not a valid YYYY-MM-DD date") from None
    if day.year > 2400:
        raise CalendarError(where, f"วันที่ {raw} ดูเหมือนเป็นปี พ.ศ. กรุณาใช้ปี ค.ศ. ({day.year - 543})",
                            f"date {raw} looks like a Buddhist-Era year; write {day.year - 543} instead")
    confirm = entry.get("to_confirm", False)
    if not isinstance(confirm, bool):
        raise CalendarError(where, "to_confirm ต้องเป็น true หรือ false", "to_confirm must be true or false")
    return Closure(day, _text(entry, "th", where), _text(entry, "en", where), _text(entry, "source", where),
                   confirm)


def load_calendar(path: Path) -> WorkCalendar:
    """The working-day calendar with the closures of `path` (a ``holidays.yaml``); raises
    CalendarError naming the file and line of the first problem."""
    path = Path(path)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)  # noqa: S506 (safe loader)
    except OSError as e:
        raise CalendarError(str(path), f"อ่านไฟล์ไม่ได้ ({e.strerror})", f"cannot read the file ({e.strerror})") from e
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        raise CalendarError(where, "รูปแบบ YAML ไม่ถูกต้อง", f"cannot read YAML ({e})") from e
    entries = data.get("closures") if isinstance(data, dict) else [] if data is None else "not a mapping"
    if not isinstance(entries, list | None):
        raise CalendarError(str(path), "ต้องมีรายการ 'closures:'", "expected a 'closures:' list")
    closures: dict[dt.date, Closure] = {}
    for entry in entries or []:
        where = f"{path}:{entry.get('__line__', '?') if isinstance(entry, dict) else '?'}"
        closure = _closure(entry, where)
        if closure.day in closures:
            raise CalendarError(where, f"วันที่ {closure.day} ซ้ำ", f"date {closure.day} is listed twice")
        closures[closure.day] = closure
    _public_holidays(dt.datetime.now(BANGKOK).year)  # the package's first year costs ~0.3 s: pay it at start
    return WorkCalendar(MappingProxyType(closures))


@lru_cache(maxsize=1)
def default_calendar() -> WorkCalendar:
    """The calendar of the repository's ``catalog/holidays.yaml``, loaded once."""
    return load_calendar(REPO_ROOT / "catalog" / HOLIDAYS_FILE)


def is_working_day(day: dt.date) -> bool:
    return default_calendar().is_working_day(day)


def add_working_days(day: dt.date, n: int) -> dt.date:
    """See ``WorkCalendar.add_working_days``; uses the repository's closures."""
    return default_calendar().add_working_days(day, n)


# --- Buddhist Era and the fiscal year -------------------------------------------------------------
def buddhist_year(day: dt.date) -> int:
    """พ.ศ.: the Common Era year plus 543 (2026 -> 2569)."""
    return day.year + BUDDHIST_ERA_OFFSET


def parse_day(text: str) -> dt.date | None:
    """A date typed or sent as YYYY-MM-DD or DD/MM/YYYY, the year in the Common Era or the Buddhist
    Era (a year above 2400 is พ.ศ.); None if it is no real day. The era is settled before the day is
    checked: 29/02/2543 is 29 February 2000 (a leap year), 29/02/2542 (1999) is no day."""
    text = text.strip()
    parts = text.split("-") if "-" in text else text.split("/")
    if len(parts) != 3 or not all(p.isascii() and p.isdigit() for p in parts):
        return None
    year, month, day = (parts[0], parts[1], parts[2]) if "-" in text else (parts[2], parts[1], parts[0])
    if len(year) != 4 or not (1 <= len(month) <= 2 and 1 <= len(day) <= 2):
        return None
    number = int(year) - (BUDDHIST_ERA_OFFSET if int(year) > 2400 else 0)
    try:
        return dt.date(number, int(month), int(day))
    except ValueError:
        return None


def fiscal_year(day: dt.date) -> int:
    """The Thai government fiscal year of `day`, in the Buddhist Era: FY 2570 runs from
    1 October 2026 to 30 September 2027."""
    return day.year + BUDDHIST_ERA_OFFSET + (1 if day.month >= 10 else 0)


def fiscal_year_bounds(year_be: int) -> tuple[dt.date, dt.date]:
    """First and last day of fiscal year `year_be` (Buddhist Era)."""
    year = year_be - BUDDHIST_ERA_OFFSET
    return dt.date(year - 1, 10, 1), dt.date(year, 9, 30)


def fiscal_year_end(day: dt.date, later: int = 0) -> dt.date:
    """30 September ending the fiscal year of `day`, `later` fiscal years on."""
    return fiscal_year_bounds(fiscal_year(day) + later)[1]


def format_date(value: dt.date | dt.datetime | None, lang: str, *, short: bool = False) -> str:
    """25 พฤศจิกายน 2569 (Buddhist Era) in Thai; 25 November 2026 in English. Times in Bangkok time."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.astimezone(BANGKOK).date()
    if lang == "en":
        month = EN_MONTHS[value.month - 1]
        return f"{value.day} {month[:3] if short else month} {value.year}"
    month = (THAI_MONTHS_SHORT if short else THAI_MONTHS)[value.month - 1]
    return f"{value.day} {month} {buddhist_year(value)}"


def format_datetime(value: dt.datetime | None, lang: str) -> str:
    if value is None:
        return ""
    local = value.astimezone(BANGKOK)
    clock = local.strftime("%H:%M")
    return f"{format_date(local, lang, short=True)} {clock} น." if lang != "en" else (
        f"{format_date(local, lang, short=True)}, {clock}"
    )
