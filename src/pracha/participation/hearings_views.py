"""What the hearing's API and pages show: one public view of a hearing (no person in it, ever: counts,
numbered comments, the agency), and the staff form's lines turned into sections and questions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from pracha.participation import hearings_answers as answers
from pracha.participation.hearings import status_of
from pracha.participation.models import Hearing
from pracha.participation.rules import Rules
from pracha.services.catalog import Catalog

__all__ = ["HearingView", "hearing_summary", "parse_questions", "parse_sections", "view_hearing"]


@dataclass
class HearingView:
    hearing: Hearing
    status: str
    responses: int
    counts: dict[str, dict[str, int]]
    comments: list[answers.PublicComment]
    tally_first: int | None
    tally_last: int | None


def _pair(th: str | None, en: str | None) -> dict[str, str | None]:
    return {"th": th, "en": en}


def hearing_summary(h: Hearing, catalog: Catalog, rules: Rules, now: dt.datetime | None = None) -> dict[str, Any]:
    agency = catalog.agencies.get(h.agency)
    kind = rules.hearing_kinds.get(h.kind, {"th": h.kind, "en": h.kind})
    return {"id": h.id, "agency": h.agency, "agency_name": _pair(agency.name.th, agency.name.en) if agency else None,
            "kind": h.kind, "kind_text": dict(kind), "title": _pair(h.title_th, h.title_en),
            "status": status_of(h, now), "opens_at": h.opens_at, "closes_at": h.closes_at,
            "url": f"/hearings/{h.id}", "api_url": f"/api/v1/hearings/{h.id}"}


def view_hearing(session: Session, hearing: Hearing, now: dt.datetime | None = None) -> HearingView:
    first, last = answers.tally_range(session, hearing.id)
    return HearingView(hearing, status_of(hearing, now), answers.response_count(session, hearing.id),
                       answers.choice_counts(session, hearing), answers.public_comments(session, hearing), first, last)


def hearing_detail(view: HearingView, catalog: Catalog, rules: Rules) -> dict[str, Any]:
    """The public JSON of one hearing."""
    h = view.hearing
    return {
        **hearing_summary(h, catalog, rules), "status": view.status,
        "summary": _pair(h.summary_th, h.summary_en), "sections": h.sections, "questions": h.questions,
        "document": None if h.document_sha256 is None else {
            "url": f"/api/v1/hearings/{h.id}/document", "name": h.document_name, "sha256": h.document_sha256},
        "responses": view.responses, "counts": view.counts,
        "comments": [{"number": c.number, "section_id": c.section_id, "text": c.text, "hidden": c.text is None,
                      "hidden_reason": c.hidden_reason, "response_id": c.response_id} for c in view.comments],
        "tally": {"ledger_first_index": view.tally_first, "ledger_last_index": view.tally_last,
                  "kind": "tally.hearing.response", "object_prefix": f"hearing:{h.id}/"},
        "report": h.report, "reported_at": h.reported_at,
        "dataset": None if h.dataset_name is None else {"name": h.dataset_name,
                                                         "url": f"/data/dataset/{h.dataset_name}"},
    }


def parse_sections(text: str) -> list[dict[str, Any]]:
    """One section a line: "Thai title" or "Thai title | English title"."""
    out = []
    for number, line in enumerate((x.strip() for x in text.splitlines() if x.strip()), start=1):
        th, _, en = line.partition("|")
        out.append({"id": f"s{number}", "title_th": th.strip(), "title_en": en.strip() or None})
    return out


def parse_questions(text: str) -> list[dict[str, Any]]:
    """One question a line: "question" (free text) or "question :: choice / choice / …" (a choice)."""
    out: list[dict[str, Any]] = []
    for number, line in enumerate((x.strip() for x in text.splitlines() if x.strip()), start=1):
        question, _, choices = line.partition("::")
        options = [c.strip() for c in choices.split("/") if c.strip()]
        out.append({"id": f"q{number}", "kind": "choice" if choices else "text", "text_th": question.strip(),
                    "choices": [{"id": f"c{i}", "th": c} for i, c in enumerate(options, start=1)]})
    return out
