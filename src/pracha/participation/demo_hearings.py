"""The demo's hearings (`pracha seed --demo`): an open hearing on the city's draft waste ordinance with
about forty answers, and a reported hearing on the Nimmanhaemin pavements with its summary and open data."""

from __future__ import annotations

import datetime as dt
import html
import random
from dataclasses import replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.config import Settings
from pracha.identity.models import User
from pracha.identity.principal import Principal
from pracha.opendata.catalogue import OpenData
from pracha.participation import hearings, hearings_answers, hearings_report
from pracha.participation.models import H_OPEN, Hearing
from pracha.participation.rules import load_rules
from pracha.services.catalog import Catalog

AGENCY = "cm-city-environment"
WASTE = hearings.Draft(
    kind="ordinance", title_th="ร่างเทศบัญญัติเทศบาลนครเชียงใหม่ เรื่อง การจัดการสิ่งปฏิกูลและมูลฝอย พ.ศ. 2570",
    title_en="Draft Chiang Mai City ordinance on the management of sewage and solid waste, B.E. 2570",
    summary_th=("ร่างเทศบัญญัตินี้ปรับปรุงอัตราค่าธรรมเนียมเก็บและขนมูลฝอยจากอาคารที่อยู่อาศัยและสถานประกอบการ "
                "ซึ่งใช้มาตั้งแต่ พ.ศ. 2552 ให้สอดคล้องกับต้นทุนจริง กำหนดให้ครัวเรือนและร้านค้าคัดแยกมูลฝอยที่ต้นทาง "
                "(มูลฝอยทั่วไป มูลฝอยอินทรีย์ มูลฝอยรีไซเคิล และมูลฝอยอันตราย) และกำหนดวันเวลาเก็บขนแยกประเภท "
                "ครัวเรือนที่คัดแยกมูลฝอยอินทรีย์และนำไปหมักเองได้รับลดค่าธรรมเนียมร้อยละ 20 "
                "ผู้ที่ทิ้งมูลฝอยในที่สาธารณะมีโทษปรับไม่เกิน 10,000 บาท ตามพระราชบัญญัติรักษาความสะอาดฯ"),
    summary_en=("The draft updates the collection fees for homes and businesses (unchanged since 2009) to the real "
                "cost, requires households and shops to separate waste at source (general, organic, recyclable, "
                "hazardous) with separate collection days, gives a 20% fee reduction to households that compost, "
                "and fines littering up to 10,000 baht under the Public Cleanliness Act."),
    opens_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC), closes_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC),
    sections=[{"id": "s1", "title_th": "หมวด 1 บททั่วไปและบทนิยาม", "title_en": "Chapter 1: General provisions"},
              {"id": "s2", "title_th": "หมวด 2 การคัดแยกมูลฝอยที่ต้นทาง", "title_en": "Chapter 2: Separation at source"},
              {"id": "s3", "title_th": "หมวด 3 อัตราค่าธรรมเนียม", "title_en": "Chapter 3: Fees"},
              {"id": "s4", "title_th": "หมวด 4 บทกำหนดโทษ", "title_en": "Chapter 4: Penalties"}],
    questions=[
        {"id": "q1", "kind": "choice", "text_th": "ท่านเห็นด้วยกับอัตราค่าธรรมเนียมเก็บขนมูลฝอยใหม่ (ครัวเรือน 40 บาทต่อเดือน) หรือไม่",
         "text_en": "Do you agree with the new collection fee (40 baht a month per household)?",
         "choices": [{"id": "agree", "th": "เห็นด้วย", "en": "Agree"},
                     {"id": "disagree", "th": "ไม่เห็นด้วย", "en": "Disagree"},
                     {"id": "unsure", "th": "ไม่แน่ใจ", "en": "Not sure"}]},
        {"id": "q2", "kind": "choice", "text_th": "ครัวเรือนของท่านพร้อมคัดแยกมูลฝอยเป็น 4 ประเภทที่ต้นทางหรือไม่",
         "text_en": "Is your household ready to separate waste into four kinds at source?",
         "choices": [{"id": "ready", "th": "พร้อม", "en": "Ready"},
                     {"id": "help", "th": "พร้อม หากเทศบาลแจกถังแยกประเภท", "en": "Ready if the city gives bins"},
                     {"id": "no", "th": "ไม่พร้อม", "en": "Not ready"}]},
        {"id": "q3", "kind": "text", "text_th": "ข้อเสนอแนะอื่น ๆ ต่อร่างเทศบัญญัตินี้", "text_en": "Other suggestions"}])
COMMENTS = {
    "s2": ["ขอให้เทศบาลแจกถังแยกขยะให้ทุกบ้านก่อนบังคับใช้", "ควรมีจุดรับขยะอันตรายในทุกชุมชน เช่น ถ่านไฟฉาย หลอดไฟ",
           "หมู่บ้านจัดสรรของเราแยกขยะอยู่แล้ว ขอให้รถเก็บขยะแยกเก็บจริง ไม่เทรวมกัน"],
    "s3": ["40 บาทแพงไปสำหรับผู้สูงอายุที่อยู่คนเดียว ควรมีอัตราพิเศษ", "ร้านอาหารควรจ่ายตามปริมาณขยะจริง",
           "เห็นด้วยกับส่วนลดสำหรับบ้านที่หมักขยะอินทรีย์เอง"],
    "s4": ["ค่าปรับควรใช้กับนักท่องเที่ยวที่ทิ้งขยะริมคูเมืองด้วย", "ขอให้ติดกล้องจุดที่มีการลักลอบทิ้งขยะ"],
}
PAVEMENT = hearings.Draft(
    kind="project", title_th="โครงการปรับปรุงทางเท้าถนนนิมมานเหมินท์",
    title_en="Improving the pavements of Nimmanhaemin Road",
    summary_th=("ขยายทางเท้าสองฝั่งถนนนิมมานเหมินท์ช่วงแยกรินคำถึงซอย 17 เป็นกว้าง 2.5 เมตร ปูพื้นผิวกันลื่น "
                "ทำทางลาดสำหรับรถเข็นทุกทางแยก นำสายไฟฟ้าและสายสื่อสารลงดิน และปลูกต้นไม้ให้ร่มเงา ระยะเวลาก่อสร้าง 10 เดือน"),
    summary_en=("Widen both pavements of Nimmanhaemin Road (Rincome junction to Soi 17) to 2.5 m, with non-slip "
                "paving, ramps at every junction, cables underground and shade trees; 10 months of works."),
    opens_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC), closes_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC),
    sections=[{"id": "s1", "title_th": "แบบทางเท้าและทางลาด", "title_en": "Pavement and ramps"},
              {"id": "s2", "title_th": "การก่อสร้างและการจราจร", "title_en": "Works and traffic"}],
    questions=[{"id": "q1", "kind": "choice", "text_th": "ท่านเห็นด้วยกับโครงการนี้หรือไม่",
                "text_en": "Do you support this project?",
                "choices": [{"id": "agree", "th": "เห็นด้วย", "en": "Agree"},
                            {"id": "disagree", "th": "ไม่เห็นด้วย", "en": "Disagree"}]}])
PAVEMENT_REPORT: dict[str, Any] = {
    "text_th": ("ผู้แสดงความคิดเห็นส่วนใหญ่เห็นด้วยกับโครงการ โดยกังวลเรื่องการจราจรระหว่างก่อสร้างและที่จอดรถของร้านค้า "
                "เทศบาลจะก่อสร้างทีละช่วง ช่วงละไม่เกิน 300 เมตร และทำงานกลางคืนในช่วงที่ต้องปิดช่องจราจร"),
    "issues": [{"issue_th": "การจราจรติดขัดระหว่างก่อสร้าง",
                "response_th": "ก่อสร้างทีละช่วงไม่เกิน 300 เมตร ปิดช่องจราจรเฉพาะกลางคืน"},
               {"issue_th": "ที่จอดรถหน้าร้านค้าลดลง",
                "response_th": "จัดจุดจอดส่งของทุก 100 เมตร และประสานลานจอดรถเอกชนใกล้เคียง"},
               {"issue_th": "ต้นไม้เดิมริมถนน", "response_th": "เก็บต้นไม้ใหญ่เดิมไว้ทั้งหมด และปลูกเพิ่ม 120 ต้น"}]}


def draft_pdf(draft: hearings.Draft) -> bytes:
    """The full text as a Thai PDF (WeasyPrint shapes Thai with the TLWG fonts)."""
    from weasyprint import HTML  # imported here: loading Pango takes a moment

    sections = "".join(f"<h2>{html.escape(s['title_th'])}</h2><p>(ร่างบทบัญญัติของหมวดนี้)</p>" for s in draft.sections)
    page = ("<html lang='th'><body style='font-family: Loma, Garuda, sans-serif'>"
            f"<h1>{html.escape(draft.title_th)}</h1>"
            f"<p>{html.escape(draft.summary_th)}</p>{sections}<p>ข้อมูลสาธิต (demo)</p></body></html>")
    return bytes(HTML(string=page).write_pdf())


def _add(session: Session, admin: User, catalog: Catalog, settings: Settings, draft: hearings.Draft,
         opens_at: dt.datetime, closes_at: dt.datetime) -> Hearing:
    rules = load_rules(settings.catalog_dir.resolve())
    draft = replace(draft, opens_at=opens_at, closes_at=closes_at)
    hearing = hearings.create_hearing(session, Principal(user=admin), rules, frozenset(catalog.agencies), draft)
    hearings.attach_document(hearing, draft_pdf(draft), "draft.pdf", settings.max_upload_bytes)
    hearing.status = H_OPEN  # published back then (publish_hearing checks the period from now)
    session.flush()
    return hearing


def _answer(session: Session, secret: bytes, hearing: Hearing, people: list[User], rng: random.Random,
            now: dt.datetime, comments: dict[str, list[str]]) -> None:
    for person in people:
        answers = {q["id"]: rng.choice(q["choices"])["id"] for q in hearing.questions if q["kind"] == "choice"}
        said: dict[str, str] = {}
        if rng.random() < 0.4:
            section = rng.choice(list(comments))
            said[section] = rng.choice(comments[section])
        when = now - dt.timedelta(minutes=rng.randint(5, 60 * 24 * 4))
        hearings_answers.answer_hearing(session, Principal(user=person), secret, hearing, hearings_answers.Answer(
            answers, said, publish_consent=rng.random() < 0.7), now=when)


def seed_hearings(session: Session, catalog: Catalog, settings: Settings, secret: bytes, people: list[User],
                  now: dt.datetime) -> None:
    """`people`: the demo citizens (people[0] สมชาย, people[1] สมหญิง, then วิชัย, มาลี, then random ones)."""
    admin = session.scalar(select(User).where(User.username == f"admin.{AGENCY}"))
    engineering = session.scalar(select(User).where(User.username == "admin.cm-city-engineering"))
    if admin is None or engineering is None or AGENCY not in catalog.agencies:
        return
    rng = random.Random(2570)
    crowd = people[4:]
    waste = _add(session, admin, catalog, settings, WASTE, now - dt.timedelta(days=5), now + dt.timedelta(days=25))
    _answer(session, secret, waste, rng.sample(crowd, min(40, len(crowd))), rng, now, COMMENTS)
    pavement = _add(session, engineering, catalog, settings, PAVEMENT, now - dt.timedelta(days=60),
                    now - dt.timedelta(days=30))
    _answer(session, secret, pavement, rng.sample(crowd, min(25, len(crowd))), rng, now - dt.timedelta(days=31),
            {"s1": ["ขอทางลาดที่ไม่ชันสำหรับรถเข็นผู้สูงอายุ", "ขอให้เก็บต้นไม้ใหญ่เดิมไว้"],
             "s2": ["กังวลเรื่องรถติดช่วงก่อสร้าง", "ร้านค้ากลัวไม่มีที่จอดรถให้ลูกค้า"]})
    od = OpenData(catalog, settings.catalog_dir.resolve(), settings.public_base_url)
    hearings_report.write_report(session, Principal(user=engineering), od, pavement, PAVEMENT_REPORT["text_th"], None,
                                 PAVEMENT_REPORT["issues"], now=now)
