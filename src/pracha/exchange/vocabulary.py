"""The exchange's fixed names (pure): member subsystem ids, the five registries, purposes and data
categories with their Thai and English names."""

from __future__ import annotations

PORTAL = "TH/GOV/PRACHA/portal"
MEDIATOR = "TH/GOV/PRACHA/mediator"
SERVICE_APPLICATION = "service-application"
ELIGIBILITY = "eligibility-check"

# registry name → (subsystem id, Thai name, English name)
REGISTRIES: dict[str, tuple[str, str, str]] = {
    "civil": ("TH/GOV/DOPA/civil-registry", "กรมการปกครอง (ทะเบียนราษฎร)", "Department of Provincial Administration"),
    "business": ("TH/GOV/DBD/business-registry", "กรมพัฒนาธุรกิจการค้า", "Department of Business Development"),
    "welfare": ("TH/GOV/DLA/welfare-registry", "กรมส่งเสริมการปกครองท้องถิ่น", "Department of Local Administration"),
    "land": ("TH/GOV/DOL/land-registry", "กรมที่ดิน", "Department of Lands"),
    "revenue": ("TH/GOV/RD/revenue-registry", "กรมสรรพากร", "Revenue Department"),
}

PURPOSES: dict[str, tuple[str, str]] = {
    SERVICE_APPLICATION: ("ยื่นคำขอรับบริการ (กรอกข้อมูลให้อัตโนมัติ)", "Applying for a service (prefilled forms)"),
    ELIGIBILITY: ("ตรวจสอบคุณสมบัติผู้ขอรับบริการ", "Checking an applicant's eligibility"),
}

CATEGORIES: dict[str, tuple[str, str]] = {
    "identity": ("ข้อมูลระบุตัวตน (ชื่อ วันเกิด เพศ)", "Identity (name, birth date, sex)"),
    "address": ("ที่อยู่ตามทะเบียนบ้าน", "Registered address"),
    "household": ("สมาชิกในทะเบียนบ้าน", "Household members"),
    "business": ("กิจการที่จดทะเบียน", "Registered businesses"),
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


# Where a prefilled field came from, as the form says it: per provider subsystem.
SOURCES: dict[str, dict[str, str]] = {
    "TH/GOV/DOPA/civil-registry": {"th": "จากทะเบียนราษฎร", "en": "from the civil registry"},
    "TH/GOV/DBD/business-registry": {"th": "จากทะเบียนพาณิชย์", "en": "from the business registry"},
    "TH/GOV/DLA/welfare-registry": {"th": "จากทะเบียนสวัสดิการ", "en": "from the welfare registry"},
    "TH/GOV/DOL/land-registry": {"th": "จากทะเบียนที่ดิน", "en": "from the land registry"},
    "TH/GOV/RD/revenue-registry": {"th": "จากกรมสรรพากร", "en": "from the Revenue Department"},
}
