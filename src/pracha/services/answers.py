"""Check your answers: what the citizen is about to send, in words (labels as on the form, options as
their labels, yes/no, dates in the Buddhist Era), what it costs, what happens after, what they will
receive, and the declaration of truth they make by submitting. Pure: no database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from pracha.calendar import WorkCalendar, format_date
from pracha.services import forms
from pracha.services.catalog import Service, Step, Text

# The declaration the citizen confirms; the ledger entry of the submit names it by DECLARATION_ID, so
# a change of wording gets a new id (the old entries keep meaning what was shown then).
DECLARATION_ID = "truth-2569-1"
DECLARATION = Text(
    "ข้าพเจ้าขอรับรองว่าข้อความที่ให้ไว้ในคำขอนี้และเอกสารที่แนบเป็นความจริงทุกประการ หากปรากฏภายหลังว่า"
    "ไม่เป็นความจริง หน่วยงานอาจยกเลิกคำขอหรือเรียกคืนสิทธิประโยชน์ที่ได้รับไปแล้ว และข้าพเจ้าทราบดีว่า"
    "การแจ้งข้อความอันเป็นเท็จแก่เจ้าพนักงานเป็นความผิดตามประมวลกฎหมายอาญา มาตรา 137",
    "I declare that the information in this application and the documents attached are true. If any of it "
    "later proves untrue, the agency may cancel the application or reclaim any benefit already paid, and I "
    "understand that giving false information to an official is an offence under section 137 of the "
    "Criminal Code.",
)
YES, NO, EMPTY = Text("ใช่", "Yes"), Text("ไม่ใช่", "No"), Text("ไม่ได้กรอก", "Not given")
ACTORS = {"system": Text("ระบบอัตโนมัติ", "The system"), "officer": Text("เจ้าหน้าที่", "An officer"),
          "citizen": Text("ท่าน", "You")}


@dataclass(frozen=True)
class Answer:
    name: str
    label: Text
    value: Text


@dataclass(frozen=True)
class NextStep:
    actor: Text
    text: Text


def _value(field: dict[str, Any], value: Any) -> Text:
    if field["widget"] == "checkbox":
        return YES if value else NO
    if value is None or value == "":
        return EMPTY
    for option, label in field["options"]:
        if option == value:
            return Text(label["th"], label["en"])
    if field["widget"] == "date" and isinstance(value, str):
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            return Text(value, value)
        return Text(format_date(day, "th"), format_date(day, "en"))
    if isinstance(value, int | float) and not isinstance(value, bool):
        shown = f"{value:,}"
        return Text(shown, shown)
    return Text(str(value), str(value))


def answers(service: Service, data: dict[str, Any]) -> list[Answer]:
    """Every field of the form in its order, answered or not (a checkbox left empty means "no")."""
    return [Answer(f["name"], Text(f["label"]["th"], f["label"]["en"]), _value(f, data.get(f["name"])))
            for f in forms.fields(service.form_schema)]


def next_steps(service: Service) -> list[NextStep]:
    """The catalogue's steps after the citizen's own first one (filling in and sending)."""
    steps: tuple[Step, ...] = service.steps
    if steps and steps[0].actor == "citizen":
        steps = steps[1:]
    return [NextStep(ACTORS[s.actor], s.text) for s in steps]


def receives(service: Service) -> Text | None:
    """The document the citizen gets when the application is approved (the catalogue's `document`)."""
    title = (service.document or {}).get("title")
    if isinstance(title, dict) and title.get("th") and title.get("en"):
        return Text(str(title["th"]), str(title["en"]))
    return None


def expected_due(service: Service, calendar: WorkCalendar, today: dt.date) -> dt.date:
    """The date a decision is due if the application is sent today (working days, holidays skipped)."""
    return calendar.add_working_days(today, service.sla_days)
