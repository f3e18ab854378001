"""The Thai government calendar: working days (weekends, public holidays with their substitution days,
closures from holidays.yaml), the Buddhist Era, the fiscal year, and due dates that use them."""

from __future__ import annotations

import datetime as dt
import io
import shutil
from pathlib import Path

import pytest
from fastapi import FastAPI
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from pracha import calendar
from pracha.automation import schedules
from pracha.calendar import BANGKOK, CalendarError, WorkCalendar, add_working_days, is_working_day, load_calendar
from pracha.identity.principal import Principal
from pracha.services import service
from pracha.services.catalog import Catalog, CatalogError, default_catalog_dir, load_catalog
from pracha.services.hooks import CATALOG
from pracha.services.models import Application
from tests.factories import create_citizen, create_staff
from tests.services.helpers import ELDERLY_FORM, PDF

D = dt.date


# --- working days ---------------------------------------------------------------------------------
def test_songkran_2027_is_skipped() -> None:
    assert add_working_days(D(2027, 4, 12), 1) == D(2027, 4, 16)  # 13–15 April: Songkran
    assert [is_working_day(D(2027, 4, d)) for d in range(12, 17)] == [True, False, False, False, True]
    assert calendar.default_calendar().holiday_name(D(2027, 4, 13)) == "วันสงกรานต์"
    assert calendar.default_calendar().holiday_name(D(2027, 4, 13), "en") == "Songkran Festival"


def test_new_year_is_skipped() -> None:
    assert not is_working_day(D(2026, 12, 31)) and not is_working_day(D(2027, 1, 1))  # New Year's Eve, Day
    assert add_working_days(D(2026, 12, 30), 1) == D(2027, 1, 4)  # Thu, Fri closed, then the weekend


def test_a_substitution_day_is_skipped() -> None:
    # 5 December 2026 is a Saturday: Monday 7 December is its substitution day.
    assert not is_working_day(D(2026, 12, 7))
    assert add_working_days(D(2026, 12, 4), 1) == D(2026, 12, 8)
    assert "in lieu" in (calendar.default_calendar().holiday_name(D(2026, 12, 7), "en") or "")


def test_labour_day_is_a_government_working_day() -> None:
    # Only the private and financial sectors stop on 1 May; 3 May 2027 is its substitution day.
    assert is_working_day(D(2026, 5, 1)) and is_working_day(D(2027, 5, 3))


def test_weekends_are_not_working_days() -> None:
    assert not is_working_day(D(2026, 11, 28)) and not is_working_day(D(2026, 11, 29))  # Sat, Sun
    assert is_working_day(D(2026, 11, 27))
    assert add_working_days(D(2026, 11, 27), 1) == D(2026, 11, 30)  # Friday + 1 = Monday
    assert add_working_days(D(2026, 11, 27), 5) == D(2026, 12, 4)


def test_zero_and_negative_counts() -> None:
    assert add_working_days(D(2026, 11, 27), 0) == D(2026, 11, 27)  # a working day: itself
    assert add_working_days(D(2026, 11, 28), 0) == D(2026, 11, 30)  # Saturday: the next working day
    assert add_working_days(D(2027, 4, 16), -1) == D(2027, 4, 12)  # back over Songkran
    assert add_working_days(D(2026, 11, 30), -1) == D(2026, 11, 27)


@given(st.dates(D(2020, 1, 1), D(2035, 12, 31)), st.integers(-40, 40))
def test_the_answer_is_a_working_day_n_working_days_away(day: dt.date, n: int) -> None:
    result = add_working_days(day, n)
    assert is_working_day(result)
    low, high = sorted((day, result))
    between = [low + dt.timedelta(days=i) for i in range(1, (high - low).days)]
    counted = sum(is_working_day(d) for d in between) + 1  # the working days strictly between, plus result
    if n != 0:
        assert (result > day) == (n > 0) and counted == abs(n)
    else:
        assert result == day or all(not is_working_day(d) for d in [day, *between])


# --- closures from holidays.yaml ------------------------------------------------------------------
def test_the_repository_closures_are_closed_and_named() -> None:
    default = calendar.default_calendar()
    assert default.closures, "catalog/holidays.yaml lists closures"
    for day, closure in default.closures.items():
        assert not is_working_day(day)
        assert default.holiday_name(day, "en") == closure.en and default.holiday_name(day) == closure.th
        assert closure.source
    # the yaml's name wins over the package's "Bridge Public Holiday": the file was read
    assert default.holiday_name(D(2024, 4, 12), "en") == "Special day off (before Songkran)"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "holidays.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_closure_in_the_catalogue_moves_due_dates(tmp_path: Path) -> None:
    root = tmp_path / "catalog"
    shutil.copytree(default_catalog_dir(), root)
    with (root / "holidays.yaml").open("a", encoding="utf-8") as f:
        f.write("  - date: 2027-04-16\n    th: ปิดทำการกรณีพิเศษ\n    en: Special closure\n"
                "    source: test\n    to_confirm: true\n")
    own = load_catalog(root).calendar
    assert not own.is_working_day(D(2027, 4, 16)) and own.holiday_name(D(2027, 4, 16), "en") == "Special closure"
    assert own.add_working_days(D(2027, 4, 12), 1) == D(2027, 4, 19)
    unconfirmed = own.unconfirmed()
    assert unconfirmed[-1].source == "test" and all(c.to_confirm for c in unconfirmed)
    assert [c.day for c in unconfirmed] == sorted(c.day for c in unconfirmed)
    assert is_working_day(D(2027, 4, 16)), "the repository's calendar is not changed"


def test_without_a_holidays_file_public_holidays_still_count(tmp_path: Path) -> None:
    root = tmp_path / "catalog"
    shutil.copytree(default_catalog_dir(), root)
    (root / "holidays.yaml").unlink()
    own = load_catalog(root).calendar
    assert own.closures == {} and own.add_working_days(D(2027, 4, 12), 1) == D(2027, 4, 16)
    assert load_calendar(write(tmp_path, "closures: []\n")) == WorkCalendar()
    assert load_calendar(write(tmp_path, "# nothing yet\n")).closures == {}


GOOD = "  - date: 2027-06-04\n    th: วันหยุด\n    en: Day off\n    source: cabinet\n"


@pytest.mark.parametrize(("text", "where", "expected"), [
    ("closures:\n" + GOOD + "  - date: 2027-02-30\n    th: ก\n    en: a\n    source: b\n", 6,
     "date '2027-02-30' is not a valid YYYY-MM-DD date"),
    ("closures:\n  - date: 2570-04-16\n    th: ก\n    en: a\n    source: b\n", 2,
     "looks like a Buddhist-Era year; write 2027 instead"),
    ("closures:\n" + GOOD + "  - date: 2027-04-16\n    th: ก\n    source: b\n", 6, "'en' must be a non-empty text"),
    ("closures:\n" + GOOD + GOOD, 6, "date 2027-06-04 is listed twice"),
    ("closures:\n  - date: 2027-04-16\n    th: ก\n    en: a\n    source: b\n    confirm: yes\n", 2,
     "unknown keys ['confirm']"),
    ("closures:\n  - date: 2027-04-16\n    th: ก\n    en: a\n    source: b\n    to_confirm: maybe\n", 2,
     "to_confirm must be true or false"),
    ("closures:\n  - date: 2027-04-16\n    th: [unclosed\n", 4, "cannot read YAML"),
    ("- 2027-04-16\n", None, "expected a 'closures:' list"),
], ids=["impossible-date", "buddhist-era-year", "missing-english", "duplicate", "unknown-key", "bad-to-confirm",
        "broken-yaml", "not-a-mapping"])
def test_a_bad_file_is_refused_naming_the_line(tmp_path: Path, text: str, where: int | None, expected: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(CalendarError) as info:
        load_calendar(path)
    message = str(info.value)
    assert message.startswith(f"{path}:{where}: " if where else f"{path}: "), message
    assert expected in message
    assert str(path) in info.value.message("th")


def test_a_bad_file_stops_the_catalogue_loading(tmp_path: Path) -> None:
    root = tmp_path / "catalog"
    shutil.copytree(default_catalog_dir(), root)
    (root / "holidays.yaml").write_text("closures:\n  - date: 2027-13-01\n", encoding="utf-8")
    with pytest.raises(CatalogError, match=r"holidays.yaml:2: date '2027-13-01' is not a valid"):
        load_catalog(root)


# --- Buddhist Era and the fiscal year -------------------------------------------------------------
def test_fiscal_year_boundaries() -> None:
    assert calendar.fiscal_year(D(2026, 9, 30)) == 2569
    assert calendar.fiscal_year(D(2026, 10, 1)) == 2570
    assert calendar.fiscal_year(D(2027, 9, 30)) == 2570
    assert calendar.fiscal_year(D(2027, 10, 1)) == 2571
    assert calendar.fiscal_year_bounds(2570) == (D(2026, 10, 1), D(2027, 9, 30))
    assert calendar.fiscal_year_end(D(2026, 11, 25)) == D(2027, 9, 30)
    assert calendar.fiscal_year_end(D(2026, 9, 30), 1) == D(2027, 9, 30)
    assert calendar.buddhist_year(D(2026, 11, 25)) == 2569


def test_format_date_buddhist_era() -> None:
    day = D(2026, 11, 25)
    assert calendar.format_date(day, "th") == "25 พฤศจิกายน 2569"
    assert calendar.format_date(day, "en") == "25 November 2026"
    assert calendar.format_date(day, "th", short=True) == "25 พ.ย. 2569"
    assert calendar.format_date(day, "en", short=True) == "25 Nov 2026"
    assert calendar.format_date(None, "th") == ""


def test_format_datetime_shows_bangkok_time() -> None:
    # 20:30 UTC on 25 November is 03:30 on 26 November in Bangkok (UTC+7).
    moment = dt.datetime(2026, 11, 25, 20, 30, tzinfo=dt.UTC)
    assert calendar.format_datetime(moment, "th") == "26 พ.ย. 2569 03:30 น."
    assert calendar.format_datetime(moment, "en") == "26 Nov 2026, 03:30"
    assert calendar.format_date(moment, "th") == "26 พฤศจิกายน 2569"
    assert calendar.format_datetime(None, "en") == ""


# --- due dates in the app -------------------------------------------------------------------------
def submit_at(app: FastAPI, when: dt.datetime) -> str:
    """An elderly-allowance application (15 working days) submitted through the service at `when`."""
    catalog: Catalog = app.state.pracha.registry.get(CATALOG)
    settings = app.state.pracha.settings
    with app.state.pracha.db.sessions() as db:
        owner = Principal(user=create_citizen(db))
        application = service.create_application(db, catalog, owner, "elderly-allowance", ELDERLY_FORM)
        storage = service.Storage(settings.upload_dir, settings.max_upload_bytes)
        for requirement in ("id-card", "house-registration"):
            service.add_document(db, storage, catalog, owner, application, requirement=requirement,
                                 filename="doc.pdf", content_type="application/pdf", stream=io.BytesIO(PDF))
        service.act(db, catalog, owner, application, "submit", now=when, declaration=True)
        db.commit()
        return application.reference


def test_a_submitted_applications_due_date_skips_songkran(app: FastAPI) -> None:
    submitted = dt.datetime(2027, 4, 12, 9, 30, tzinfo=BANGKOK)  # Monday before Songkran
    reference = submit_at(app, submitted)
    with app.state.pracha.db.sessions() as db:
        stored = db.scalars(select(Application).where(Application.reference == reference)).one()
        # 15 working days: 16 April, 19–23, 26–30 April, 3 May (Labour Day's substitution: offices open),
        # 5–7 May (4 May is Coronation Day). Counting weekends only would say 3 May.
        assert stored.due_date == D(2027, 5, 7)
        assert stored.submitted_at is not None and stored.submitted_at.astimezone(BANGKOK) == submitted


def test_sla_reminders_count_working_days(app: FastAPI) -> None:
    catalog: Catalog = app.state.pracha.registry.get(CATALOG)
    start = catalog.calendar.add_working_days(D(2027, 4, 16), -15)
    submit_at(app, dt.datetime.combine(start, dt.time(10), tzinfo=BANGKOK))
    with app.state.pracha.db.sessions() as db:
        create_staff(db, "officer", "cm-elderly-welfare")
        assert db.scalars(select(Application.due_date)).one() == D(2027, 4, 16)
        # On Monday 12 April the next working day is Friday 16 (Songkran between): due soon, remind.
        assert schedules.sla_reminders(db, D(2027, 4, 12), 1, catalog.calendar)["reminders"] == 1
        # On Friday 9 April the next working day is Monday 12: not yet.
        assert schedules.sla_reminders(db, D(2027, 4, 9), 1, catalog.calendar)["reminders"] == 0
