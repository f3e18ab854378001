"""Appointments and offices as JSON."""

from __future__ import annotations

from typing import Any

from pracha.appointments.booking import Slot
from pracha.appointments.models import Appointment
from pracha.appointments.offices import WEEKDAYS, Office


def office_json(office: Office) -> dict[str, Any]:
    return {"id": office.id, "agency": office.agency, "name": {"th": office.name.th, "en": office.name.en},
            "address": {"th": office.address.th, "en": office.address.en}, "slot_minutes": office.slot_minutes,
            "hours": {WEEKDAYS[d]: [f"{a:%H:%M}-{b:%H:%M}" for a, b in periods] for d, periods in office.hours.items()},
            "services": [{"service_id": k, "places_per_slot": v} for k, v in office.services.items()]}


def slot_json(slot: Slot) -> dict[str, Any]:
    return {"starts_at": slot.starts_at.isoformat(), "capacity": slot.capacity, "free": slot.free}


def appointment_json(appointment: Appointment, reference: str, check_in_url: str) -> dict[str, Any]:
    return {"id": appointment.id, "application": reference, "office_id": appointment.office_id,
            "service_id": appointment.service_id, "starts_at": appointment.starts_at.isoformat(),
            "status": appointment.status, "token": appointment.token, "check_in_url": check_in_url,
            "reminded_at": appointment.reminded_at.isoformat() if appointment.reminded_at else None,
            "checked_in_at": appointment.checked_in_at.isoformat() if appointment.checked_in_at else None}
