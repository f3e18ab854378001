"""The record of processing activities (PDPA section 39), generated from the catalogue: one activity
per service — its controller (the agency), purposes, categories of personal data (sensitive ones per
section 26 with their exception), the lawful basis (section 24) and the Act behind it, recipients
through the data exchange, and how long the records are kept and why. Facts marked `to_confirm` in
the catalogue are flagged for the DPO rather than guessed."""

from __future__ import annotations

import csv
import io
from typing import Any

from pracha.services.catalog import Catalog, Service, Text

BASES: dict[str, tuple[str, str]] = {
    "legal-obligation": ("การปฏิบัติตามกฎหมาย (มาตรา 24 (6))", "Legal obligation (section 24 (6))"),
    "public-task": ("ภารกิจของรัฐ / การใช้อำนาจรัฐ (มาตรา 24 (4))", "Public task / official authority (section 24 (4))"),
    "consent": ("ความยินยอม (มาตรา 19)", "Consent (section 19)"),
    "contract": ("การปฏิบัติตามสัญญา (มาตรา 24 (3))", "Contract (section 24 (3))"),
    "vital-interest": ("ป้องกันอันตรายต่อชีวิต ร่างกาย หรือสุขภาพ (มาตรา 24 (2))", "Vital interests (section 24 (2))"),
    "legitimate-interest": ("ประโยชน์โดยชอบด้วยกฎหมาย (มาตรา 24 (5))", "Legitimate interests (section 24 (5))"),
}
CSV_COLUMNS = ("service", "service_name", "controller", "purposes", "data_categories", "sensitive_categories",
               "legal_basis", "legal_basis_name", "act", "recipients", "retention_years", "retention_from",
               "retention_ground", "to_confirm")


def basis_name(code: str, lang: str) -> str:
    th, en = BASES.get(code, (code, code))
    return en if lang == "en" else th


def _t(text: Text, lang: str) -> str:
    return text.get(lang)


def activity(catalog: Catalog, service: Service, lang: str = "th") -> dict[str, Any]:
    """One service's entry in the record, in `lang`, as plain JSON-able values."""
    p = service.privacy
    agency = catalog.agencies.get(service.agency)
    return {
        "service": service.id, "service_name": _t(service.name, lang), "controller": service.agency,
        "controller_name": _t(agency.name, lang) if agency else service.agency,
        "controller_contact": _t(agency.contact, lang) if agency else "",
        "purposes": [_t(x, lang) for x in p.purposes],
        "data_categories": [{"code": c.code, "name": _t(c.name, lang), "sensitive": c.sensitive,
                             "sensitive_basis": _t(c.sensitive_basis, lang) if c.sensitive_basis else None,
                             "to_confirm": c.to_confirm} for c in p.categories],
        "legal_basis": {"basis": p.basis, "name": basis_name(p.basis, lang), "act": _t(p.basis_act, lang),
                        "to_confirm": p.basis_to_confirm},
        "recipients": [{"code": r.code, "name": _t(r.name, lang), "purpose": _t(r.purpose, lang),
                        "to_confirm": r.to_confirm} for r in p.recipients],
        "retention": {"years": p.retention_years, "from": _t(p.retention_from, lang),
                      "ground": _t(p.retention_ground, lang), "to_confirm": p.retention_to_confirm},
        "to_confirm": p.to_confirm,
    }


def record_of_processing(catalog: Catalog, lang: str = "th") -> list[dict[str, Any]]:
    """Every service's activity, in catalogue order."""
    return [activity(catalog, s, lang) for s in catalog.services.values()]


def to_csv(rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for r in rows:
        writer.writerow([
            r["service"], r["service_name"], r["controller_name"], "; ".join(r["purposes"]),
            "; ".join(c["name"] for c in r["data_categories"]),
            "; ".join(c["name"] for c in r["data_categories"] if c["sensitive"]),
            r["legal_basis"]["basis"], r["legal_basis"]["name"], r["legal_basis"]["act"],
            "; ".join(x["name"] for x in r["recipients"]), r["retention"]["years"], r["retention"]["from"],
            r["retention"]["ground"], "yes" if r["to_confirm"] else "no"])
    return "\ufeff" + buffer.getvalue()  # a BOM, so spreadsheet programs read the Thai as UTF-8
