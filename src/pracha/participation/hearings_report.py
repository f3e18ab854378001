"""At the close, the agency's summary of a hearing (Constitution s. 77: the views heard and the
agency's answers are published): a text and the main issues raised, each with the agency's response.
Writing it publishes the results as open data: counts.csv (answers per question and choice) and
comments.csv (the consented comments that are not hidden, numbered, without names)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from sqlalchemy.orm import Session

from pracha.db import utcnow
from pracha.errors import Conflict, InvalidInput
from pracha.identity.principal import Principal
from pracha.opendata.catalogue import OpenData, Upload, add_resource, create_package, find_dataset
from pracha.opendata.publishers import Publisher
from pracha.participation.hearings import status_of
from pracha.participation.hearings_answers import choice_counts, public_comments, response_count
from pracha.participation.models import H_CLOSED, H_REPORTED, Hearing

__all__ = ["HearingStillOpen", "dataset_name", "write_report"]

MAX_ISSUES = 30


class HearingStillOpen(Conflict):
    code = "hearing_not_closed"
    message_th = "ยังไม่ปิดรับฟังความคิดเห็น จึงยังสรุปผลไม่ได้ (หรือสรุปผลไปแล้ว)"
    message_en = "The hearing has not closed yet, so it cannot be summarised (or it was summarised already)."


def dataset_name(hearing: Hearing) -> str:
    return f"hearing-{hearing.id}-results"


def _clean(text: Any, limit: int) -> str | None:
    return text.strip() if isinstance(text, str) and text.strip() and len(text.strip()) <= limit else None


def check_report(text_th: str, text_en: str | None, issues: list[dict[str, Any]]) -> dict[str, Any]:
    problems: dict[str, dict[str, str]] = {}
    if _clean(text_th, 20000) is None:
        problems["text_th"] = {"th": "กรุณาเขียนสรุปผลภาษาไทย (ไม่เกิน 20,000 ตัวอักษร)",
                               "en": "Write the summary in Thai (at most 20,000 characters)."}
    kept = []
    for issue in issues if isinstance(issues, list) else [None]:
        if not isinstance(issue, dict):
            problems["issues"] = {"th": "ประเด็นไม่ถูกต้อง", "en": "The issues are not valid."}
            break
        issue_th, response_th = _clean(issue.get("issue_th"), 2000), _clean(issue.get("response_th"), 5000)
        if issue_th is None or response_th is None:
            problems["issues"] = {"th": "ทุกประเด็นต้องมีประเด็นและคำชี้แจงของหน่วยงานเป็นภาษาไทย",
                                  "en": "Each issue needs the issue and the agency's response in Thai."}
            break
        kept.append({"issue_th": issue_th, "issue_en": _clean(issue.get("issue_en"), 2000),
                     "response_th": response_th, "response_en": _clean(issue.get("response_en"), 5000)})
    if len(kept) > MAX_ISSUES:
        problems["issues"] = {"th": f"ไม่เกิน {MAX_ISSUES} ประเด็น", "en": f"At most {MAX_ISSUES} issues."}
    if problems:
        raise InvalidInput(fields=problems)
    return {"text_th": text_th.strip(), "text_en": _clean(text_en, 20000), "issues": kept}


def _csv(header: list[str], rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def results_files(session: Session, hearing: Hearing) -> tuple[bytes, bytes]:
    """counts.csv and comments.csv: what the public page shows, minus hidden comments."""
    counts = choice_counts(session, hearing)
    count_rows = [[q["id"], q["text_th"], c["id"], c["th"], counts[q["id"]][c["id"]]]
                  for q in hearing.questions if q["kind"] == "choice" for c in q["choices"]]
    sections = {s["id"]: s["title_th"] for s in hearing.sections}
    comment_rows = [[c.number, c.section_id, sections.get(c.section_id, ""), c.text]
                    for c in public_comments(session, hearing, include_hidden=False)]
    return (_csv(["question_id", "question_th", "choice_id", "choice_th", "responses"], count_rows),
            _csv(["comment_number", "section_id", "section_th", "comment"], comment_rows))


def _package(hearing: Hearing, total: int, agency_name: str) -> dict[str, Any]:
    return {
        "name": dataset_name(hearing), "owner_org": hearing.agency, "license_id": "Open Data Common",
        "title": f"ผลการรับฟังความคิดเห็น: {hearing.title_th}"[:300],
        "title_en": f"Results of the public hearing: {hearing.title_en or hearing.title_th}"[:300],
        "notes": (f"จำนวนผู้แสดงความคิดเห็นทั้งหมด {total:,} คน จำนวนคำตอบแยกตามคำถามและตัวเลือก "
                  "และความคิดเห็นของผู้ที่ยินยอมให้เผยแพร่ (ไม่มีชื่อหรือข้อมูลที่ระบุตัวบุคคล) "
                  f"จากการรับฟังความคิดเห็นของ{agency_name}"),
        "notes_en": (f"{total:,} people answered. Answers per question and choice, and the comments of those "
                     "who agreed to their publication (no names or identifying data)."),
        "data_type": "ข้อมูลสถิติ", "objective": ["เพื่อการให้บริการประชาชน", "พันธกิจหน่วยงาน"],
        "data_format": ["CSV"], "data_category": "ข้อมูลสาธารณะ", "disclosure": "เปิดเผย",
        "update_frequency_unit": "ไม่ทราบ", "geo_coverage": "เทศบาล/อบต.",
        "data_source": "ระบบรับฟังความคิดเห็นของแพลตฟอร์มประชา", "maintainer": agency_name[:200],
        "maintainer_email": "opendata@pracha.go.th", "groups": ["government"],
        "tags": ["รับฟังความคิดเห็น", "การมีส่วนร่วม"]}


def publish_results(session: Session, od: OpenData, publisher: Publisher, hearing: Hearing) -> str:
    """Create the dataset with its two CSVs (once: an existing name is left as it is)."""
    name = dataset_name(hearing)
    if find_dataset(session, name) is None:
        agency = od.catalog.agencies.get(hearing.agency)
        dataset = create_package(session, od, publisher, _package(
            hearing, response_count(session, hearing.id), agency.name.th if agency else hearing.agency))
        counts, comments = results_files(session, hearing)
        add_resource(session, od, publisher, dataset,
                     {"name": "จำนวนคำตอบแยกตามคำถามและตัวเลือก", "name_en": "Answers per question and choice",
                      "format": "CSV"}, upload=Upload("counts.csv", counts, "text/csv"))
        add_resource(session, od, publisher, dataset,
                     {"name": "ความคิดเห็นที่ยินยอมให้เผยแพร่", "name_en": "Comments published with consent",
                      "format": "CSV"}, upload=Upload("comments.csv", comments, "text/csv"))
    return name


def write_report(session: Session, principal: Principal, od: OpenData, hearing: Hearing, text_th: str,
                 text_en: str | None, issues: list[dict[str, Any]], *, now: dt.datetime | None = None) -> None:
    """The agency's summary after the close (once), and the results as open data, in one transaction."""
    now = now or utcnow()
    if status_of(hearing, now) != H_CLOSED:
        raise HearingStillOpen()
    report = check_report(text_th, text_en, issues)
    assert principal.user is not None  # the route allows only the agency's staff
    publisher = Publisher(f"user:{principal.user.id}", frozenset({hearing.agency}))
    hearing.dataset_name = publish_results(session, od, publisher, hearing)
    hearing.report = report
    hearing.reported_at = now
    hearing.status = H_REPORTED
