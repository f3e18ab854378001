"""The business dashboard (`/business`): for the juristic person acted for, its licences and documents
with their expiry, renewals due, open applications and bundles, payments, what waits for a second
director, and who in the company did what (the organisation's application events, newest first)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.automation.models import Certificate
from pracha.business.bundles import STATUS_TEXT, bundle_status, open_bundles
from pracha.calendar import format_datetime
from pracha.identity.models import User
from pracha.identity.principal import Principal
from pracha.payments.models import Payment
from pracha.services import coapproval, workflow
from pracha.services import service as services
from pracha.services.catalog import Catalog
from pracha.services.errors import NotAuthorisedForService
from pracha.services.models import Application, ApplicationEvent, Bundle

RENEWAL_WINDOW_DAYS = 60
ACTIVITY_LIMIT = 20


def _name(user: User | None, lang: str) -> str:
    if user is None:
        return "ระบบ" if lang != "en" else "The system"
    if user.role != "citizen":  # an officer: the agency acted, not a named person the company should see
        return "เจ้าหน้าที่" if lang != "en" else "An officer"
    return f"{user.first_name} {user.last_name}"


def _say(catalog: Catalog, service_id: str | None, lang: str) -> str:
    service = catalog.get(service_id or "")
    if service is None:
        return service_id or ""
    return service.name.en if lang == "en" else service.name.th


def licences(session: Session, catalog: Catalog, principal: Principal, today: dt.date, lang: str
             ) -> list[dict[str, Any]]:
    acting = principal.acting
    assert acting is not None
    rows = session.scalars(select(Certificate).where(Certificate.organisation_id == acting.juristic_id,
                                                     Certificate.revoked_at.is_(None)).order_by(Certificate.issued_at))
    out = []
    for c in rows:
        if not acting.may_use(c.service_id or ""):
            continue
        left = (c.valid_until - today).days if c.valid_until else None
        due = left is not None and left <= RENEWAL_WINDOW_DAYS
        out.append({"id": c.id, "number": c.number, "title": c.title_en if lang == "en" else c.title_th,
                    "service_id": c.service_id, "service_name": _say(catalog, c.service_id, lang),
                    "valid_until": c.valid_until.isoformat() if c.valid_until else None, "days_left": left,
                    "renewal_due": due, "renew_url": f"/services/{c.service_id}" if due and c.service_id else None,
                    "expired": left is not None and left < 0})
    return out


def dashboard(session: Session, catalog: Catalog, principal: Principal, today: dt.date, lang: str
              ) -> dict[str, Any]:
    """Every section, for the organisation acted for (an authorised person: the services granted)."""
    acting = principal.acting
    if acting is None:
        raise ValueError("not acting for an organisation")
    if acting.services is not None and not acting.services:
        raise NotAuthorisedForService()  # an authorisation revoked or expired while acting: nothing to show
    every_service = acting.services is None or "*" in acting.services
    jid = acting.juristic_id
    mine = services.citizen_owns(principal)
    open_statuses = sorted(workflow.OPEN | {workflow.DRAFT})
    apps = session.scalars(select(Application).where(mine, Application.status.in_(open_statuses))
                           .order_by(Application.updated_at.desc()).limit(50))
    docs = licences(session, catalog, principal, today, lang)
    payments = session.scalars(select(Payment).where(Payment.organisation_id == jid)
                               .order_by(Payment.created_at.desc()).limit(50))
    events = session.execute(select(ApplicationEvent, Application.reference, Application.service_id)
                             .join(Application, ApplicationEvent.application_id == Application.id)
                             .where(mine).order_by(ApplicationEvent.at.desc(), ApplicationEvent.id.desc())
                             .limit(ACTIVITY_LIMIT))
    actors: dict[int, User | None] = {}
    activity = []
    for event, reference, service_id in events:
        if event.actor_id is not None and event.actor_id not in actors:
            actors[event.actor_id] = session.get(User, event.actor_id)
        actor = actors.get(event.actor_id) if event.actor_id is not None else None
        activity.append({"at": event.at.isoformat(), "when": format_datetime(event.at, lang), "who": _name(actor, lang),
                         "action": event.action, "to_status": event.to_status, "reference": reference,
                         "service_name": _say(catalog, service_id, lang)})
    waiting = []
    for row in coapproval.waiting_for(session, jid):
        held = session.get(Application, row.application_id) if row.application_id else None
        if not (every_service or (held is not None and acting.may_use(held.service_id))):
            continue
        target = row.bundle_id and f"bundle:{row.bundle_id}" or f"application:{row.application_id}"
        waiting.append({"target": target, "requested_by": _name(row.requested_by, lang),
                        "requested_by_me": row.requested_by_id == principal.user_id,
                        "requested_at": row.requested_at.isoformat(),
                        "url": _waiting_url(session, row.bundle_id, row.application_id)})
    return {
        "organisation": {"juristic_id": jid, "name_th": acting.name_th, "name_en": acting.name_en,
                         "role": acting.role},
        "licences": docs, "renewals_due": [d for d in docs if d["renewal_due"]],
        "applications": [{"reference": a.reference, "service_id": a.service_id,
                          "service_name": _say(catalog, a.service_id, lang), "status": a.status,
                          "bundle": a.bundle_id is not None} for a in apps],
        "bundles": [{"reference": b.reference, "kind": b.kind, "status": bundle_status(b),
                     "status_text": STATUS_TEXT[bundle_status(b)][1 if lang == "en" else 0]}
                    for b in open_bundles(session, jid)] if every_service else [],
        "payments": [{"id": p.public_id, "service_id": p.service_id, "service_name": _say(catalog, p.service_id, lang),
                      "amount_baht": p.amount / 100, "status": p.status, "created_at": p.created_at.isoformat()}
                     for p in payments if acting.may_use(p.service_id)],
        "co_approvals": waiting, "activity": activity,
    }


def _waiting_url(session: Session, bundle_id: int | None, application_id: int | None) -> str:
    if bundle_id is not None:
        bundle = session.get(Bundle, bundle_id)
        return f"/bundles/{bundle.reference}" if bundle else "/business"
    application = session.get(Application, application_id) if application_id else None
    return f"/applications/{application.reference}" if application else "/business"
