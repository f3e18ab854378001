"""The exchange's demo data: the five registries and their services (with their declared legal duties),
the portal, the mediator and a back-office client per catalogue agency, member keys from
`pracha.exchange.keys`, and access rights. Idempotent: a second run changes nothing that is there."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.config import Settings
from pracha.exchange import keys
from pracha.exchange.members import ServiceSpec, fetch_openapi, register_service, register_subsystem
from pracha.exchange.models import AccessRight
from pracha.exchange.vocabulary import (
    ACTING_FOR,
    ELIGIBILITY,
    MEDIATOR,
    PORTAL,
    REGISTRIES,
    SERVICE_APPLICATION,
    agency_client,
    registry_url,
)
from pracha.services.catalog import Catalog

_DUTY_CIVIL = ("พระราชบัญญัติการทะเบียนราษฎร พ.ศ. 2534 มาตรา 18/1 และระเบียบว่าด้วยการจ่ายเงินเบี้ยยังชีพ: "
               "หน่วยงานของรัฐต้องตรวจสอบคุณสมบัติจากฐานข้อมูลทะเบียนราษฎร",
               "Civil Registration Act B.E. 2534, s. 18/1, and the allowance regulations: state agencies must "
               "check eligibility against the civil registration records")
_DUTY_WELFARE = ("ระเบียบกระทรวงมหาดไทยว่าด้วยหลักเกณฑ์การจ่ายเงินเบี้ยยังชีพผู้สูงอายุ พ.ศ. 2552: ห้ามรับซ้ำซ้อน",
                 "Ministry of Interior Regulation on the elderly allowance B.E. 2552: no double payment")
_DUTY_OTHER = ("พระราชบัญญัติการบริหารงานและการให้บริการภาครัฐผ่านระบบดิจิทัล พ.ศ. 2562 มาตรา 12",
               "Digital Government Administration and Services Act B.E. 2562, s. 12")
_BOTH = (SERVICE_APPLICATION, ELIGIBILITY)

SERVICES: dict[str, tuple[ServiceSpec, ...]] = {
    "civil": (
        ServiceSpec("persons", "ข้อมูลบุคคลและที่อยู่ตามทะเบียนบ้าน", "Person and registered address", "/persons",
                    ("identity", "address"), _BOTH, (ELIGIBILITY,), *_DUTY_CIVIL,
                    path_categories={"address": ["address"]}),
        ServiceSpec("households", "ทะเบียนบ้านและสมาชิกในบ้าน", "Household and its members", "/households",
                    ("household",), (ELIGIBILITY,), (ELIGIBILITY,), *_DUTY_CIVIL, subject_in_path=False),
    ),
    "business": (ServiceSpec("owners", "กิจการที่จดทะเบียนของบุคคล", "Registered businesses of a person", "/owners",
                             ("business",), _BOTH, (ELIGIBILITY,), *_DUTY_OTHER),
                 ServiceSpec("directors", "นิติบุคคลที่บุคคลเป็นกรรมการ", "Companies a person is a director of",
                             "/directors", ("directorships",), (ACTING_FOR,), (ACTING_FOR,), *_DUTY_OTHER),
                 ServiceSpec("juristic-persons", "ข้อมูลนิติบุคคลและกรรมการผู้มีอำนาจ",
                             "A company's particulars and authorised directors", "/juristic-persons",
                             ("juristic",), (ACTING_FOR, *_BOTH), (ACTING_FOR, *_BOTH), *_DUTY_OTHER,
                             subject_in_path=False)),
    "welfare": (ServiceSpec("persons", "เบี้ยยังชีพและสวัสดิการที่ได้รับ", "Allowances and benefits received",
                            "/persons", ("welfare",), _BOTH, (ELIGIBILITY,), *_DUTY_WELFARE),),
    "land": (ServiceSpec("owners", "ที่ดินที่ถือครอง", "Land parcels owned", "/owners", ("land",), _BOTH,
                         (ELIGIBILITY,), *_DUTY_OTHER),),
    "revenue": (ServiceSpec("taxpayers", "สถานะผู้เสียภาษี", "Taxpayer status", "/taxpayers", ("tax",), _BOTH,
                            (ELIGIBILITY,), *_DUTY_OTHER),),
}


def _key_text(var_dir: Path, subsystem_id: str) -> str:
    return keys.public_key_text(keys.load_or_create(keys.key_path(var_dir, subsystem_id)))


def seed_exchange(session: Session, settings: Settings, catalog: Catalog, *, fetch: bool = True,
                  var_dir: Path | None = None) -> None:
    """Register members, services and access rights in `session` (the caller commits). Keys are read
    (or made) under `var_dir` (default: the settings'), where the registries and the mediator find them."""
    var_dir = var_dir or settings.var_dir
    register_subsystem(session, PORTAL, name_th="ประชา (พอร์ทัล)", name_en="Pracha portal",
                       public_key=_key_text(var_dir, PORTAL))
    register_subsystem(session, MEDIATOR, name_th="ประชา (ตัวกลางแลกเปลี่ยนข้อมูล)", name_en="Pracha mediator",
                       public_key=_key_text(var_dir, MEDIATOR))
    services = []
    for name, registry in REGISTRIES.items():
        base = registry_url(settings, name)
        subsystem = register_subsystem(
            session, registry.subsystem, name_th=f"{registry.agency_th} ({registry.title_th})",
            name_en=registry.agency_en, public_key=_key_text(var_dir, registry.subsystem), base_url=base)
        openapi = fetch_openapi(base, timeout=1.0) if fetch else None
        services += [register_service(session, subsystem, spec, openapi) for spec in SERVICES[name]]
    clients = [PORTAL]
    for code, agency in catalog.agencies.items():
        clients.append(register_subsystem(session, agency_client(code), name_th=agency.name.th,
                                          name_en=agency.name.en).id)
    session.flush()
    have = {(r.client_id, r.service_id, r.purpose) for r in session.scalars(select(AccessRight))}
    for client in clients:
        for service in services:
            for purpose in service.purposes:
                if purpose == SERVICE_APPLICATION and client != PORTAL:
                    continue  # applications come through the portal; agencies check eligibility
                if (client, service.id, purpose) not in have:
                    session.add(AccessRight(client_id=client, service_id=service.id, purpose=purpose))
