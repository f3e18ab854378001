"""What goes wrong with appointments, in Thai first."""

from __future__ import annotations

from pracha.errors import Conflict, InvalidInput, NotFound


class SlotFull(Conflict):
    code = "slot_full"

    def __init__(self) -> None:
        super().__init__("ช่วงเวลานี้เต็มแล้ว กรุณาเลือกเวลาอื่น", "This time is fully booked: please choose another.")


class NoSuchSlot(InvalidInput):
    code = "no_such_slot"

    def __init__(self) -> None:
        super().__init__("สำนักงานไม่เปิดรับนัดหมายในเวลานี้", "The office takes no appointment at this time.")


class OfficeNotFound(NotFound):
    code = "office_not_found"

    def __init__(self) -> None:
        super().__init__("ไม่พบสำนักงานนี้", "No such office.")


class AppointmentNotFound(NotFound):
    code = "appointment_not_found"

    def __init__(self) -> None:
        super().__init__("ไม่พบการนัดหมาย", "No such appointment.")


class NotInPerson(Conflict):
    code = "no_appointment_needed"

    def __init__(self) -> None:
        super().__init__("คำขอนี้ไม่ต้องนัดหมายมาที่สำนักงาน (หรือยังไม่ได้ยื่น หรือปิดแล้ว)",
                         "This application needs no visit to an office (or is not submitted, or is closed).")


class NotCheckable(Conflict):
    code = "appointment_not_open"

    def __init__(self) -> None:
        super().__init__("การนัดหมายนี้ยกเลิก เช็กอินแล้ว หรือเลยเวลาไปแล้ว",
                         "This appointment is cancelled, already checked in, or was missed.")
