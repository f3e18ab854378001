"""Five demo agency registries, each its own ASGI app, process and database, answering only requests
signed by the exchange mediator and signing every answer (RFC 9421, see `pracha.exchange.httpsig`).

    pracha registry serve civil|business|welfare|land|revenue --port N [--host H] [--database URL]

Ports: `registry_base_port` + 0..4 in the order of REGISTRIES; `base_url(settings, name)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from pracha.config import Settings

if TYPE_CHECKING:
    from fastapi import FastAPI

MEDIATOR = "TH/GOV/PRACHA/mediator"


@dataclass(frozen=True)
class Registry:
    name: str
    subsystem: str
    agency_th: str
    agency_en: str
    title_en: str
    offset: int


REGISTRIES: dict[str, Registry] = {r.name: r for r in (
    Registry("civil", "TH/GOV/DOPA/civil-registry", "กรมการปกครอง", "Department of Provincial Administration",
             "Civil registration (ทะเบียนราษฎร)", 0),
    Registry("business", "TH/GOV/DBD/business-registry", "กรมพัฒนาธุรกิจการค้า", "Department of Business Development",
             "Business registry (ทะเบียนพาณิชย์และนิติบุคคล)", 1),
    Registry("welfare", "TH/GOV/DLA/welfare-registry", "กรมส่งเสริมการปกครองท้องถิ่น",
             "Department of Local Administration", "Welfare allowances (เบี้ยยังชีพ)", 2),
    Registry("land", "TH/GOV/DOL/land-registry", "กรมที่ดิน", "Department of Lands", "Land registry (ทะเบียนที่ดิน)", 3),
    Registry("revenue", "TH/GOV/RD/revenue-registry", "กรมสรรพากร", "The Revenue Department",
             "Taxpayer registry (ผู้เสียภาษี)", 4),
)}
NAMES = tuple(REGISTRIES)


def port(settings: Settings, name: str) -> int:
    return settings.registry_base_port + REGISTRIES[name].offset


def base_url(settings: Settings, name: str) -> str:
    return f"http://127.0.0.1:{port(settings, name)}"


def default_database_url(settings: Settings, name: str) -> str:
    return f"sqlite:///{settings.var_dir / 'registries' / f'{name}.db'}"


def create_app(name: str, settings: Settings, database_url: str | None = None) -> FastAPI:
    """The registry's app; creates its tables and seeds them on first start."""
    from pracha.registries.base import create_registry_app

    return create_registry_app(REGISTRIES[name], settings, database_url or default_database_url(settings, name))
