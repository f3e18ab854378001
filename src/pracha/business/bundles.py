"""A bundle's life: started (its questions answered once, the organisation's from the business
registry), its parts created at once as drafts of their services (so each part's documents can be
attached before anything is sent), then submitted together: all parts or none, after a second
director's approval where the juristic person's signing rule needs two.

    start_bundle -> draft --submit_bundle--> awaiting_co_approval --co_approve_bundle--> submitted
                                        \\-------------------------------------------------/
`bundle_status` derives what the citizen sees from the parts: in_progress, done or needs_attention.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.business.bundle_catalog import BundleDef
from pracha.business.organisations import juristic_person
from pracha.config import Settings
from pracha.db import utcnow
from pracha.errors import Conflict, Forbidden, NotFound
from pracha.identity.models import CITIZEN
from pracha.identity.principal import DIRECTOR, Principal
from pracha.payments import bundles as payment_bundles
from pracha.payments.errors import NothingDue
from pracha.payments.models import Payment
from pracha.services import coapproval, forms, workflow
from pracha.services import service as services
from pracha.services.catalog import Catalog
from pracha.services.errors import DeclarationRequired, FormInvalid, NotAuthorisedForService
from pracha.services.models import Application, Bundle

DRAFT, AWAITING, SUBMITTED = "draft", "awaiting_co_approval", "submitted"
IN_PROGRESS, DONE, NEEDS_ATTENTION = "in_progress", "done", "needs_attention"
STATUS_TEXT = {DRAFT: ("ฉบับร่าง", "Draft"), AWAITING: ("รอกรรมการอีกท่านอนุมัติร่วม", "Waiting for a second director"),
               IN_PROGRESS: ("อยู่ระหว่างดำเนินการ", "In progress"), DONE: ("เสร็จสิ้น", "Done"),
               NEEDS_ATTENTION: ("ต้องดำเนินการเพิ่มเติม", "Needs your attention")}
_REF_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
REGISTRY_SOURCE = {"th": "ทะเบียนนิติบุคคล (กรมพัฒนาธุรกิจการค้า)", "en": "Business registry (Department of "
                   "Business Development)"}


class UnknownBundle(NotFound):
    code = "bundle_kind_not_found"
    message_th = "ไม่พบชุดบริการนี้"
    message_en = "There is no such bundle of services."


class BundleNotFound(NotFound):
    code = "bundle_not_found"
    message_th = "ไม่พบคำขอชุดบริการนี้ หรือท่านไม่มีสิทธิ์ดู"
    message_en = "This bundle does not exist, or you may not see it."


class ActForOrganisationFirst(Forbidden):
    code = "act_for_organisation_first"
    message_th = "ชุดบริการนี้สำหรับนิติบุคคล กรุณาเลือก “ดำเนินการแทนนิติบุคคล” ก่อน"
    message_en = "This bundle is for businesses: choose to act for your company first."


class BundleNotDraft(Conflict):
    code = "bundle_not_draft"
    message_th = "คำขอชุดบริการนี้ยื่นแล้ว แก้ไขหรือยื่นซ้ำไม่ได้"
    message_en = "This bundle has been submitted: it cannot be changed or submitted again."


@dataclass
class Prefilled:
    values: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, dict[str, str]] = field(default_factory=dict)


def new_reference(kind: str, now: dt.datetime) -> str:
    """"SB69-7KQ2MX" for start-a-business in 2569: the kind's first and last initials, the BE year."""
    words = kind.split("-")
    suffix = "".join(secrets.choice(_REF_ALPHABET) for _ in range(6))
    return f"{words[0][0]}{words[-1][0]}".upper() + f"{(now.year + 543) % 100:02d}-{suffix}"


def _dig(record: Mapping[str, Any], path: str) -> Any:
    value: Any = record
    for key in path.split("."):
        value = value.get(key) if isinstance(value, Mapping) else None
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return value


def prefill_answers(session: Session, settings: Settings, principal: Principal, bundle: BundleDef) -> Prefilled:
    """The questions the business registry answers for the organisation acted for (asked through the
    exchange: a side effect, so only on a POST)."""
    wanted = bundle.organisation_prefill()
    if not wanted or principal.acting is None or principal.user is None:
        return Prefilled()
    record = juristic_person(session, settings, principal.user, principal.acting.juristic_id)
    result = Prefilled()
    for question, path in wanted.items():
        value = _dig(record, path)
        if value not in (None, ""):
            result.values[question], result.sources[question] = value, dict(REGISTRY_SOURCE)
    return result


def _check_answers(bundle: BundleDef, answers: dict[str, Any], *, complete: bool) -> None:
    if problems := forms.validate(bundle.schema, answers, complete=complete):
        raise FormInvalid(fields=problems)


def start_bundle(session: Session, catalog: Catalog, bundles: Mapping[str, BundleDef], principal: Principal,
                 kind: str, answers: Mapping[str, Any], *, prefilled: Prefilled | None = None) -> Bundle:
    """A draft bundle with its parts as drafts (one transaction: a part refused refuses all)."""
    if principal.role != CITIZEN or principal.user is None:
        raise Forbidden()
    bundle_def = bundles.get(kind)
    if bundle_def is None:
        raise UnknownBundle()
    if "citizen" not in bundle_def.audience and principal.acting is None:
        raise ActForOrganisationFirst()
    prefilled = prefilled or Prefilled()
    typed = forms.coerce(bundle_def.schema, dict(answers))
    values = {**prefilled.values, **typed}
    _check_answers(bundle_def, values, complete=False)
    now = utcnow()
    bundle = Bundle(reference=new_reference(kind, now), kind=kind, organisation_id=principal.organisation_id,
                    citizen=principal.user, status=DRAFT, created_at=now, updated_at=now,
                    answers={"values": values,
                             "sources": {q: s for q, s in prefilled.sources.items() if q not in typed}})
    session.add(bundle)
    session.flush()
    for part in bundle_def.parts:
        application = services.create_application(session, catalog, principal, part.service,
                                                  bundle_def.part_data(part, values))
        application.bundle_id = bundle.id
    session.flush()
    session.refresh(bundle, ["parts"])
    return bundle


def visible_bundles(principal: Principal) -> Any:
    acting = principal.acting
    if principal.role != CITIZEN or principal.user is None:
        return select(Bundle).where(Bundle.id < 0)
    if acting is None:
        return select(Bundle).where(Bundle.citizen_id == principal.user_id, Bundle.organisation_id.is_(None))
    return select(Bundle).where(Bundle.organisation_id == acting.juristic_id)


def get_bundle(session: Session, bundles: Mapping[str, BundleDef], principal: Principal, reference: str) -> Bundle:
    """The bundle if the principal may see it: its maker, or for a juristic person's bundle its directors
    and the people authorised for every one of its parts (403 for others acting for it)."""
    bundle = session.scalar(visible_bundles(principal).where(Bundle.reference == reference.strip().upper()))
    if bundle is None:
        raise BundleNotFound()
    acting = principal.acting
    if acting is not None and acting.role != DIRECTOR:
        bundle_def = bundles.get(bundle.kind)
        services_of = [p.service for p in bundle_def.parts] if bundle_def else [a.service_id for a in bundle.parts]
        if not all(acting.may_use(s) for s in services_of):
            raise NotAuthorisedForService()
    return bundle


def _values(bundle: Bundle) -> dict[str, Any]:
    return dict((bundle.answers or {}).get("values", {}))


def update_bundle(session: Session, catalog: Catalog, bundles: Mapping[str, BundleDef], principal: Principal,
                  bundle: Bundle, answers: Mapping[str, Any]) -> Bundle:
    """New answers for a draft (a pending co-approval is dropped: the second director must see the
    new version), passed on to every part."""
    if bundle.status == AWAITING:
        coapproval.cancel(session, bundle)
        bundle.status = DRAFT
    if bundle.status != DRAFT:
        raise BundleNotDraft()
    bundle_def = bundles[bundle.kind]
    typed = forms.coerce(bundle_def.schema, dict(answers))
    values = {**_values(bundle), **typed}
    _check_answers(bundle_def, values, complete=False)
    for part, application in _pairs(bundle_def, bundle):
        mapped = bundle_def.part_data(part, values)
        services.update_application(session, catalog, principal, application, {**application.data, **mapped})
    sources = {q: s for q, s in (bundle.answers or {}).get("sources", {}).items()
               if q not in typed or typed[q] == _values(bundle).get(q)}
    bundle.answers = {"values": values, "sources": sources}
    bundle.updated_at = utcnow()
    return bundle


def _pairs(bundle_def: BundleDef, bundle: Bundle) -> list[tuple[Any, Application]]:
    by_service = {a.service_id: a for a in bundle.parts}
    return [(part, by_service[part.service]) for part in bundle_def.parts if part.service in by_service]


def check_ready(catalog: Catalog, bundles: Mapping[str, BundleDef], bundle: Bundle) -> None:
    """FormInvalid naming every part still incomplete (its form or its required documents)."""
    bundle_def = bundles[bundle.kind]
    _check_answers(bundle_def, _values(bundle), complete=True)
    problems: dict[str, dict[str, str]] = {}
    for application in bundle.parts:
        service = services.get_service(catalog, application.service_id)
        form = forms.validate(service.form_schema, application.data, complete=True)
        missing = services.missing_documents(service, application)
        if form or missing:
            names = {d.id: d.name for d in service.documents}
            th = [f"{service.name.th}: " + ", ".join([*(p["th"] for p in form.values()),
                                                      *(f"ยังไม่ได้แนบ {names[m].th}" for m in missing)])]
            en = [f"{service.name.en}: " + ", ".join([*(p["en"] for p in form.values()),
                                                      *(f"missing {names[m].en}" for m in missing)])]
            problems[application.service_id] = {"th": th[0], "en": en[0]}
    if problems:
        raise FormInvalid("ยังยื่นไม่ได้: บางส่วนของคำขอยังไม่ครบ", "Not ready: some parts are incomplete.",
                          fields=problems)


def submit_bundle(session: Session, catalog: Catalog, bundles: Mapping[str, BundleDef], principal: Principal,
                  bundle: Bundle, declaration: bool, *, settings: Settings) -> Bundle:
    """Every part complete, then: held for a second director (signing rule of two) or sent now."""
    if bundle.status != DRAFT:
        raise BundleNotDraft()
    if not declaration:
        raise DeclarationRequired()
    if not all(services.may_act(principal, a, "submit") for a in bundle.parts):
        raise NotAuthorisedForService()
    check_ready(catalog, bundles, bundle)
    if coapproval.needs_second_director(principal):
        coapproval.hold(session, principal, bundle)
        bundle.status = AWAITING
        bundle.answers = {**(bundle.answers or {}), "held_versions": {a.reference: a.version for a in bundle.parts}}
        bundle.updated_at = utcnow()
        return bundle
    return fan_out(session, catalog, principal, bundle, settings=settings)


def co_approve_bundle(session: Session, catalog: Catalog, bundles: Mapping[str, BundleDef], principal: Principal,
                      bundle: Bundle, declaration: bool, *, settings: Settings) -> Bundle:
    """The second director's approval (not the one who asked: 409), then every part is submitted."""
    if not declaration:
        raise DeclarationRequired()
    if bundle.status != AWAITING:
        raise coapproval.NoCoApprovalPending()
    held = (bundle.answers or {}).get("held_versions", {})
    if any(held.get(a.reference) != a.version for a in bundle.parts):
        coapproval.cancel(session, bundle)
        bundle.status = DRAFT
        raise coapproval.CoApprovalChanged()
    coapproval.approve(session, principal, bundle)
    check_ready(catalog, bundles, bundle)
    return fan_out(session, catalog, principal, bundle, settings=settings)


def fan_out(session: Session, catalog: Catalog, principal: Principal, bundle: Bundle, *, settings: Settings) -> Bundle:
    """Submit every part to its agency in this transaction; the fees are opened together."""
    for application in bundle.parts:
        services.act(session, catalog, principal, application, "submit", declaration=True)
    now = utcnow()
    bundle.status, bundle.submitted_at, bundle.updated_at = SUBMITTED, now, now
    bundle_fees(session, settings, catalog, bundle)
    return bundle


def bundle_fees(session: Session, settings: Settings, catalog: Catalog, bundle: Bundle) -> Payment | None:
    """Every part's fee as one Thai QR (pracha.payments.bundles); None when no part charges one."""
    session.flush()
    try:
        return payment_bundles.open_bundle_payment(session, settings, catalog, bundle)
    except NothingDue:
        return None


def bundle_status(bundle: Bundle) -> str:
    """draft, awaiting_co_approval, or from the parts: needs_attention (one needs information or was
    refused), done (all decided), else in_progress."""
    if bundle.status in (DRAFT, AWAITING):
        return bundle.status
    statuses = {a.status for a in bundle.parts}
    if statuses & {workflow.NEEDS_INFO, workflow.REJECTED}:
        return NEEDS_ATTENTION
    if statuses and statuses <= workflow.FINAL:
        return DONE
    return IN_PROGRESS


def open_bundles(session: Session, juristic_id: str) -> list[Bundle]:
    rows = session.scalars(select(Bundle).where(Bundle.organisation_id == juristic_id).order_by(Bundle.id.desc()))
    return [b for b in rows if bundle_status(b) != DONE]
