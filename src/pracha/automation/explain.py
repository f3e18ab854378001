"""The bot's findings as sentences a citizen reads, in Thai and English: one per rule outcome, saying
what was checked, with which data, from where — never a fact path, a variable name, `= False`, a
message id or an ISO date. The pre-check's `because` and the bot's message both come from here.

A finding is the mapping `bot.finding` stores (`id`, `th`, `en`, `outcome`, `values`, `missing`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from pracha.automation.evaluate import ERROR, FAIL, MISSING, NOT_FOUND, PASS, REJECTED, UNANSWERED, UNAVAILABLE
from pracha.calendar import format_date
from pracha.exchange.vocabulary import BY_SUBSYSTEM
from pracha.services.catalog import Service

Both = dict[str, str]
APPROVED, OFFICER, NEEDS_INFO = "approved", "officer", "needs_info"
PROFILE = "profile"  # the citizen's own account (the pre-check's fallback for a birth date)

# What a registry field is, in words (by the path after the fact's name).
LABELS: dict[str, tuple[str, str]] = {
    "alive": ("สถานะการมีชีวิต", "whether alive"),
    "birth_date": ("วันเกิด", "date of birth"),
    "address.local_authority": ("ท้องถิ่นตามทะเบียนบ้าน", "local authority of the registered address"),
    "address.amphoe": ("อำเภอตามทะเบียนบ้าน", "district of the registered address"),
    "address.house_id": ("รหัสประจำบ้านตามทะเบียนบ้าน", "house code of the registered address"),
    "house_id": ("รหัสประจำบ้าน", "house code"),
    "members": ("รายชื่อผู้มีชื่อในทะเบียนบ้าน", "people registered in the house"),
    "allowances": ("เบี้ยยังชีพที่ได้รับอยู่", "allowances being paid"),
    "state_pension": ("การรับบำนาญจากรัฐ", "a government pension"),
    "in_state_care": ("การอยู่ในสถานสงเคราะห์", "living in a state care home"),
    "submitted_on": ("วันยื่นคำขอ", "the day of the application"),
    "status": ("สถานะ", "status"),
}
# Whose record a fact is (by the fact's name in the catalogue's `auto.facts`).
WHOSE: dict[str, tuple[str, str]] = {
    "child": ("ของเด็ก", "the child's"), "child_welfare": ("ของเด็ก", "the child's"),
    "new_house": ("ของบ้านหลังใหม่", "the new house's"), "app": ("", "the"),
    "juristic": ("ของนิติบุคคล", "the juristic person's"),
}
# Values of registry fields, in words.
WORDS: dict[str, tuple[str, str]] = {"active": ("ยังดำเนินกิจการอยู่", "active"), "closed": ("เลิกกิจการแล้ว", "closed")}
ALLOWANCES: dict[str, tuple[str, str]] = {
    "elderly": ("เบี้ยยังชีพผู้สูงอายุ", "elderly allowance"), "disability": ("เบี้ยความพิการ", "disability allowance"),
    "child-support": ("เงินอุดหนุนเพื่อการเลี้ยงดูเด็กแรกเกิด", "child support grant"),
}
PAYING: dict[str, tuple[str, str]] = {"paying": ("กำลังจ่าย", "being paid"), "stopped": ("หยุดจ่ายแล้ว", "stopped")}
WHO: dict[str, tuple[str, str]] = {"child": ("เด็ก", "the child"), "child_welfare": ("เด็ก", "the child")}
OFFICER_CHECKS: Both = {"th": "ระบบจึงตรวจข้อนี้เองไม่ได้ เจ้าหน้าที่จะตรวจสอบให้",
                        "en": "so this cannot be checked automatically; an officer will check it."}


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


def registry_name(source: str | None, lang: str) -> str:
    """The registry a source string names ("TH/GOV/DOPA/civil-registry/persons/…") in words."""
    for subsystem, registry in BY_SUBSYSTEM.items():
        if source and source.startswith(subsystem + "/"):
            return registry.source_en.removeprefix("from ") if lang == "en" else registry.source_th.removeprefix("จาก")
    return "the registry" if lang == "en" else "ทะเบียนของรัฐ"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def field_title(service: Service, name: str, lang: str) -> str:
    prop = service.form_schema.get("properties", {}).get(name, {})
    return str(prop.get("title") if lang == "en" else prop.get("x-title-th")) if prop else name


def _label(path: str, lang: str) -> str:
    fact, _, rest = path.partition(".")
    label = _pick(LABELS.get(rest, ("ข้อมูล", "record")), lang)
    whose = _pick(WHOSE.get(fact, ("ของท่าน", "your")), lang)
    return f"{whose} {label}" if lang == "en" else f"{label}{whose}"


def _value(value: Any, lang: str, service: Service | None = None, name: str = "") -> str:
    if isinstance(value, bool):
        return ("yes" if value else "no") if lang == "en" else ("ใช่" if value else "ไม่ใช่")
    if isinstance(value, str) and len(value) == 10 and value[4:5] == "-":
        try:
            return format_date(dt.date.fromisoformat(value), lang)
        except ValueError:
            pass
    if isinstance(value, dt.date):
        return format_date(value, lang)
    if isinstance(value, list):
        if not value:
            return "none" if lang == "en" else "ไม่มี"
        if all(isinstance(v, Mapping) and v.get("kind") in ALLOWANCES for v in value):
            return ", ".join(_allowance(v, lang) for v in value)
        return f"{len(value)} item(s)" if lang == "en" else f"{len(value)} รายการ"
    if isinstance(value, str) and value in WORDS and service is None:
        return _pick(WORDS[value], lang)
    if service is not None and name:
        labels = service.form_schema.get("properties", {}).get(name, {}).get("x-enum-labels", {})
        if value in labels:
            return str(labels[value]["en" if lang == "en" else "th"])
    return str(value)


def _allowance(item: Mapping[str, Any], lang: str) -> str:
    status = PAYING.get(str(item.get("status")))
    name = _pick(ALLOWANCES[item["kind"]], lang)
    return f"{name} ({_pick(status, lang)})" if status else name


def describe_read(service: Service, path: str, value: Any, source: str, lang: str) -> str:
    """One value a rule read, in words: "วันเกิดของท่าน 14 มีนาคม 2498 (จากทะเบียนราษฎร)"."""
    fact, _, name = path.partition(".")
    if fact == "form":
        title = field_title(service, name, lang)
        answer = _value(value, lang, service, name)
        return f"you answered “{title}”: {answer}" if lang == "en" else f"ท่านตอบ “{title}”: {answer}"
    if source == PROFILE:
        where = "from your account" if lang == "en" else "จากข้อมูลบัญชีผู้ใช้ของท่าน"
    elif fact == "app":
        where = ""
    else:
        where = ("from " if lang == "en" else "จาก") + registry_name(source, lang)
    text = f"{_label(path, lang)} {_value(value, lang)}"
    return f"{text} ({where})" if where else text


def _missing(service: Service, finding: Mapping[str, Any], lang: str, precheck: bool) -> str:
    missing = finding.get("missing") or {}
    path, problem = str(missing.get("path", "")), missing.get("problem")
    fact, _, rest = path.partition(".")
    registry = registry_name(missing.get("registry") or missing.get("source"), lang)
    en = lang == "en"
    typed = missing.get("typed")
    if problem == REJECTED and typed not in (None, ""):
        title, shown = field_title(service, rest, lang), f" {typed}"
        return (f"{_cap(registry)} has no record of the {title.lower()}{shown} you gave. Please check it." if en
                else f"{registry}ไม่พบ{title}{shown} ที่ท่านกรอก กรุณาตรวจสอบ")
    if fact == "form" or problem == UNANSWERED:
        title = field_title(service, rest, lang)
        if precheck:
            return (f"This depends on your answer in the form: “{title}”." if en
                    else f"ข้อนี้ขึ้นกับคำตอบของท่านในแบบฟอร์ม: “{title}”")
        return f"You have not answered “{title}”." if en else f"ท่านยังไม่ได้ตอบ “{title}”"
    tail = OFFICER_CHECKS["en" if en else "th"]
    if problem == UNAVAILABLE:
        return (f"{_cap(registry)} could not be asked just now, {tail}" if en
                else f"ขณะนี้สอบถาม{registry}ไม่ได้ {tail}")
    if rest == "alive":
        who = _pick(WHO.get(fact, ("ท่าน", "you")), lang)
        return (f"{_cap(registry)} has no record showing that {who} {'is' if who != 'you' else 'are'} alive, {tail}"
                if en else f"ไม่พบข้อมูลใน{registry}ว่า{who}ยังมีชีวิตอยู่ {tail}")
    label = _label(path, lang)
    if problem == NOT_FOUND:
        return f"{_cap(registry)} has no record of {label}, {tail}" if en else f"ไม่พบ{label}ใน{registry} {tail}"
    return f"{_cap(registry)} did not give {label}, {tail}" if en else f"{registry}ไม่ได้ให้{label} {tail}"


def because(service: Service, finding: Mapping[str, Any], *, precheck: bool = False) -> Both:
    """Why a rule came out as it did, as a sentence in Thai and in English."""
    return {lang: _because(service, finding, lang, precheck) for lang in ("th", "en")}


def _because(service: Service, finding: Mapping[str, Any], lang: str, precheck: bool) -> str:
    outcome = finding.get("outcome")
    en = lang == "en"
    if outcome == MISSING:
        return _missing(service, finding, lang, precheck)
    if outcome == ERROR:
        return (f"The data could not be compared automatically, {OFFICER_CHECKS['en']}" if en
                else f"ข้อมูลที่ได้มาเทียบกับเงื่อนไขโดยอัตโนมัติไม่ได้ {OFFICER_CHECKS['th']}")
    reads = [describe_read(service, v["path"], v["value"], v["source"], lang) for v in finding.get("values", [])
             if not str(v["path"]).startswith("app.")]
    if outcome not in (PASS, FAIL):
        return ""
    if not reads:
        return "Checked." if en else "ตรวจแล้ว"
    return f"Based on {'; '.join(reads)}." if en else f"ตามข้อมูล: {'; '.join(reads)}"


def field_to_fix(finding: Mapping[str, Any]) -> str | None:
    """The form field the citizen should check (its anchor is `#field-<name>`), if the finding names one."""
    missing = finding.get("missing") or {}
    path = str(missing.get("path", ""))
    if finding.get("outcome") == MISSING and missing.get("source") == "form" and path.startswith("form."):
        return path.split(".", 1)[1]
    return None


def explain(service: Service, outcome: str, findings: Sequence[Mapping[str, Any]],
            documents: Mapping[str, Any]) -> Both:
    """The message that goes with the bot's status change, in Thai and in English."""
    return {lang: _explain(service, outcome, findings, documents, lang) for lang in ("th", "en")}


def _explain(service: Service, outcome: str, findings: Sequence[Mapping[str, Any]],
             documents: Mapping[str, Any], lang: str) -> str:
    en = lang == "en"
    if outcome == APPROVED:
        return (f"The automatic check passed all {len(findings)} conditions." if en
                else f"ระบบตรวจสอบอัตโนมัติผ่านครบทั้ง {len(findings)} เงื่อนไข")
    if outcome == NEEDS_INFO:
        lines = [_because(service, f, lang, False) for f in findings if field_to_fix(f)]
        names = {d.id: d.name.get(lang) for d in service.documents}
        docs = [names.get(d, d) for d in [*documents.get("missing", []), *documents.get("unusable", [])]]
        if docs:
            lines.append(("Please attach: " if en else "กรุณาแนบเอกสาร: ") + "; ".join(dict.fromkeys(docs)))
        return "\n".join(dict.fromkeys(lines))
    def line(head: str, f: Mapping[str, Any]) -> str:
        return f"{head}{f['en' if en else 'th']} — {_because(service, f, lang, False)}"

    lines = [line("Not met: " if en else "ไม่ผ่าน: ", f) for f in findings if f.get("outcome") == FAIL]
    lines += [line("Could not check: " if en else "ตรวจไม่ได้: ", f) for f in findings
              if f.get("outcome") in (MISSING, ERROR)]
    head = "Passed to an officer" if en else "ส่งให้เจ้าหน้าที่พิจารณา"
    return head + ("\n" + "\n".join(lines) if lines else "")
