"""What the pages call the Thai Government Data Catalog's fields and values: data.go.th's Thai labels,
and an English rendering of each Thai value (the stored value stays Thai, as data.go.th keeps it)."""

from __future__ import annotations

from typing import Any

FIELDS: dict[str, dict[str, str]] = {
    "name": {"th": "ชื่อ URL ของชุดข้อมูล", "en": "URL name"},
    "title": {"th": "ชื่อชุดข้อมูล", "en": "Title"},
    "title_en": {"th": "ชื่อชุดข้อมูล (ภาษาอังกฤษ)", "en": "Title in English"},
    "notes": {"th": "รายละเอียด", "en": "Description"},
    "notes_en": {"th": "รายละเอียด (ภาษาอังกฤษ)", "en": "Description in English"},
    "owner_org": {"th": "หน่วยงานเจ้าของข้อมูล", "en": "Organisation"},
    "license_id": {"th": "สัญญาอนุญาต", "en": "Licence"},
    "data_type": {"th": "ประเภทชุดข้อมูล", "en": "Dataset type"},
    "objective": {"th": "วัตถุประสงค์", "en": "Objective"},
    "update_frequency_unit": {"th": "หน่วยความถี่ของการปรับปรุงข้อมูล", "en": "Update frequency unit"},
    "update_frequency_interval": {"th": "ความถี่ของการปรับปรุงข้อมูล", "en": "Update frequency interval"},
    "geo_coverage": {"th": "ขอบเขตเชิงภูมิศาสตร์หรือเชิงพื้นที่", "en": "Geographic coverage"},
    "data_source": {"th": "แหล่งที่มา", "en": "Data source"},
    "data_format": {"th": "รูปแบบการเก็บข้อมูล", "en": "Data format"},
    "data_category": {"th": "หมวดหมู่ข้อมูลตามธรรมาภิบาลข้อมูลภาครัฐ", "en": "Data governance category"},
    "disclosure": {"th": "ระดับชั้นข้อมูล", "en": "Data classification"},
    "maintainer": {"th": "ผู้ติดต่อ", "en": "Contact person"},
    "maintainer_email": {"th": "อีเมลผู้ติดต่อ", "en": "Contact email"},
    "tags": {"th": "คำสำคัญ", "en": "Tags"},
    "groups": {"th": "กลุ่มชุดข้อมูล", "en": "Groups"},
    "private": {"th": "ชุดข้อมูลส่วนตัว (ไม่เผยแพร่)", "en": "Private (not published)"},
    "metadata_created": {"th": "วันที่สร้าง", "en": "Created"},
    "metadata_modified": {"th": "วันที่ปรับปรุงล่าสุด", "en": "Last updated"},
}

VALUES_EN = {
    "ข้อมูลระเบียน": "Records", "ข้อมูลสถิติ": "Statistics", "ข้อมูลภูมิสารสนเทศเชิงพื้นที่": "Geospatial",
    "ข้อมูลหลากหลายประเภท": "Mixed types", "ข้อมูลประเภทอื่นๆ": "Other types",
    "ข้อมูลสาธารณะ": "Public", "ข้อมูลใช้ภายใน": "Internal use", "ข้อมูลส่วนบุคคล": "Personal data",
    "ข้อมูลความลับทางราชการ": "Official secret", "ข้อมูลความมั่นคง": "National security",
    "เปิดเผย": "Open", "ชั้นเผยแพร่ภายในองค์กร": "Internal to the organisation", "ลับ": "Confidential",
    "ลับมาก": "Secret", "ลับที่สุด": "Top secret",
    "ยุทธศาสตร์ชาติ": "National strategy",
    "แผนพัฒนาเศรษฐกิจและสังคมแห่งชาติ": "National economic and social development plan",
    "แผนความมั่นคงแห่งชาติ": "National security plan",
    "แผนแม่บทภายใต้ยุทธศาสตร์ชาติ": "Master plans under the national strategy",
    "แผนปฏิรูปประเทศ": "National reform plan", "แผนระดับที่ 3 (มติครม. 4 ธ.ค. 2560)": "Level-3 plans (Cabinet, 4 Dec 2017)",
    "นโยบายรัฐบาล/ข้อสั่งการนายกรัฐมนตรี": "Government policy / Prime Minister's orders",
    "มติคณะรัฐมนตรี": "Cabinet resolution", "เพื่อการให้บริการประชาชน": "Services to the public",
    "กฎหมายที่เกี่ยวข้อง": "Related law", "พันธกิจหน่วยงาน": "The agency's mission",
    "ดัชนี/ตัวชี้วัดระดับนานาชาติ": "International indices", "ไม่ทราบ": "Unknown", "อื่นๆ": "Other",
    "ปี": "Year", "ครึ่งปี": "Half-year", "ไตรมาส": "Quarter", "เดือน": "Month", "สัปดาห์": "Week", "วัน": "Day",
    "วันทำการ": "Working day", "ชั่วโมง": "Hour", "นาที": "Minute", "ตามเวลาจริง": "Real time",
    "ไม่มีการปรับปรุงหลังจากการจัดเก็บข้อมูล": "Not updated after collection",
    "ไม่มี": "None", "โลก": "World", "ทวีป/กลุ่มประเทศในทวีป": "Continent", "กลุ่มประเทศทางเศรษฐกิจ": "Economic bloc",
    "ประเทศ": "Country", "ภาค": "Region", "จังหวัด": "Province", "อำเภอ": "District", "ตำบล": "Sub-district",
    "หมู่บ้าน": "Village", "เทศบาล/อบต.": "Municipality", "พิกัด": "Coordinates",
}


def label(field: str, lang: str) -> str:
    names = FIELDS.get(field)
    return (names["en"] if lang == "en" else names["th"]) if names else field


def value(text: Any, lang: str) -> str:
    """A vocabulary value in the page's language (values outside the vocabularies stay as given)."""
    if text is None:
        return ""
    return VALUES_EN.get(str(text), str(text)) if lang == "en" else str(text)


def choices(values: tuple[str, ...], lang: str) -> list[tuple[str, str]]:
    """(stored value, what the form shows) for a select or a group of checkboxes."""
    return [(v, value(v, lang)) for v in values]
