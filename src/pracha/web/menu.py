"""The staff pages, declared once: the menu of every page (`base.html`) and `/admin` are built from
this list. Who may open a page is not written here but read from the page's own access rule
(`allow(...)` on its GET route), so the list can never offer a role a page that would answer 403."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from fastapi import APIRouter
from fastapi.routing import APIRoute

from pracha.hooks import Slot
from pracha.http.access import PUBLIC
from pracha.http.openapi import rule_of


@dataclass(frozen=True)
class StaffPage:
    path: str
    label: dict[str, str]  # {"th": …, "en": …}
    about: dict[str, str]
    in_menu: bool = True  # public pages (the ledger, the API reference) sit in the footer instead
    roles: frozenset[str] = field(default_factory=frozenset)

    def open_to(self, role: str) -> bool:
        return role in self.roles or (PUBLIC in self.roles and role != PUBLIC)


MENU: Slot[tuple[StaffPage, ...]] = Slot("staff_pages")


def _t(th: str, en: str) -> dict[str, str]:
    return {"th": th, "en": en}


STAFF_PAGES = (
    StaffPage("/admin", _t("หน้าหลักเจ้าหน้าที่", "Staff home"), _t("ทุกหน้าที่ท่านเปิดได้", "Every page you may open")),
    StaffPage("/officer/queue", _t("คำขอที่รอดำเนินการ", "Applications queue"),
              _t("คำขอของหน่วยงาน มอบหมายงาน และดำเนินการหลายรายการพร้อมกัน",
                 "The agency's applications: assign them, act on several at once")),
    StaffPage("/officer/complaints", _t("เรื่องร้องเรียนที่ต้องดำเนินการ", "Complaints to handle"),
              _t("เรื่องที่ประชาชนแจ้งถึงหน่วยงาน กำหนดเวลา และการตอบ",
                 "Citizens' reports to the agency, deadlines, answers")),
    StaffPage("/finance", _t("ค่าธรรมเนียมและการชำระเงิน", "Fees and payments"),
              _t("การชำระเงิน การกระทบยอดกับธนาคาร คืนเงิน และรับเงินสด",
                 "Payments, reconciliation with the bank, refunds and cash at the counter")),
    StaffPage("/admin/automation", _t("ระบบตรวจอัตโนมัติ", "Automation dashboard"),
              _t("ผลการตรวจอัตโนมัติ งานที่ค้าง และสถิติ", "Automated checks, pending tasks and statistics")),
    StaffPage("/admin/tokens", _t("โทเค็น API", "API tokens"),
              _t("โทเค็นสำหรับระบบของหน่วยงาน", "Tokens for the agency's systems")),
    StaffPage("/admin/exchange", _t("การแลกเปลี่ยนข้อมูล", "Data exchange"),
              _t("สมาชิก บริการ และสิทธิ์เข้าถึงข้อมูลระหว่างหน่วยงาน", "Members, services and access rights")),
    StaffPage("/admin/oidc/clients", _t("แอปที่ใช้การเข้าสู่ระบบครั้งเดียว", "Single sign-on clients"),
              _t("ลงทะเบียนและปิดแอปที่ใช้บัญชีประชา", "Register and disable apps that sign in with Pracha")),
    StaffPage("/privacy/requests", _t("คำขอใช้สิทธิด้านข้อมูลส่วนบุคคล", "Privacy requests"),
              _t("คำขอใช้สิทธิของเจ้าของข้อมูลและกำหนดเวลา", "Data subjects' requests and their deadlines")),
    StaffPage("/privacy/ropa", _t("บันทึกรายการกิจกรรมการประมวลผล", "Records of processing"),
              _t("ข้อมูลส่วนบุคคลที่ประมวลผล วัตถุประสงค์ และฐานทางกฎหมาย", "What is processed, why, on which basis")),
    StaffPage("/privacy/retention", _t("ระยะเวลาเก็บรักษาข้อมูล", "Retention"),
              _t("ระยะเวลาเก็บและการลบตามกำหนด", "How long data is kept, and the deletion runs")),
    StaffPage("/privacy/breaches", _t("เหตุการละเมิดข้อมูล", "Data breaches"),
              _t("บันทึกเหตุ แจ้งสำนักงานฯ และเจ้าของข้อมูล", "Record breaches, notify the regulator and people")),
    StaffPage("/data/publish", _t("เผยแพร่ข้อมูลเปิด", "Publish open data"),
              _t("ชุดข้อมูลของหน่วยงาน คำอธิบายข้อมูล และไฟล์ที่เผยแพร่", "The agency's datasets, metadata and files")),
    StaffPage("/data/publish/new", _t("สร้างชุดข้อมูลใหม่", "New dataset"),
              _t("ชุดข้อมูลเปิดพร้อมคำอธิบายตามมาตรฐาน", "An open dataset with the standard's metadata"), in_menu=False),
    StaffPage("/moderation/petitions", _t("ตรวจข้อเสนอใหม่", "New petitions to check"),
              _t("อนุมัติหรือไม่อนุมัติข้อเสนอก่อนเปิดรับการสนับสนุน", "Approve or decline petitions before they open")),
    StaffPage("/officer/petitions", _t("ข้อเสนอที่ต้องตอบ", "Petitions to answer"),
              _t("ข้อเสนอถึงหน่วยงานที่มีผู้สนับสนุนครบเกณฑ์ กำหนดตอบ และแบบตอบ",
                 "The agency's petitions that reached the threshold, due dates and the answer form")),
    StaffPage("/officer/hearings", _t("การรับฟังความคิดเห็น", "Public hearings"),
              _t("เปิดรับฟังความคิดเห็นต่อร่างกฎหมายและโครงการ อ่านความคิดเห็น และสรุปผล",
                 "Hear the public on drafts and projects, read the answers, publish the summary")),
    StaffPage("/officer/appointments", _t("นัดหมายวันนี้", "Today's appointments"),
              _t("ผู้มาตามนัดของสำนักงาน และการเช็กอินที่เคาน์เตอร์", "The office's visitors by appointment and check-in")),
    StaffPage("/counter/check-in", _t("เช็กอินผู้มาตามนัด", "Check in a visitor"),
              _t("สแกน QR หรือพิมพ์รหัสนัดหมาย", "Scan the QR code or type the booking code")),
    StaffPage("/counter", _t("ช่วยเหลือที่เคาน์เตอร์", "Help at the counter"),
              _t("ทำรายการแทนผู้มาติดต่อที่ตรวจบัตรและได้รับความยินยอมแล้ว",
                 "Serve a visitor whose ID card you checked and who consented")),
    StaffPage("/counter/recovery", _t("ตั้งรหัสผ่านใหม่ที่เคาน์เตอร์", "A new password at the counter"),
              _t("ผู้มาติดต่อตั้งรหัสผ่านใหม่ระหว่างการให้บริการที่เคาน์เตอร์",
                 "The visitor sets a new password while served at the counter"), in_menu=False),
    StaffPage("/counter/delegations/new", _t("มอบอำนาจพร้อมหนังสือมอบอำนาจ", "Delegation with a power of attorney"),
              _t("ผู้มาติดต่อมอบอำนาจให้ผู้อื่นดำเนินการแทน แนบหนังสือมอบอำนาจที่สแกน",
                 "The visitor authorises someone to act for them, with the scanned power of attorney")),
    StaffPage("/moderation", _t("ตรวจสอบเนื้อหา", "Moderation"),
              _t("รายงานเนื้อหาไม่เหมาะสม ซ่อนหรือคงไว้พร้อมเหตุผล", "Reported content: hide or keep, with a reason")),
    StaffPage("/metrics", _t("ตัวชี้วัดระบบ", "System metrics"),
              _t("ตัวชี้วัดสำหรับ Prometheus", "Metrics for Prometheus")),
    StaffPage("/ledger", _t("บันทึกสาธารณะ", "Public ledger"),
              _t("บันทึกการเปลี่ยนแปลงที่ตรวจสอบได้", "The verifiable log of changes"), in_menu=False),
    StaffPage("/docs", _t("คู่มือ API", "API reference"),
              _t("ทุกปลายทางของ API พารามิเตอร์ และรหัสข้อผิดพลาด", "Every API endpoint, its parameters and errors"),
              in_menu=False),
)


def with_roles(pages: Iterable[StaffPage], routers: Iterable[APIRouter]) -> tuple[StaffPage, ...]:
    """Each page with the roles its GET route's access rule admits (a page without a route: nobody)."""
    rules = {route.path: rule_of(route) for router in routers for route in router.routes
             if isinstance(route, APIRoute) and "GET" in (route.methods or ())}
    found = []
    for page in pages:
        rule = rules.get(page.path)
        found.append(replace(page, roles=rule.roles if rule is not None else frozenset()))
    return tuple(found)


def pages_for(pages: tuple[StaffPage, ...], role: str | None) -> list[StaffPage]:
    """What a staff member in `role` may open (nothing for citizens and visitors)."""
    if role is None or role in (PUBLIC, "citizen"):
        return []
    return [page for page in pages if page.open_to(role)]
