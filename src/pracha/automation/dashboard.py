"""The admin dashboard's figures (automation rate, queue depth, processing times, SLA compliance per
service and agency) and its charts, drawn server-side as SVG by pygal (no JavaScript, CSP-safe);
each chart has the same figures as a table on the page."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import pygal
from pygal.style import Style
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pracha.automation import tasks
from pracha.automation.models import BotDecision
from pracha.calendar import BANGKOK
from pracha.services import workflow
from pracha.services.models import Application

STYLE = Style(background="white", plot_background="white", foreground="#222", foreground_strong="#111",
              foreground_subtle="#555", colors=("#1d4e89", "#d1495b", "#2e8540", "#edae49", "#6c4f9c"),
              font_family="Loma, Garuda, sans-serif")


@dataclass
class Row:
    service_id: str
    agency: str
    decided: int = 0
    automated: int = 0
    to_officer: int = 0
    needs_info: int = 0
    within_sla: int = 0
    open: int = 0
    overdue: int = 0
    bot_seconds: float = 0.0
    decision_days: float = 0.0

    @property
    def automation_rate(self) -> float:
        return self.automated / self.decided if self.decided else 0.0

    @property
    def sla_rate(self) -> float:
        return self.within_sla / self.decided if self.decided else 1.0


def figures(session: Session, today: dt.date) -> dict[str, Any]:
    rows: dict[str, Row] = {}

    def row(service_id: str, agency: str) -> Row:
        return rows.setdefault(service_id, Row(service_id, agency))

    outcomes: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    bot_seconds: dict[str, list[float]] = defaultdict(list)
    for service_id, outcome, seconds in session.execute(
            select(BotDecision.service_id, BotDecision.outcome, BotDecision.seconds)):
        outcomes[service_id][outcome] += 1
        bot_seconds[service_id].append(seconds)
    automated_ids = set(session.scalars(select(BotDecision.application_id).where(BotDecision.outcome == "approved")))
    query = select(Application.id, Application.service_id, Application.agency, Application.status,
                   Application.submitted_at, Application.decided_at, Application.due_date).where(
        Application.status != workflow.DRAFT)
    days: dict[str, list[float]] = defaultdict(list)
    for app_id, service_id, agency, status, submitted, decided_at, due in session.execute(query):
        r = row(service_id, agency)
        if status in workflow.OPEN:
            r.open += 1
            r.overdue += int(due is not None and due < today)
        elif status in (workflow.APPROVED, workflow.REJECTED) and decided_at is not None:
            r.decided += 1
            r.automated += int(app_id in automated_ids)
            r.within_sla += int(due is None or decided_at.astimezone(BANGKOK).date() <= due)
            if submitted is not None:
                days[service_id].append((decided_at - submitted).total_seconds() / 86400)
    for service_id, r in rows.items():
        r.to_officer = outcomes[service_id].get("officer", 0)
        r.needs_info = outcomes[service_id].get("needs_info", 0)
        timings = bot_seconds.get(service_id)
        r.bot_seconds = sum(timings) / len(timings) if timings else 0.0
        r.decision_days = sum(days[service_id]) / len(days[service_id]) if days[service_id] else 0.0
    agencies: dict[str, Row] = {}
    for r in rows.values():
        a = agencies.setdefault(r.agency, Row("", r.agency))
        for name in ("decided", "automated", "to_officer", "needs_info", "within_sla", "open", "overdue"):
            setattr(a, name, getattr(a, name) + getattr(r, name))
    decided = sum(r.decided for r in rows.values())
    automated = sum(r.automated for r in rows.values())
    queue = dict(session.execute(select(Application.status, func.count()).where(
        Application.status.in_(workflow.OPEN)).group_by(Application.status)).all())
    return {"services": sorted(rows.values(), key=lambda r: r.service_id),
            "agencies": sorted(agencies.values(), key=lambda r: r.agency),
            "decided": decided, "automated": automated, "rate": automated / decided if decided else 0.0,
            "queue": {k: int(v) for k, v in queue.items()}, "tasks": tasks.counts(session)}


CHARTS = ("automation", "sla", "queue", "times")


def chart(name: str, data: dict[str, Any], titles: dict[str, str], lang: str) -> bytes:
    """One chart as SVG bytes. `titles` names the services in the page's language."""
    services = data["services"]
    labels = [titles.get(r.service_id, r.service_id) for r in services]
    th = lang != "en"
    options: dict[str, Any] = {"style": STYLE, "width": 760, "height": 380, "x_label_rotation": 20,
                               "legend_at_bottom": True, "disable_xml_declaration": False, "js": []}
    if name == "automation":
        graph = pygal.Bar(title="อัตราการอนุมัติอัตโนมัติ (%)" if th else "Automation rate (%)", range=(0, 100),
                          **options)
        graph.add("%", [round(100 * r.automation_rate, 1) for r in services])
    elif name == "sla":
        graph = pygal.Bar(title="ตัดสินภายในกำหนด (%)" if th else "Decided within the SLA (%)", range=(0, 100),
                          **options)
        graph.add("%", [round(100 * r.sla_rate, 1) for r in services])
    elif name == "queue":
        graph = pygal.StackedBar(title="คำขอที่รอดำเนินการ" if th else "Open applications", **options)
        graph.add("ยังไม่เกินกำหนด" if th else "On time", [r.open - r.overdue for r in services])
        graph.add("เกินกำหนด" if th else "Overdue", [r.overdue for r in services])
    else:
        graph = pygal.Bar(title="เวลาเฉลี่ยจนถึงการตัดสิน (วัน)" if th else "Average days to a decision", **options)
        graph.add("วัน" if th else "days", [round(r.decision_days, 2) for r in services])
    graph.x_labels = labels
    svg: bytes = graph.render()
    return svg
