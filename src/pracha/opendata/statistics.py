"""The platform's statistics as tables: read from the live tables, aggregated per complete month
(Bangkok time), and passed through small-cell suppression (`disclosure`) before anything leaves.

    applications_by_district   submitted applications by service, month and the applicant's district
    processing_times           decisions by agency and month: median and 90th percentile working days, SLA share
    automation_rate            decisions by service and month, and the share the bot decided
    exchange_requests          data-exchange requests by client, month and purpose (counts only)

Only months that have ended are counted: a month's figures never change once published, so comparing
two daily versions of a file tells nothing that one version does not (a running month's daily growth
would show single applications)."""

from __future__ import annotations

import datetime as dt
import re
import statistics
from collections import defaultdict
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.calendar import BANGKOK, THAI_MONTHS_SHORT, WorkCalendar
from pracha.exchange.models import MessageLog, Subsystem
from pracha.identity.principal import SYSTEM
from pracha.opendata import disclosure
from pracha.opendata.disclosure import Cell, K
from pracha.services import workflow
from pracha.services.catalog import Catalog
from pracha.services.models import Application, ApplicationEvent

UNKNOWN = "ไม่ระบุ"  # a place the platform does not know
TOTAL = "total"
# Answers that name where the applicant lives, in order of trust; then the account's address; then
# answers that name a place the application is about (a site, a shop), which is usually nearby.
HOME_FIELDS = ("current_address", "new_address")
PLACE_FIELDS = ("site_address", "shop_address", "business_address", "workplace_address", "signs_address")
_DISTRICT = re.compile(r"(?:อำเภอ|อ\.|เขต)\s*([^\s,]+)")
_PROVINCE = re.compile(r"(?:จังหวัด|จ\.)\s*([^\s,\d]+)|(กรุงเทพมหานคร|กรุงเทพฯ)")


@dataclass
class Table:
    """Rows ready for a CSV: `columns` are machine names, `rows` dicts with those keys (None: empty)."""

    columns: tuple[str, ...]
    rows: list[dict[str, Any]] = field(default_factory=list)


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def cutoff(today: dt.date) -> dt.datetime:
    """The start of the current month in Bangkok: only what happened before it is counted."""
    return dt.datetime.combine(month_start(today), dt.time(), tzinfo=BANGKOK)


def month_of(moment: dt.datetime) -> str:
    return moment.astimezone(BANGKOK).strftime("%Y-%m")


def month_th(month: str) -> str:
    """"2026-01" as "ม.ค. 2569" (Buddhist Era)."""
    year, number = (int(part) for part in month.split("-"))
    return f"{THAI_MONTHS_SHORT[number - 1]} {year + 543}"


def months_between(first: str, last: str) -> list[str]:
    year, number = (int(p) for p in first.split("-"))
    found = []
    while f"{year:04d}-{number:02d}" <= last:
        found.append(f"{year:04d}-{number:02d}")
        year, number = (year + 1, 1) if number == 12 else (year, number + 1)
    return found


def place_of(text: Any) -> tuple[str, str] | None:
    """(province, district) named in a Thai address, or None."""
    if not isinstance(text, str) or (match := _DISTRICT.search(text)) is None:
        return None
    district = match.group(1)
    province = _PROVINCE.search(text)
    bangkok = text[match.start():].startswith("เขต")
    name = "กรุงเทพมหานคร" if bangkok else (province.group(1) or province.group(2)) if province else UNKNOWN
    return name, district


def district_of(answers: dict[str, Any], registered: dict[str, Any] | None) -> tuple[str, str]:
    """Where the applicant lives, as the platform knows it: the application's home address, the
    account's address, or the address of the place applied for; else (ไม่ระบุ, ไม่ระบุ)."""
    home = [answers.get(name) for name in HOME_FIELDS]
    account = [registered.get("formatted"), registered.get("locality")] if registered else []
    places = [answers.get(name) for name in PLACE_FIELDS]
    for text in (*home, *account, *places):
        if (found := place_of(text)) is not None:
            return found
    return UNKNOWN, UNKNOWN


def _service_names(catalog: Catalog) -> dict[str, tuple[str, str]]:
    return {sid: (s.name.th, s.name.en) for sid, s in catalog.services.items()}


def applications_by_district(session: Session, catalog: Catalog, today: dt.date, k: int = K) -> Table:
    table = Table(("service_id", "service_th", "service_en", "month", "month_th", "row_type", "province",
                   "district", "applications", "suppressed"))
    seen: dict[tuple[tuple[str, ...], tuple[str, ...]], list[Hashable]] = defaultdict(list)
    people: dict[tuple[tuple[str, ...], tuple[str, ...]], set[Hashable]] = defaultdict(set)
    query = select(Application).where(Application.submitted_at.is_not(None), Application.submitted_at < cutoff(today))
    places, months = set(), set()
    for application in session.scalars(query.execution_options(yield_per=500)):
        assert application.submitted_at is not None
        place = district_of(application.data or {}, application.citizen.address)
        month = month_of(application.submitted_at)
        group_key = ((application.service_id, month), place)
        seen[group_key].append(application.id)
        people[group_key].add(application.citizen_id)
        places.add(place)
        months.add(month)
    if not months:
        return table
    names = _service_names(catalog)
    services = list(names) + sorted({g[0] for g, _ in seen} - set(names))
    groups = [(sid, month) for sid in services for month in months_between(min(months), max(months))]
    # every district in every service-month, empty ones too: a row's presence must not reveal anyone
    cells = [Cell(group, place, len(seen.get((group, place), [])), frozenset(people.get((group, place), ())))
             for group in groups for place in sorted(places)]
    shown, totals = disclosure.suppress(cells, k)
    by_group = {t.group: t for t in totals}
    rows_of: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    for s in shown:
        rows_of[s.cell.group].append({"row_type": "district", "province": s.cell.key[0], "district": s.cell.key[1],
                                      "applications": s.value, "suppressed": s.suppressed})
    for group in groups:
        sid, month = group
        name_th, name_en = names.get(sid, (sid, sid))
        total = by_group[group]
        head = {"service_id": sid, "service_th": name_th, "service_en": name_en, "month": month,
                "month_th": month_th(month)}
        for row in rows_of[group]:
            table.rows.append(head | row)
        table.rows.append(head | {"row_type": TOTAL, "province": "", "district": "", "applications": total.value,
                                  "suppressed": total.value is None})
    return table


def _working_days(calendar: WorkCalendar, start: dt.date, end: dt.date, memo: dict[dt.date, bool]) -> int:
    """Working days after `start` up to and including `end` (a decision the same day: 0)."""
    count, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        if day not in memo:
            memo[day] = calendar.is_working_day(day)
        count += memo[day]
    return count


def percentile(values: list[int], q: float) -> float:
    """Nearest-rank percentile (q in 0..1) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 1))
    return float(ordered[int(rank) - 1])


def _decided(session: Session, today: dt.date) -> list[Application]:
    return list(session.scalars(select(Application).where(
        Application.status.in_((workflow.APPROVED, workflow.REJECTED)), Application.decided_at.is_not(None),
        Application.submitted_at.is_not(None), Application.decided_at < cutoff(today))
        .order_by(Application.id).execution_options(yield_per=500)))


def processing_times(session: Session, catalog: Catalog, today: dt.date, k: int = K) -> Table:
    table = Table(("agency", "agency_th", "agency_en", "month", "month_th", "decided", "median_working_days",
                   "p90_working_days", "within_sla_percent", "suppressed"))
    memo: dict[dt.date, bool] = {}
    groups: dict[tuple[str, str], list[tuple[int, int, bool]]] = defaultdict(list)  # (citizen, days, on time)
    for application in _decided(session, today):
        assert application.submitted_at is not None and application.decided_at is not None
        decided = application.decided_at.astimezone(BANGKOK).date()
        days = _working_days(catalog.calendar, application.submitted_at.astimezone(BANGKOK).date(), decided, memo)
        on_time = application.due_date is None or decided <= application.due_date
        groups[(application.agency, month_of(application.decided_at))].append((application.citizen_id, days, on_time))
    for (agency, month), items in sorted(groups.items()):
        name = catalog.agencies.get(agency)
        everyone = {c for c, _, _ in items}
        row: dict[str, Any] = {"agency": agency, "agency_th": name.name.th if name else agency,
                               "agency_en": name.name.en if name else agency, "month": month,
                               "month_th": month_th(month),
                               "decided": None, "median_working_days": None, "p90_working_days": None,
                               "within_sla_percent": None, "suppressed": True}
        if disclosure.enough(everyone, k):
            spans = [d for _, d, _ in items]
            kept, missed = {c for c, _, ok in items if ok}, {c for c, _, ok in items if not ok}
            row |= {"decided": len(items), "median_working_days": float(statistics.median(spans)),
                    "p90_working_days": percentile(spans, 0.9), "suppressed": False}
            if disclosure.share_safe(len(kept), len(missed), k):
                row["within_sla_percent"] = round(100 * sum(ok for _, _, ok in items) / len(items), 1)
        table.rows.append(row)
    return table


def automation_rate(session: Session, catalog: Catalog, today: dt.date, k: int = K) -> Table:
    table = Table(("service_id", "service_th", "service_en", "month", "month_th", "decided", "automated_percent",
                   "suppressed"))
    decided = _decided(session, today)
    deciders: dict[int, str] = {}
    ids = [a.id for a in decided]
    for start in range(0, len(ids), 500):
        for app_id, role in session.execute(
                select(ApplicationEvent.application_id, ApplicationEvent.actor_role)
                .where(ApplicationEvent.application_id.in_(ids[start:start + 500]),
                       ApplicationEvent.to_status.in_((workflow.APPROVED, workflow.REJECTED)))
                .order_by(ApplicationEvent.id)):
            deciders[app_id] = role  # the last decision event wins
    groups: dict[tuple[str, str], list[tuple[int, bool]]] = defaultdict(list)
    for application in decided:
        assert application.decided_at is not None
        groups[(application.service_id, month_of(application.decided_at))].append(
            (application.citizen_id, deciders.get(application.id) == SYSTEM))
    names = _service_names(catalog)
    for (sid, month), items in sorted(groups.items()):
        name_th, name_en = names.get(sid, (sid, sid))
        row: dict[str, Any] = {"service_id": sid, "service_th": name_th, "service_en": name_en, "month": month,
                               "month_th": month_th(month), "decided": None, "automated_percent": None,
                               "suppressed": True}
        if disclosure.enough({c for c, _ in items}, k):
            row |= {"decided": len(items), "suppressed": False}
            by_bot, by_staff = {c for c, bot in items if bot}, {c for c, bot in items if not bot}
            if disclosure.share_safe(len(by_bot), len(by_staff), k):
                row["automated_percent"] = round(100 * sum(bot for _, bot in items) / len(items), 1)
        table.rows.append(row)
    return table


def exchange_requests(session: Session, catalog: Catalog, today: dt.date, k: int = K) -> Table:
    """Requests through the mediator (allowed or denied) by client subsystem, month and purpose. The
    people behind a cell are its distinct subjects; a request without a known subject counts as one."""
    table = Table(("client_id", "client_th", "client_en", "month", "month_th", "row_type", "purpose", "requests",
                   "suppressed"))
    subjects: dict[tuple[tuple[str, ...], tuple[str, ...]], set[Hashable]] = defaultdict(set)
    counts: dict[tuple[tuple[str, ...], tuple[str, ...]], int] = defaultdict(int)
    purposes, clients, months = set(), set(), set()
    for log_id, client, purpose, subject, created in session.execute(
            select(MessageLog.id, MessageLog.client_id, MessageLog.purpose, MessageLog.subject_user_id,
                   MessageLog.created_at).where(MessageLog.created_at < cutoff(today))):
        month = month_of(created)
        key = ((client, month), (purpose,))
        counts[key] += 1
        subjects[key].add(("person", subject) if subject is not None else ("request", log_id))
        purposes.add((purpose,))
        clients.add(client)
        months.add(month)
    if not months:
        return table
    names = {s.id: (s.name_th, s.name_en) for s in session.scalars(select(Subsystem).where(Subsystem.id.in_(clients)))}
    groups = [(client, month) for client in sorted(clients) for month in months_between(min(months), max(months))]
    cells = [Cell(group, key, counts.get((group, key), 0), frozenset(subjects.get((group, key), ())))
             for group in groups for key in sorted(purposes)]
    shown, totals = disclosure.suppress(cells, k)
    by_group = {t.group: t for t in totals}
    rows_of: dict[tuple[str, ...], list[disclosure.Shown]] = defaultdict(list)
    for s in shown:
        rows_of[s.cell.group].append(s)
    for group in groups:
        client, month = group
        name_th, name_en = names.get(client, (client, client))
        head = {"client_id": client, "client_th": name_th, "client_en": name_en, "month": month,
                "month_th": month_th(month)}
        for s in rows_of[group]:
            table.rows.append(head | {"row_type": "purpose", "purpose": s.cell.key[0], "requests": s.value,
                                      "suppressed": s.suppressed})
        total = by_group[group]
        table.rows.append(head | {"row_type": TOTAL, "purpose": "", "requests": total.value,
                                  "suppressed": total.value is None})
    return table
