"""Errors of the service catalogue and applications.

    PrachaError
    ├── NotFound → UnknownService (404), ApplicationNotFound (404)
    ├── Conflict → IllegalTransition (409)      the action is not allowed in the current status
    │            └── NotADraft (409)             only a draft can be deleted (withdraw the others)
    ├── InvalidInput → FormInvalid (422)        the form or its documents are incomplete/wrong
    │                ├── EmptyForm (422)        nothing filled in: no draft is made
    │                └── DeclarationRequired (422)  submitting without the declaration of truth
    ├── UploadTooLarge (413)
    └── UnsupportedUpload (415)                 not PDF/JPEG/PNG, or the content does not match its label
"""

from __future__ import annotations

from pracha.errors import Conflict, Forbidden, InvalidInput, NotFound, PrachaError


class UnknownService(NotFound):
    code = "unknown_service"
    message_th = "ไม่พบบริการนี้ในรายการบริการ"
    message_en = "There is no such service in the catalogue."


class ApplicationNotFound(NotFound):
    code = "application_not_found"
    message_th = "ไม่พบคำขอนี้ หรือท่านไม่มีสิทธิ์ดูคำขอนี้"
    message_en = "This application does not exist, or you may not see it."


class NotAuthorisedForService(Forbidden):
    """Acting for a juristic person without (or no longer with) a director's authorisation for this."""

    code = "not_authorised_for_organisation"
    message_th = "ท่านไม่ได้รับมอบอำนาจจากกรรมการของนิติบุคคลนี้ให้ดำเนินการบริการนี้ หรือการมอบอำนาจสิ้นสุดแล้ว"
    message_en = ("You are not authorised by this company's directors for this service, or the authorisation "
                  "has ended.")


class NotDelegatedForService(Forbidden):
    """Acting for a person (pracha.delegation) whose delegations do not cover this service."""

    code = "not_authorised_for_service"
    message_th = "ผู้มอบอำนาจไม่ได้มอบอำนาจให้ท่านดำเนินการบริการนี้ หรือการมอบอำนาจสิ้นสุดแล้ว"
    message_en = "The person you act for has not authorised you for this service, or the delegation has ended."


class IllegalTransition(Conflict):
    code = "illegal_transition"


class FormInvalid(InvalidInput):
    code = "form_invalid"


class EmptyForm(InvalidInput):
    code = "empty_form"
    message_th = "ยังไม่ได้กรอกข้อมูลในแบบฟอร์ม กรุณากรอกอย่างน้อยหนึ่งช่องก่อนบันทึก"
    message_en = "Nothing has been filled in. Fill in at least one field before saving."
class NotADraft(IllegalTransition):
    code = "not_a_draft"
    message_th = "ลบได้เฉพาะฉบับร่างที่ยังไม่ได้ยื่น คำขอที่ยื่นแล้วยกเลิกได้ด้วยการถอนคำขอ"
    message_en = "Only a draft that was never submitted can be deleted; a submitted application can be withdrawn."


class DeclarationRequired(FormInvalid):
    code = "declaration_required"
    message_th = "กรุณาทำเครื่องหมายรับรองว่าข้อมูลเป็นความจริงก่อนยื่นคำขอ"
    message_en = "Please confirm the declaration that the information is true before you submit."

    def __init__(self) -> None:
        super().__init__(fields={"declaration": {"th": self.message_th, "en": self.message_en}})


class UploadTooLarge(PrachaError):
    status_code = 413
    code = "upload_too_large"


class UnsupportedUpload(PrachaError):
    status_code = 415
    code = "unsupported_upload"
    message_th = "รับเฉพาะไฟล์ PDF, JPEG หรือ PNG ที่ตรงกับชนิดไฟล์จริง"
    message_en = "Only PDF, JPEG or PNG files are accepted, and the file must really be of that type."
