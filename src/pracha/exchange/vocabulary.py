"""The exchange's fixed names: member subsystem ids, the five registries, purposes and data
categories with their Thai and English names. The one place the registries' metadata is declared:
the registries themselves, the exchange's seeder and the prefill notices all read `REGISTRIES`."""

from __future__ import annotations

from dataclasses import dataclass

from pracha.config import Settings

PORTAL = "TH/GOV/PRACHA/portal"
MEDIATOR = "TH/GOV/PRACHA/mediator"
SERVICE_APPLICATION = "service-application"
ELIGIBILITY = "eligibility-check"
ACTING_FOR = "acting-for"  # may this person act for that juristic person (pracha.business)


@dataclass(frozen=True)
class Registry:
    name: str
    subsystem: str
    agency_th: str
    agency_en: str
    title_th: str
    title_en: str
    source_th: str  # how a prefilled form field says where it came from
    source_en: str
    offset: int  # its port is `registry_base_port` + offset


REGISTRIES: dict[str, Registry] = {r.name: r for r in (
    Registry("civil", "TH/GOV/DOPA/civil-registry", "กรมการปกครอง", "Department of Provincial Administration",
             "ทะเบียนราษฎร", "Civil registration", "จากทะเบียนราษฎร", "from the civil registry", 0),
    Registry("business", "TH/GOV/DBD/business-registry", "กรมพัฒนาธุรกิจการค้า", "Department of Business Development",
             "ทะเบียนพาณิชย์และนิติบุคคล", "Business registry", "จากทะเบียนพาณิชย์", "from the business registry", 1),
    Registry("welfare", "TH/GOV/DLA/welfare-registry", "กรมส่งเสริมการปกครองท้องถิ่น",
             "Department of Local Administration", "เบี้ยยังชีพ", "Welfare allowances", "จากทะเบียนสวัสดิการ",
             "from the welfare registry", 2),
    Registry("land", "TH/GOV/DOL/land-registry", "กรมที่ดิน", "Department of Lands", "ทะเบียนที่ดิน", "Land registry",
             "จากทะเบียนที่ดิน", "from the land registry", 3),
    Registry("revenue", "TH/GOV/RD/revenue-registry", "กรมสรรพากร", "The Revenue Department", "ผู้เสียภาษี",
             "Taxpayer registry", "จากกรมสรรพากร", "from the Revenue Department", 4),
)}
BY_SUBSYSTEM: dict[str, Registry] = {r.subsystem: r for r in REGISTRIES.values()}


def registry_port(settings: Settings, name: str) -> int:
    return settings.registry_base_port + REGISTRIES[name].offset


def registry_url(settings: Settings, name: str) -> str:
    return f"http://127.0.0.1:{registry_port(settings, name)}"

PURPOSES: dict[str, tuple[str, str]] = {
    SERVICE_APPLICATION: ("ยื่นคำขอรับบริการ (กรอกข้อมูลให้อัตโนมัติ)", "Applying for a service (prefilled forms)"),
    ELIGIBILITY: ("ตรวจสอบคุณสมบัติผู้ขอรับบริการ", "Checking an applicant's eligibility"),
    ACTING_FOR: ("ยืนยันอำนาจกระทำการแทนนิติบุคคล", "Confirming who may act for a company or partnership"),
}

CATEGORIES: dict[str, tuple[str, str]] = {
    "identity": ("ข้อมูลระบุตัวตน (ชื่อ วันเกิด เพศ)", "Identity (name, birth date, sex)"),
    "address": ("ที่อยู่ตามทะเบียนบ้าน", "Registered address"),
    "household": ("สมาชิกในทะเบียนบ้าน", "Household members"),
    "business": ("กิจการที่จดทะเบียน", "Registered businesses"),
    "directorships": ("การเป็นกรรมการหรือหุ้นส่วนผู้จัดการของนิติบุคคล", "Directorships of companies and partnerships"),
    "juristic": ("ข้อมูลนิติบุคคล (ชื่อ ทุน วัตถุประสงค์ กรรมการ)",
                 "A company's particulars (name, capital, objectives, directors)"),
    "welfare": ("เบี้ยยังชีพและสวัสดิการ", "Allowances and benefits"),
    "land": ("ที่ดินที่ถือครอง", "Land owned"),
    "tax": ("สถานะผู้เสียภาษี", "Tax status"),
}


def agency_client(code: str) -> str:
    """The back-office client subsystem of a catalogue agency: TH/GOV/<code>/backoffice."""
    return f"TH/GOV/{code}/backoffice"


def purpose_name(code: str, lang: str) -> str:
    th, en = PURPOSES.get(code, (code, code))
    return en if lang == "en" else th


def category_name(code: str, lang: str) -> str:
    th, en = CATEGORIES.get(code, (code, code))
    return en if lang == "en" else th
