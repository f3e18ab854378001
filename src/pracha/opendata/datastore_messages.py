"""A table error as the publisher reads it: {"row", "column", "column_number", "type", "message_th",
"message_en"}, from a Frictionless error (its `type` names the check) or a problem with the whole file."""

from __future__ import annotations

from typing import Any

import frictionless

TYPE_NAMES = {  # Frictionless field type → (Thai, English) as "is not …"
    "integer": ("จำนวนเต็ม", "a whole number"),
    "number": ("ตัวเลข", "a number"),
    "date": ("วันที่ในรูปแบบ ปปปป-ดด-วว (ค.ศ.)", "a date as YYYY-MM-DD"),
    "datetime": ("วันและเวลาในรูปแบบ ISO 8601", "an ISO 8601 date and time"),
    "boolean": ("ค่าจริง/เท็จ (true/false)", "true or false"),
    "year": ("ปี ค.ศ.", "a year"),
}

FILE_ERRORS = {
    "encoding": ("อ่านรหัสอักขระของไฟล์ไม่ได้ กรุณาบันทึกเป็น CSV แบบ UTF-8",
                 "The file's character encoding is not recognised: please save it as UTF-8 CSV."),
    "schema": ("โครงสร้างตาราง (table schema) ไม่ถูกต้อง", "The table schema is not valid"),
    "too_many_columns": ("ตารางมีคอลัมน์มากเกินไป (ไม่เกิน 1000)", "The table has too many columns (at most 1000)."),
    "no_header": ("ไฟล์ไม่มีหัวตาราง", "The file has no header row."),
    "unreadable": ("อ่านไฟล์ไม่ได้", "The file cannot be read"),
    "reserved": ("หัวตาราง “_id” สงวนไว้สำหรับเลขแถวของระบบ กรุณาเปลี่ยนชื่อ",
                 'The header "_id" is reserved for the row number: please rename it.'),
}


def file_error(kind: str, detail: str = "") -> dict[str, Any]:
    th, en = FILE_ERRORS[kind]
    suffix = f": {detail}" if detail else ""
    return {"row": None, "column": None, "column_number": None, "type": kind,
            "message_th": th + suffix, "message_en": en + suffix}


def _texts(error: frictionless.Error) -> tuple[str, str]:
    cell = str(getattr(error, "cell", "") or "")
    label = str(getattr(error, "label", "") or "")
    number = getattr(error, "field_number", None)
    note = str(getattr(error, "note", "") or "")
    match error.type:
        case "type-error":
            expected = note.removeprefix('type is "').split("/")[0]
            th, en = TYPE_NAMES.get(expected, ("ชนิดข้อมูลของคอลัมน์นี้", "of this column's type"))
            return f"ค่า “{cell}” ไม่ใช่{th}", f'The value "{cell}" is not {en}'
        case "constraint-error" if note.startswith('constraint "required"'):
            return "ต้องมีค่า ห้ามเว้นว่าง", "A value is required"
        case "constraint-error":
            return f"ค่า “{cell}” ไม่ตรงตามเงื่อนไข ({note})", f'The value "{cell}" breaks a constraint ({note})'
        case "missing-cell":
            return "แถวนี้มีช่องไม่ครบ ขาดค่าของคอลัมน์นี้", "The row has too few cells: this column's is missing"
        case "extra-cell":
            return (f"แถวนี้มีช่องเกินหัวตาราง (ช่องที่ {number} มีค่า “{cell}”)",
                    f'The row has more cells than the header (cell {number} holds "{cell}")')
        case "blank-label":
            return f"หัวตารางของคอลัมน์ที่ {number} ว่าง", f"The header of column {number} is blank"
        case "duplicate-label":
            return f"หัวตาราง “{label}” ซ้ำกับคอลัมน์อื่น", f'The header "{label}" repeats another column\'s'
        case "incorrect-label":
            return (f"หัวตาราง “{label}” ไม่ตรงกับโครงสร้างตาราง (ควรเป็น “{error.field_name}”)",  # type: ignore[attr-defined]
                    f'The header "{label}" does not match the table schema ("{error.field_name}")')  # type: ignore[attr-defined]
        case "missing-label":
            return "หัวตารางมีคอลัมน์น้อยกว่าโครงสร้างตาราง", "The header has fewer columns than the table schema"
        case "extra-label":
            return f"หัวตาราง “{label}” เกินจากโครงสร้างตาราง", f'The header "{label}" is not in the table schema'
        case "unique-error" | "primary-key":
            return "ค่าซ้ำกับแถวก่อนหน้า แต่คอลัมน์นี้ห้ามซ้ำ", "The value repeats an earlier row's, which must be unique"
    return f"แถวนี้มีข้อผิดพลาด ({error.title})", f"The row has an error ({error.title}: {note})"


def error_dict(error: frictionless.Error, row: int | None) -> dict[str, Any]:
    th, en = _texts(error)
    if isinstance(error, frictionless.errors.LabelError):  # the header as written, not the field's new name
        name = error.label or None
    else:
        name = getattr(error, "field_name", None) or None
    return {"row": row, "column": name, "column_number": getattr(error, "field_number", None), "type": error.type,
            "message_th": th, "message_en": en}


def range_error(row: int, column: str, number: int, cell: Any) -> dict[str, Any]:
    return {"row": row, "column": column, "column_number": number, "type": "out-of-range",
            "message_th": f"ค่า “{cell}” ใหญ่หรือเล็กเกินกว่าจะเก็บเป็นตัวเลขได้",
            "message_en": f'The value "{cell}" is too large or small to keep as a number'}
