"""Open data's errors. The CKAN Action API maps each to CKAN's error `__type` (see `ckan`)."""

from __future__ import annotations

from pracha.errors import Conflict, Forbidden, InvalidInput, NotFound


class DatasetNotFound(NotFound):
    code = "dataset_not_found"
    message_th = "ไม่พบชุดข้อมูลนี้"
    message_en = "Dataset not found."


class ResourceNotFound(NotFound):
    code = "resource_not_found"
    message_th = "ไม่พบทรัพยากรข้อมูลนี้"
    message_en = "Resource not found."


class NotPublisher(Forbidden):
    code = "not_publisher"
    message_th = "ท่านไม่มีสิทธิ์เผยแพร่ข้อมูลของหน่วยงานนี้"
    message_en = "You may not publish for this organization."


class PackageInvalid(InvalidInput):
    """CKAN's "Validation Error": `errors` is {field: [message]}."""

    code = "validation_error"

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(fields={k: {"th": v[0], "en": v[0]} for k, v in errors.items()})
        self.errors = errors


class NameTaken(Conflict):
    code = "name_taken"
    message_th = "ชื่อ URL นี้ถูกใช้แล้ว"
    message_en = "That URL is already in use."
