"""The citizen's submit under a juristic person's signing rule: a director acting for a company whose
rule needs two directors asks (`coapproval.hold`) instead of submitting; another director of the same
company co-approves, and that approval submits. Used by the check-your-answers page and the API's
submit; `service.act` itself never holds (a bundle's parts are submitted through it once the bundle
was co-approved)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from pracha.identity.principal import DIRECTOR, Principal
from pracha.services import coapproval, service
from pracha.services.catalog import Catalog
from pracha.services.errors import DeclarationRequired
from pracha.services.models import Application, CoApproval


def must_hold(principal: Principal) -> bool:
    """A director acting for a company whose signing rule needs more than one director."""
    acting = principal.acting
    return acting is not None and acting.role == DIRECTOR and coapproval.needs_second_director(principal)


def submit_or_hold(session: Session, catalog: Catalog, principal: Principal, application: Application, *,
                   declaration: bool) -> CoApproval | None:
    """Submit, or hold for a second director (returns the pending co-approval). Whatever would refuse
    the submit refuses the hold too, so the second director approves only what can be submitted."""
    if not must_hold(principal):
        service.act(session, catalog, principal, application, "submit", declaration=declaration)
        return None
    service.check_submittable(session, catalog, principal, application, declaration=declaration)
    return coapproval.hold(session, principal, application)


def co_approve(session: Session, catalog: Catalog, principal: Principal, application: Application, *,
               declaration: bool) -> Application:
    """The second director's approval, then the submit in their name: 409 if they asked themselves,
    if nothing waits or the application changed since; 403 for anyone not a director of the company."""
    if not declaration:
        raise DeclarationRequired()
    coapproval.approve(session, principal, application)
    return service.act(session, catalog, principal, application, "submit", declaration=True)
