"""Every route × every role: who may call what. A new route fails `test_every_route_is_in_the_matrix`
until it has an access rule and a row here."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from pracha.config import Settings
from pracha.exchange import checks
from pracha.exchange.mediator import public_keys
from pracha.http.access import SESSION_COOKIE, Rule
from pracha.http.middleware import CSRF_COOKIE
from pracha.services.catalog import Catalog
from pracha.web.app import routers
from tests.conftest import WORKER
from tests.pgserver import PostgresServer
from tests.services.helpers import ELDERLY_FORM, PDF
from tests.web.matrix_business import BusinessRegistry, business_registry
from tests.web.matrix_world import AGENCY, SECRET, Template, World, build_template

MATRIX_CSRF_COOKIE = "matrix-csrf-cookie"  # the browser's CSRF cookie, fixed so each role's token is known

# director: of the demo company, acting for it; employee: authorised for one of its services, acting for
# it; revoked: an employee acting for it whose grant was revoked (tests/web/matrix_business.py);
# delegate: a second citizen acting for the world's citizen under a live delegation of every service;
# counter: an officer of the world's agency serving the world's citizen in an open counter session
# (tests/web/matrix_acting.py)
ROLES = ("anonymous", "citizen", "other_citizen", "officer", "other_officer", "agency_admin", "auditor",
         "platform_admin", "dpo", "finance", "director", "employee", "revoked", "moderator", "inspector",
         "delegate", "counter", "token")
SIGNED_IN = ROLES[1:-1]
COMPANY = ("director", "employee", "revoked")
# Acting for the world's citizen. Only the routes opted in with allow(*FOR_A_PERSON) let them in (the
# citizen's applications, their payments and appointments, /me): there they get what the citizen gets
# (`mine`, `visible`). Every other route refuses them (403, expect's default): the citizen's account,
# privacy, consents and voice stay the citizen's own, and an officer at the counter is in the visitor's
# shoes, so staff routes refuse them too. Public routes answer them like anyone (`everyone`).
FOR_THE_CITIZEN = ("delegate", "counter")
AS_THEMSELVES = tuple(role for role in SIGNED_IN if role not in FOR_THE_CITIZEN)


def expect(**allowed: int) -> dict[str, int]:
    """Statuses per role: the roles named get theirs; anyone else is refused (401 anonymous, else 403).
    The roles acting for the company are, unless named, what `other_citizen` is: citizens too, and the
    world's citizen's things are not theirs."""
    stranger = allowed.get("other_citizen", 403)
    return {role: allowed.get(role, stranger if role in COMPANY else 401 if role == "anonymous" else 403)
            for role in ROLES}


def mine(**allowed: int) -> dict[str, int]:
    """A route opted in to acting for a person: the delegate and the counter officer get, unless named,
    what the world's citizen gets (it is the citizen's affairs they handle)."""
    return expect(**{**dict.fromkeys(FOR_THE_CITIZEN, allowed.get("citizen", 403)), **allowed})


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(ROLES, status)


def visible(ok: int, *, hidden: int = 404, **more: int) -> dict[str, int]:
    """An application route: owner (and who acts for them), its agency's staff and the auditor see it;
    others get 404."""
    allowed = {"citizen": ok, "officer": ok, "agency_admin": ok, "auditor": ok,
               "other_citizen": hidden, "other_officer": hidden}
    allowed.update(more)
    return mine(**allowed)


@dataclass(frozen=True)
class Call:
    method: str
    path: str  # route template; {reference}, {document_id}, {token_id} are filled from the world
    expected: dict[str, int]
    body: str = ""  # "form", "json:<name>", "multipart", "text"
    query: str = ""
    reference: str = ""  # whose application {reference} names: the citizen's, or "company_granted"/"company_other"
    label: str = ""  # tells apart the rows of one route

    def __str__(self) -> str:
        return f"{self.method} {self.path}" + (f" [{self.label}]" if self.label else "")


ADMINS_ONLY = {"agency_admin": 200, "platform_admin": 200}
CITIZENS = {"citizen": 200, "other_citizen": 200}
OVERSEERS = {"dpo": 200, "auditor": 200, "platform_admin": 200}
BREACH_READERS = {"dpo": 200, "auditor": 200}
EXCHANGE_MEMBERS = dict.fromkeys(
    ("officer", "other_officer", "agency_admin", "auditor", "platform_admin", "token"), 200)
HEARING_STAFF = {"officer": 200, "agency_admin": 200, "platform_admin": 200}  # the world's agency's; the platform admin
COMPANY_READS = ("/api/v1/applications/{reference}", "/api/v1/applications/{reference}/status",
                 "/applications/{reference}")


def PETITIONERS(status: int) -> dict[str, int]:  # noqa: N802 - reads as a constant in the rows
    """Every citizen, acting for the company or not (a support is the person's own)."""
    return dict.fromkeys(("citizen", "other_citizen", "director", "employee", "revoked"), status)


def not_theirs(path: str) -> dict[str, int]:
    """The company's drafts: 404 for everyone else signed in (not even the agency sees a draft), but for
    API tokens on a page (403)."""
    hidden = dict.fromkeys(("citizen", "other_citizen", "officer", "other_officer", "agency_admin", "auditor",
                            *FOR_THE_CITIZEN), 404)
    return {**hidden, "token": 404 if path.startswith("/api/") else 403}


MATRIX = [
    Call("GET", "/healthz", everyone(200)),
    Call("GET", "/", everyone(200)),
    Call("GET", "/signup", everyone(200)),
    Call("POST", "/signup", everyone(422), "form"),
    Call("GET", "/signin", everyone(200)),
    Call("GET", "/staff/signin", everyone(200)),
    Call("POST", "/signin", everyone(401), "form"),
    Call("POST", "/staff/signin", everyone(401), "form"),
    Call("POST", "/signout", everyone(303), "form"),
    Call("GET", "/staff/factor", everyone(303)),
    Call("POST", "/staff/factor", everyone(401), "form"),
    Call("POST", "/api/v1/session/factor", everyone(422), "json:empty"),
    Call("GET", "/admin/tokens", expect(**ADMINS_ONLY)),
    Call("POST", "/admin/tokens", expect(**ADMINS_ONLY), "form:token"),
    Call("POST", "/admin/tokens/{token_id}/revoke", expect(agency_admin=303, platform_admin=303), "form"),
    Call("POST", "/api/v1/citizens", everyone(422), "json:empty"),
    Call("POST", "/api/v1/session", everyone(422), "json:empty"),
    Call("GET", "/api/v1/session", everyone(200)),
    Call("DELETE", "/api/v1/session", everyone(204)),
    Call("GET", "/api/v1/tokens", expect(**ADMINS_ONLY)),
    Call("POST", "/api/v1/tokens", expect(agency_admin=201, platform_admin=201), "json:token"),
    Call("DELETE", "/api/v1/tokens/{token_id}", expect(**ADMINS_ONLY)),
    Call("GET", "/services", everyone(200)),
    Call("GET", "/services/{service_id}", everyone(200)),
    Call("GET", "/services/{service_id}/apply", mine(**CITIZENS)),
    # the matrix posts an empty apply form: refused (422), and no draft is made (a second application
    # while one is open is 409: tests/services/test_duplicates.py)
    Call("POST", "/services/{service_id}/apply", mine(citizen=422, other_citizen=422, employee=403, revoked=403),
         "form"),  # employees acting for the company: the elderly allowance is not a service they were granted
    Call("POST", "/services/{service_id}/apply/prefill", mine(citizen=200, other_citizen=200), "form"),
    Call("GET", "/me", mine(**CITIZENS)),
    Call("GET", "/inbox", expect(**CITIZENS)),
    Call("GET", "/applications/{reference}", visible(200)),
    Call("POST", "/applications/{reference}/form", mine(citizen=409, other_citizen=404), "form"),
    Call("POST", "/applications/{reference}/documents", mine(citizen=422, other_citizen=404), "form"),
    Call("GET", "/applications/{reference}/documents/{document_id}", visible(200)),
    Call("POST", "/applications/{reference}/actions/{action}",
         mine(citizen=403, other_citizen=404, officer=409, other_officer=404, agency_admin=409), "form"),
    Call("GET", "/applications/{reference}/check", mine(citizen=303, other_citizen=404)),  # not a draft
    Call("POST", "/applications/{reference}/check", mine(citizen=303, other_citizen=404), "form"),
    Call("GET", "/applications/{reference}/withdraw", mine(citizen=200, other_citizen=404)),
    Call("GET", "/applications/{reference}/delete", mine(citizen=303, other_citizen=404)),
    Call("POST", "/applications/{reference}/delete", mine(citizen=409, other_citizen=404), "form"),
    Call("POST", "/applications/{reference}/documents/{document_id}/remove", mine(citizen=409, other_citizen=404),
         "form"),
    Call("GET", "/officer/queue", expect(officer=200, other_officer=200, agency_admin=200, auditor=200)),
    Call("GET", "/api/v1/services", everyone(200)),
    Call("GET", "/api/v1/services/{service_id}", everyone(200)),
    Call("GET", "/api/v1/services/{service_id}/eligibility", mine(**CITIZENS)),
    Call("GET", "/api/v1/applications", mine(**dict.fromkeys(
        ("citizen", "other_citizen", "officer", "other_officer", "agency_admin", "auditor", "token"), 200))),
    # the company has its draft of the residence certificate open already (409); its employees were not
    # granted that service (403); the citizen's own draft, made earlier in the row, is open already when
    # the delegate and the counter officer ask for one for the citizen (409)
    Call("POST", "/api/v1/applications", mine(citizen=201, other_citizen=201, director=409, employee=403,
                                              revoked=403, delegate=409, counter=409), "json:draft"),
    Call("GET", "/api/v1/applications/{reference}", visible(200, token=200)),
    Call("GET", "/api/v1/applications/{reference}/status", visible(200, token=200)),
    Call("PATCH", "/api/v1/applications/{reference}", mine(citizen=409, other_citizen=404), "json:data"),
    Call("POST", "/api/v1/applications/{reference}/documents", mine(citizen=409, other_citizen=404),
         "multipart"),
    Call("PUT", "/api/v1/applications/{reference}/documents/{document_id}", mine(citizen=409, other_citizen=404),
         "multipart"),
    Call("DELETE", "/api/v1/applications/{reference}/documents/{document_id}", mine(citizen=409, other_citizen=404)),
    Call("DELETE", "/api/v1/applications/{reference}", mine(citizen=409, other_citizen=404)),
    Call("POST", "/api/v1/applications/{reference}/actions",
         mine(citizen=403, other_citizen=404, officer=409, other_officer=404, agency_admin=409, token=409),
         "json:approve"),
    Call("GET", "/api/v1/me/inbox", expect(**CITIZENS)),
    Call("GET", "/applications/{reference}/receipts/{event_id}", visible(200)),
    Call("GET", "/ledger", everyone(200)),
    Call("POST", "/ledger/verify", everyone(422), "form"),
    Call("GET", "/ledger/checkpoint", everyone(200)),
    Call("GET", "/ledger/key", everyone(200)),
    Call("GET", "/ledger/tile/{path}", everyone(200)),
    Call("POST", "/ledger/witness", everyone(400), "text"),
    Call("GET", "/api/v1/ledger/entries/{index}", everyone(200)),
    Call("GET", "/api/v1/ledger/proof/inclusion", everyone(200), query="?index=0&tree_size=1"),
    Call("GET", "/api/v1/ledger/proof/consistency", everyone(200), query="?first=0&second=1"),
    # single sign-on (identity/oidc): OAuth endpoints authenticate the client or bearer themselves
    Call("GET", "/.well-known/openid-configuration", everyone(200)),
    Call("GET", "/oidc/jwks", everyone(200)),
    Call("GET", "/oidc/authorize", everyone(400)),
    Call("POST", "/oidc/authorize", everyone(400), "form"),
    Call("POST", "/oidc/token", everyone(400), "form"),  # no grant_type: Authlib answers unsupported_grant_type
    Call("POST", "/oidc/revoke", everyone(401), "form"),
    Call("GET", "/oidc/userinfo", everyone(401)),
    Call("GET", "/oidc/logout", everyone(200)),
    Call("POST", "/oidc/logout", everyone(200), "form"),
    Call("POST", "/passkeys/options", everyone(200)),
    Call("POST", "/passkeys/verify", everyone(422), "json:empty"),
    Call("GET", "/me/passkeys", expect(**CITIZENS)),
    Call("POST", "/me/passkeys/options", expect(**CITIZENS)),
    Call("POST", "/me/passkeys", expect(citizen=422, other_citizen=422), "json:empty"),
    Call("POST", "/me/passkeys/{passkey_id}/delete", expect(citizen=404, other_citizen=404), "form"),
    Call("GET", "/me/apps", expect(**CITIZENS)),
    Call("GET", "/me/details", expect(**CITIZENS)),
    Call("POST", "/me/details", expect(citizen=303, other_citizen=303), "form"),
    Call("POST", "/me/apps/{client_id}/withdraw", expect(citizen=404, other_citizen=404), "form"),
    Call("GET", "/admin/oidc/clients", expect(platform_admin=200)),
    Call("POST", "/admin/oidc/clients", expect(platform_admin=422), "form"),
    Call("GET", "/api/v1/oidc/clients", expect(platform_admin=200)),
    Call("POST", "/api/v1/oidc/clients", expect(platform_admin=201), "json:oidc_client"),
    Call("POST", "/admin/oidc/clients/{client_id}/disable", expect(platform_admin=404), "form"),
    Call("DELETE", "/api/v1/oidc/clients/{client_id}", expect(platform_admin=404)),
    # exchange: consents, data tracker, members and access rights, the mediator
    Call("GET", "/me/consents", expect(**CITIZENS)),
    Call("POST", "/me/consents", expect(citizen=422, other_citizen=422), "form"),
    Call("GET", "/me/consents/{consent_id}", expect(citizen=200, other_citizen=404)),
    Call("GET", "/me/consents/{consent_id}/receipt", expect(citizen=200, other_citizen=404)),
    Call("POST", "/me/consents/{consent_id}/withdraw", expect(citizen=303, other_citizen=404), "form"),
    Call("GET", "/me/data-tracker", expect(**CITIZENS)),
    Call("GET", "/me/data-tracker/{message_reference}/receipt", expect(citizen=200, other_citizen=404)),
    Call("GET", "/admin/exchange", expect(platform_admin=200, auditor=200)),
    Call("POST", "/admin/exchange/access-rights", expect(platform_admin=422), "form"),
    Call("POST", "/admin/exchange/access-rights/{right_id}/revoke", expect(platform_admin=303), "form"),
    Call("GET", "/api/v1/me/consents", expect(**CITIZENS)),
    Call("GET", "/api/v1/me/consent-offers", expect(**CITIZENS)),
    Call("POST", "/api/v1/me/consents", expect(citizen=201, other_citizen=201), "json:consent"),
    Call("POST", "/api/v1/me/consents/{consent_id}/withdraw", expect(citizen=200, other_citizen=404)),
    Call("GET", "/api/v1/me/consents/{consent_id}/receipt", expect(citizen=200, other_citizen=404)),
    Call("GET", "/api/v1/me/data-tracker", expect(**CITIZENS)),
    Call("GET", "/api/v1/exchange/clients", expect(**EXCHANGE_MEMBERS)),
    Call("GET", "/api/v1/exchange/services", expect(**EXCHANGE_MEMBERS)),
    Call("GET", "/api/v1/exchange/openapi", expect(**EXCHANGE_MEMBERS),
         query="?service_id=TH/GOV/DOPA/civil-registry/persons"),
    Call("GET", "/api/v1/exchange/access-rights", expect(platform_admin=200, auditor=200)),
    Call("POST", "/api/v1/exchange/access-rights", expect(platform_admin=201), "json:right"),
    Call("DELETE", "/api/v1/exchange/access-rights/{right_id}", expect(platform_admin=200)),
    Call("GET", "/exchange/r1/{path}", everyone(400)),
    Call("POST", "/api/v1/assistant/messages", everyone(200), "json:assistant"),
    Call("GET", "/assistant", everyone(200)),
    Call("POST", "/assistant", everyone(422), "form"),
    Call("GET", "/assistant/faq", everyone(200)),
    Call("POST", "/channels/line/webhook", everyone(404), "text"),
    # automation
    Call("GET", "/verify/{cert_id}", everyone(200)),
    Call("POST", "/verify/{cert_id}", everyone(200), "multipart"),
    Call("GET", "/api/v1/certificates/{cert_id}", everyone(200)),
    Call("GET", "/me/documents", expect(**CITIZENS)),
    Call("GET", "/api/v1/me/documents", expect(**CITIZENS)),
    Call("GET", "/certificates/{cert_id}.pdf", visible(200)),
    Call("POST", "/certificates/{cert_id}/revoke", expect(officer=422, other_officer=404, agency_admin=422), "form"),
    Call("POST", "/applications/{reference}/automation/override",
         expect(officer=422, other_officer=404, agency_admin=422), "form"),
    Call("GET", "/admin/automation", expect(agency_admin=200, auditor=200, platform_admin=200)),
    Call("GET", "/admin/automation/charts/{chart}.svg", expect(agency_admin=200, auditor=200, platform_admin=200)),
    Call("GET", "/api/v1/automation/stats", expect(agency_admin=200, auditor=200, platform_admin=200)),
    Call("POST", "/admin/automation/tasks/{task_id}/retry", expect(platform_admin=409), "form"),
    # payments: the world's application (the elderly allowance) has no fee
    Call("GET", "/applications/{reference}/pay", mine(citizen=200, other_citizen=404)),
    Call("POST", "/applications/{reference}/pay", mine(citizen=409, other_citizen=404), "form"),
    Call("GET", "/payments/{public_id}/slip.pdf", mine(citizen=404, other_citizen=404, finance=404)),
    Call("GET", "/receipts/{receipt_id}.pdf", mine(citizen=404, other_citizen=404, finance=404)),
    Call("GET", "/api/v1/me/payments", expect(**CITIZENS)),
    Call("POST", "/api/v1/applications/{reference}/payments", mine(citizen=409, other_citizen=404), "json:empty"),
    Call("GET", "/api/v1/payments", expect(platform_admin=200, finance=200)),
    Call("POST", "/payments/validations/{bank_id}", everyone(401), "json:empty"),
    Call("POST", "/payments/callbacks/{bank_id}", everyone(401), "json:empty"),
    Call("GET", "/finance", expect(finance=200)),
    Call("GET", "/finance/reports/{day}.csv", expect(finance=200)),
    Call("POST", "/finance/payments/{public_id}/refund", expect(finance=404), "form"),
    Call("POST", "/finance/cash", expect(finance=404), "form"),  # no application of that reference
    Call("POST", "/finance/reconcile", expect(finance=303), "form"),
    # privacy: the citizen's PDPA rights and the data-protection officer
    Call("GET", "/me/privacy", expect(**CITIZENS)),
    Call("POST", "/me/privacy/requests", expect(citizen=422, other_citizen=422), "form"),
    Call("POST", "/me/privacy/sessions/{session_id}/revoke", expect(citizen=303, other_citizen=303), "form"),
    Call("GET", "/me/privacy/export", expect(**CITIZENS)),
    Call("GET", "/privacy/requests", expect(dpo=200)),
    Call("GET", "/privacy/requests/{request_id}", expect(dpo=200)),
    Call("POST", "/privacy/requests/{request_id}/forward", expect(dpo=303), "form"),
    Call("POST", "/privacy/requests/{request_id}/decision", expect(dpo=422), "form"),
    Call("GET", "/api/v1/me/export", expect(**CITIZENS)),
    # bundles and the business dashboard (issue 16): the world has no bundle
    Call("GET", "/api/v1/bundles", everyone(200)),
    Call("POST", "/api/v1/bundles/{kind}", expect(citizen=404, other_citizen=404), "json:empty"),
    Call("GET", "/api/v1/bundles/{reference}", expect(citizen=404, other_citizen=404)),
    Call("PATCH", "/api/v1/bundles/{reference}", expect(citizen=404, other_citizen=404), "json:empty"),
    Call("POST", "/api/v1/bundles/{reference}/submit", expect(citizen=404, other_citizen=404), "json:empty"),
    Call("POST", "/api/v1/bundles/{reference}/co-approve", expect(citizen=404, other_citizen=404), "json:empty"),
    Call("GET", "/bundles/{kind}/start", expect(citizen=404, other_citizen=404)),
    Call("POST", "/bundles/{kind}/start", expect(citizen=404, other_citizen=404), "form"),
    Call("GET", "/bundles/{reference}", expect(citizen=404, other_citizen=404)),
    Call("POST", "/bundles/{reference}/answers", expect(citizen=404, other_citizen=404), "form"),
    Call("POST", "/bundles/{reference}/submit", expect(citizen=404, other_citizen=404), "form"),
    Call("POST", "/bundles/{reference}/co-approve", expect(citizen=404, other_citizen=404), "form"),
    # acting for the company shows its dashboard; an employee sees only what the live grant covers, and
    # one whose authorisation was revoked while acting is refused (business/dashboard.py)
    Call("GET", "/business", expect(citizen=303, other_citizen=303, director=200, employee=200, revoked=403)),
    Call("GET", "/api/v1/organisations/{jid}/dashboard",
         expect(citizen=403, other_citizen=403, director=200, employee=200, revoked=403)),
    Call("POST", "/api/v1/me/privacy-requests", expect(citizen=201, other_citizen=201), "json:privacy"),
    Call("GET", "/api/v1/me/privacy-requests", expect(**CITIZENS)),
    Call("GET", "/api/v1/privacy/requests", expect(dpo=200)),
    Call("POST", "/api/v1/privacy/requests/{request_id}/forward", expect(dpo=200)),
    Call("POST", "/api/v1/privacy/requests/{request_id}/decision", expect(dpo=422), "json:empty"),
    # privacy: the controller's accountability (RoPA, notices, retention, breaches)
    Call("GET", "/privacy/ropa", expect(**OVERSEERS)),
    Call("GET", "/api/v1/privacy/ropa", expect(**OVERSEERS)),
    Call("GET", "/services/{service_id}/privacy", everyone(200)),
    Call("GET", "/privacy/retention", expect(**OVERSEERS)),
    Call("GET", "/api/v1/privacy/retention", expect(**OVERSEERS)),
    Call("POST", "/api/v1/privacy/retention/runs", expect(dpo=201)),
    Call("GET", "/privacy/breaches", expect(**BREACH_READERS)),
    Call("POST", "/privacy/breaches", expect(dpo=422), "form"),
    Call("GET", "/api/v1/privacy/breaches", expect(**BREACH_READERS)),
    Call("POST", "/api/v1/privacy/breaches", expect(dpo=422), "json:empty"),
    Call("GET", "/api/v1/privacy/breaches/{breach_id}", expect(**BREACH_READERS)),
    Call("GET", "/privacy/breaches/{breach_id}", expect(**BREACH_READERS)),
    Call("GET", "/privacy/breaches/{breach_id}/letter", expect(**BREACH_READERS)),
    Call("GET", "/privacy/breaches/{breach_id}/letter.pdf", expect(**BREACH_READERS)),
    Call("POST", "/privacy/breaches/{breach_id}/regulator-notified", expect(dpo=303), "form"),
    Call("POST", "/privacy/breaches/{breach_id}/notify-people", expect(dpo=303), "form"),
    Call("POST", "/api/v1/privacy/breaches/{breach_id}/regulator-notified", expect(dpo=200)),
    Call("POST", "/api/v1/privacy/breaches/{breach_id}/notify-people", expect(dpo=200)),
    # operations (the metrics token is tested in tests/web/test_metrics.py)
    Call("GET", "/metrics", expect(platform_admin=200)),
    Call("GET", "/readyz", everyone(503)),  # the world's registries (ports 8101…) are not running
    # staff tools: /admin, the API reference, casework (assignment, notes, inline view, bulk actions)
    Call("GET", "/admin", expect(**dict.fromkeys(("officer", "other_officer", "agency_admin", "auditor",
                                                  "platform_admin", "dpo", "finance", "moderator",
                                                  "inspector"), 200))),
    Call("GET", "/docs", everyone(200)),
    Call("GET", "/docs/{section}", everyone(200)),  # the schemas; a tag's page: tests/services/test_staff_tools.py
    Call("POST", "/applications/{reference}/assignee",
         expect(officer=303, other_officer=404, agency_admin=303), "form"),
    Call("POST", "/applications/{reference}/notes", expect(officer=422, other_officer=404, agency_admin=422), "form"),
    Call("GET", "/applications/{reference}/documents/{document_id}/inline", visible(200)),
    Call("POST", "/officer/queue/bulk", expect(officer=422, other_officer=422, agency_admin=422), "form"),
    Call("GET", "/api/v1/agency/colleagues", expect(officer=200, other_officer=200, agency_admin=200)),
    Call("POST", "/api/v1/applications/{reference}/assignee",
         expect(officer=200, other_officer=404, agency_admin=200, token=200), "json:unassign"),
    Call("GET", "/api/v1/applications/{reference}/notes",
         expect(officer=200, other_officer=404, agency_admin=200, auditor=200)),
    Call("POST", "/api/v1/applications/{reference}/notes",
         expect(officer=201, other_officer=404, agency_admin=201), "json:note"),
    Call("POST", "/api/v1/applications/bulk-actions", expect(officer=200, other_officer=200, agency_admin=200),
         "json:bulk"),
    # business: acting for an organisation (the world's business registry is a real process)
    Call("GET", "/api/v1/me/organisations", expect(**CITIZENS)),
    Call("GET", "/api/v1/me/acting-for", expect(**CITIZENS)),
    Call("POST", "/api/v1/me/acting-for", expect(citizen=422, other_citizen=422), "json:empty"),
    Call("DELETE", "/api/v1/me/acting-for", expect(**CITIZENS)),
    Call("GET", "/api/v1/organisations/{juristic_id}/authorisations", expect(director=200)),
    # the grant names the director herself (422); no grant 999999 (404)
    Call("POST", "/api/v1/organisations/{juristic_id}/authorisations",
         expect(citizen=403, other_citizen=403, director=422), "json:grant"),
    Call("DELETE", "/api/v1/organisations/{juristic_id}/authorisations/{grant_id}", expect(director=404)),
    Call("POST", "/api/v1/applications/{reference}/co-approve", expect(citizen=403, other_citizen=404),
         "json:declared"),
    Call("GET", "/me/organisations", expect(**CITIZENS)),
    Call("POST", "/me/organisations", expect(citizen=422, other_citizen=422), "form"),
    Call("GET", "/business/people", expect(**CITIZENS)),
    Call("POST", "/business/people", expect(citizen=403, other_citizen=403, director=422), "form"),
    Call("POST", "/business/people/{grant_id}/revoke", expect(citizen=403, other_citizen=403, director=404), "form"),
    Call("POST", "/applications/{reference}/co-approve", expect(citizen=422, other_citizen=404), "form"),
    # acting for the demo company (issue 16): its director reads its applications; an employee only those
    # of the granted service, and none once the grant is revoked; someone acting for no one sees none
    *[Call("GET", path, expect(director=200, employee=200, revoked=403, **not_theirs(path)),
           reference="company_granted", label="company, granted service") for path in COMPANY_READS],
    *[Call("GET", path, expect(director=200, employee=403, revoked=403, **not_theirs(path)),
           reference="company_other", label="company, other service") for path in COMPANY_READS],
    Call("POST", "/api/v1/me/acting-for", expect(director=200, employee=200, revoked=403), "json:company",
         label="the company"),
    Call("POST", "/api/v1/me/acting-for", expect(), "json:other_company", label="another company"),
    # open data pages (issue 17): the search and dataset pages are public (the world has no dataset: 404);
    # the publisher's pages are agency admins' and the platform admin's (API tokens publish through CKAN)
    Call("GET", "/data", everyone(200)),
    Call("GET", "/data/dataset/{name}", everyone(404)),
    Call("GET", "/data/publish", expect(**ADMINS_ONLY)),
    Call("GET", "/data/publish/new", expect(**ADMINS_ONLY)),
    Call("POST", "/data/publish/new", expect(agency_admin=422, platform_admin=422), "form"),
    *[Call(method, path, expect(agency_admin=404, platform_admin=404), "form" if method == "POST" else "")
      for path in ("/data/dataset/{name}/edit", "/data/dataset/{name}/resource/new", "/data/dataset/{name}/delete",
                   "/data/dataset/{name}/resource/{rid}/version")
      for method in ("GET", "POST")],
    # open data, CKAN's Action API: public and cookie-free (a session never authorises a write); the
    # matrix calls the action "approve", which CKAN does not know (400); writes need an API token
    # with the scope opendata:publish (tests/opendata/test_ckan_api.py)
    *[Call(method, path, everyone(400), "json:empty" if method == "POST" else "")
      for path in ("/api/3/action/{action}", "/api/action/{action}") for method in ("GET", "POST")],
    # open data: the feeds and the proof of published files are public (the world publishes no dataset:
    # an unknown resource is 404 for everyone)
    Call("GET", "/catalog.ttl", everyone(200)),
    Call("GET", "/catalog.jsonld", everyone(200)),
    Call("GET", "/data.json", everyone(200)),
    Call("GET", "/data/dataset/{name}/resource/{rid}/download", everyone(404)),
    Call("GET", "/data/dataset/{name}/resource/{rid}/v/{n}", everyone(404)),
    Call("GET", "/api/v1/opendata/resources/{rid}/versions", everyone(404)),
    Call("GET", "/api/v1/opendata/resources/{rid}/versions/{n}/receipt", everyone(404)),
    Call("GET", "/api/v1/opendata/verify", everyone(200), query="?sha256=" + "0" * 64),
    Call("GET", "/data/verify", everyone(200)),
    Call("POST", "/data/verify", everyone(422), "form"),
    # participation: complaints (world: tests/web/matrix_complaints.py): the citizen's complaint, handled by
    # the world's agency (officer, agency admin); a citizen's step in the wrong status is 409, another's 403
    Call("GET", "/api/v1/complaints", everyone(200)),
    Call("POST", "/api/v1/complaints", expect(citizen=422, other_citizen=422), "json:empty"),
    Call("GET", "/api/v1/complaints/mine", expect(**CITIZENS)),
    Call("GET", "/api/v1/complaints/{complaint_ref}", everyone(200)),
    Call("GET", "/api/v1/complaints/{complaint_ref}/photos/{photo_id}", everyone(200)),
    Call("POST", "/api/v1/complaints/{complaint_ref}/actions", expect(officer=422, agency_admin=422), "json:empty"),
    Call("POST", "/api/v1/complaints/{complaint_ref}/details", expect(citizen=409), "json:empty"),
    Call("POST", "/api/v1/complaints/{complaint_ref}/rating", expect(citizen=422, other_citizen=422), "json:empty"),
    Call("POST", "/api/v1/complaints/{complaint_ref}/reopen", expect(citizen=422, other_citizen=422), "json:empty"),
    Call("GET", "/complaints", everyone(200)),
    Call("GET", "/complaints/new", expect(**CITIZENS)),
    Call("POST", "/complaints/new", expect(citizen=422, other_citizen=422), "form"),
    Call("GET", "/complaints/mine", expect(**CITIZENS)),
    Call("GET", "/complaints/{complaint_ref}", everyone(200)),
    *[Call("POST", f"/complaints/{{complaint_ref}}/{step}", expect(citizen=409), "form")
      for step in ("details", "rating", "reopen")],
    Call("GET", "/officer/complaints", expect(officer=200, other_officer=200, agency_admin=200, inspector=200)),
    Call("GET", "/officer/complaints/{complaint_ref}", expect(officer=200, agency_admin=200)),
    Call("POST", "/officer/complaints/{complaint_ref}/actions", expect(officer=422, agency_admin=422), "form"),
    # participation: hearings (world: tests/web/matrix_hearings.py): an open hearing of the world's agency,
    # answered by the citizen. An empty answer, draft or summary is refused (422); once published, its PDF
    # and period are fixed (409) and it is summarised only after the close (409); staff of another agency
    # do not see the agency's hearings on the staff side (404)
    Call("GET", "/api/v1/hearings", everyone(200)),
    Call("GET", "/api/v1/hearings/{hearing_id}", everyone(200)),
    Call("GET", "/api/v1/hearings/{hearing_id}/document", everyone(200)),
    Call("POST", "/api/v1/hearings", expect(**dict.fromkeys((*HEARING_STAFF, "other_officer"), 422)), "json:empty"),
    Call("POST", "/api/v1/hearings/{hearing_id}/document",
         expect(**dict.fromkeys(HEARING_STAFF, 409), other_officer=404), "multipart"),
    Call("POST", "/api/v1/hearings/{hearing_id}/publish",
         expect(**dict.fromkeys(HEARING_STAFF, 409), other_officer=404), "json:empty"),
    Call("PUT", "/api/v1/hearings/{hearing_id}/response", expect(citizen=422, other_citizen=422), "json:empty"),
    Call("GET", "/api/v1/hearings/{hearing_id}/response", expect(citizen=200, other_citizen=404)),
    Call("POST", "/api/v1/hearings/{hearing_id}/report",
         expect(**dict.fromkeys((*HEARING_STAFF, "other_officer"), 422)), "json:empty"),
    Call("GET", "/hearings", everyone(200)),
    Call("GET", "/hearings/{hearing_id}", everyone(200)),
    Call("POST", "/hearings/{hearing_id}/response", expect(citizen=422, other_citizen=422), "form"),
    Call("GET", "/officer/hearings", expect(**dict.fromkeys((*HEARING_STAFF, "other_officer"), 200))),
    Call("POST", "/officer/hearings", expect(**dict.fromkeys((*HEARING_STAFF, "other_officer"), 422)), "form"),
    Call("GET", "/officer/hearings/{hearing_id}", expect(**HEARING_STAFF, other_officer=404)),
    Call("POST", "/officer/hearings/{hearing_id}/document",
         expect(**dict.fromkeys(HEARING_STAFF, 409), other_officer=404), "multipart"),
    Call("POST", "/officer/hearings/{hearing_id}/publish",
         expect(**dict.fromkeys(HEARING_STAFF, 409), other_officer=404), "form"),
    Call("POST", "/officer/hearings/{hearing_id}/report",
         expect(**dict.fromkeys(HEARING_STAFF, 409), other_officer=404), "form"),
    # participation: petitions (world: tests/web/matrix_petitions.py)
    # an open petition the world's citizen supports ({petition_id}: deciding it again is 409; who sees a
    # pending one: tests/participation/test_petitions_api.py); every citizen (acting for the company or
    # not) supports; the moderator checks; the agency answers (an empty JSON answer fails validation first)
    Call("GET", "/api/v1/petitions", everyone(200)),
    Call("POST", "/api/v1/petitions", expect(**PETITIONERS(422)), "json:empty"),
    Call("GET", "/api/v1/petitions/{petition_id}", everyone(200)),
    Call("POST", "/api/v1/petitions/{petition_id}/decision", expect(moderator=409), "json:approve"),
    Call("POST", "/api/v1/petitions/{petition_id}/supports", expect(**{**PETITIONERS(201), "citizen": 409})),
    Call("DELETE", "/api/v1/petitions/{petition_id}/supports/mine", expect(**{**PETITIONERS(409), "citizen": 200})),
    Call("GET", "/api/v1/petitions/{petition_id}/supports/mine", expect(**{**PETITIONERS(409), "citizen": 200})),
    Call("POST", "/api/v1/petitions/{petition_id}/response", expect(officer=422, other_officer=422, agency_admin=422),
         "json:empty"),
    Call("GET", "/petitions", everyone(200)),
    Call("GET", "/petitions/new", expect(**PETITIONERS(200))),
    Call("POST", "/petitions", expect(**PETITIONERS(422)), "form"),
    Call("GET", "/petitions/{petition_id}", everyone(200)),
    Call("POST", "/petitions/{petition_id}/support", expect(**{**PETITIONERS(303), "citizen": 409}), "form"),
    Call("POST", "/petitions/{petition_id}/withdraw", expect(**{**PETITIONERS(409), "citizen": 303}), "form"),
    Call("GET", "/moderation/petitions", expect(moderator=200)),
    Call("POST", "/moderation/petitions/{petition_id}/decision", expect(moderator=422), "form"),
    Call("GET", "/officer/petitions", expect(officer=200, other_officer=200, agency_admin=200)),
    Call("POST", "/officer/petitions/{petition_id}/response", expect(officer=422, agency_admin=422), "form"),
    # participation: moderation and LINE reports. Anyone signed in as themselves reports abuse (the matrix
    # sends no target: 422); moderators alone read the queue and decide (no reason sent: 422); the hub and the
    # complaint statistics are public; a LINE report's link is for citizens (the world has none: 404)
    Call("POST", "/api/v1/abuse-reports", expect(**dict.fromkeys(AS_THEMSELVES, 422)), "json:empty"),
    Call("POST", "/participation/abuse-reports", expect(**dict.fromkeys(AS_THEMSELVES, 422)), "form"),
    Call("GET", "/api/v1/moderation/reports", expect(moderator=200)),
    *[Call("POST", f"/api/v1/moderation/{{target_kind}}/{{target_id}}/{action}", expect(moderator=422), "json:empty")
      for action in ("hide", "unhide")],
    Call("POST", "/api/v1/moderation/reports/{report_id}/dismiss", expect(moderator=422), "json:empty"),
    Call("GET", "/moderation", expect(moderator=200)),
    *[Call("POST", f"/moderation/{{target_kind}}/{{target_id}}/{action}", expect(moderator=422), "form")
      for action in ("hide", "unhide")],
    Call("POST", "/moderation/reports/{report_id}/dismiss", expect(moderator=422), "form"),
    Call("GET", "/participation", everyone(200)),
    Call("GET", "/complaints/statistics", everyone(200)),
    Call("GET", "/api/v1/complaint-statistics", everyone(200)),
    Call("GET", "/complaints/line/{token}", expect(citizen=404, other_citizen=404)),
    Call("POST", "/complaints/line/{token}", expect(citizen=404, other_citizen=404), "form"),
    # for everyone: recovery (public: an empty ID is refused before anything is looked up)
    Call("GET", "/password-reset", everyone(200)),
    Call("POST", "/password-reset", everyone(422), "form"),
    Call("GET", "/password-reset/confirm", everyone(200)),
    Call("POST", "/password-reset/confirm", everyone(422), "form"),
    Call("POST", "/api/v1/password-resets", everyone(422), "json:empty"),
    Call("POST", "/api/v1/password-resets/confirm", everyone(422), "json:empty"),
    # for everyone: display settings
    Call("GET", "/settings/display", everyone(200)),
    Call("POST", "/settings/display", everyone(303), "form"),
    # for everyone: appointments
    # offices and slots are public; the world's citizen's application (elderly allowance) needs no visit
    # and has no booking (404/422/409 below); a booking is the owner's; the "come in person" flag is its
    # agency's officers'; checking in is an officer's (the world's token is no appointment: 404)
    Call("GET", "/api/v1/offices", everyone(200)),
    Call("GET", "/api/v1/offices/{office_id}/slots", everyone(200), query="?service_id=birth-registration"),
    Call("GET", "/api/v1/applications/{reference}/appointment", mine(citizen=404, other_citizen=404)),
    Call("POST", "/api/v1/applications/{reference}/appointment", mine(citizen=422, other_citizen=422),
         "json:empty"),
    Call("DELETE", "/api/v1/applications/{reference}/appointment", mine(citizen=404, other_citizen=404)),
    Call("POST", "/api/v1/applications/{reference}/appointment-required", expect(officer=200, other_officer=404)),
    Call("POST", "/api/v1/appointments/check-in", expect(officer=422, other_officer=422), "json:empty"),
    Call("GET", "/applications/{reference}/appointment", mine(citizen=200, other_citizen=404)),
    Call("POST", "/applications/{reference}/appointment", mine(citizen=422, other_citizen=404), "form"),
    Call("POST", "/applications/{reference}/appointment/cancel", mine(citizen=303, other_citizen=404), "form"),
    Call("GET", "/counter/check-in", expect(officer=200, other_officer=200)),
    Call("GET", "/counter/check-in/{token}", expect(officer=404, other_officer=404)),
    Call("POST", "/counter/check-in/{token}", expect(officer=404, other_officer=404), "form"),
    Call("GET", "/officer/appointments", expect(officer=200, other_officer=200)),
    # for everyone: LINE and preferences (every citizen has their own; the empty form turns all off but
    # the locked status-in-inbox, the unlink of no link is a no-op)
    Call("GET", "/me/notifications", expect(**CITIZENS)),
    Call("POST", "/me/notifications", expect(**dict.fromkeys(CITIZENS, 303)), "form"),
    Call("POST", "/me/notifications/line-code", expect(**CITIZENS), "form"),
    Call("POST", "/me/notifications/line-unlink", expect(**dict.fromkeys(CITIZENS, 303)), "form"),
    Call("GET", "/api/v1/me/notice-preferences", expect(**CITIZENS)),
    Call("PUT", "/api/v1/me/notice-preferences", expect(**CITIZENS), "json:prefs"),
    Call("POST", "/api/v1/me/line-link-code", expect(**dict.fromkeys(CITIZENS, 201))),
    Call("DELETE", "/api/v1/me/line-link", expect(**dict.fromkeys(CITIZENS, 204))),
    # for everyone: help at the counter
    # officers and agency admins start sessions (the empty form: 422); serving (counter) shows the visitor;
    # {counter_id} is no session: 404 for whoever may ask; recovery is the counter's (the empty password: 422)
    Call("GET", "/counter", expect(officer=200, other_officer=200, agency_admin=200, counter=200)),
    Call("POST", "/counter/sessions", expect(officer=422, other_officer=422, agency_admin=422, counter=422), "form"),
    Call("GET", "/counter/sessions/{counter_id}/consent",
         expect(officer=404, other_officer=404, agency_admin=404, counter=404)),
    Call("POST", "/counter/sessions/{counter_id}/consent",
         expect(officer=404, other_officer=404, agency_admin=404, counter=404), "form"),
    Call("POST", "/counter/sessions/{counter_id}/close",
         expect(officer=404, other_officer=404, agency_admin=404, counter=404), "form"),
    Call("GET", "/counter/sessions/{counter_id}/summary",
         expect(officer=404, other_officer=404, agency_admin=404, counter=404, citizen=404, other_citizen=404)),
    Call("GET", "/counter/recovery", expect(counter=200)),
    Call("POST", "/counter/recovery", expect(counter=422), "form"),
    # for everyone: acting for someone
    # the world's citizen delegated every service to the delegate ({delegation_id}, without a scan); a
    # citizen's delegations are their own (a delegate acting for them is refused, as is anyone acting for a
    # company when granting); either side ends one, nobody else sees it (404); whom a browser acts for is
    # chosen by citizens and delegates; the counter's form is the counter officer's. The roles call in
    # order: the citizen's revoke comes first, so the delegate is herself again and may end it too
    Call("GET", "/api/v1/delegations", expect(**CITIZENS)),
    Call("POST", "/api/v1/delegations", expect(citizen=422, other_citizen=422), "json:empty"),
    Call("POST", "/api/v1/delegations", expect(citizen=422, other_citizen=422, director=403, employee=403,
                                               revoked=403), "json:delegation", label="to nobody"),
    Call("DELETE", "/api/v1/delegations/{delegation_id}", expect(citizen=204, other_citizen=404, delegate=204)),
    Call("GET", "/api/v1/session/acting-for-person", expect(**CITIZENS, delegate=200)),
    Call("PUT", "/api/v1/session/acting-for-person", expect(citizen=422, other_citizen=422, delegate=422),
         "json:empty"),
    Call("PUT", "/api/v1/session/acting-for-person", expect(delegate=200), "json:grantor", label="the citizen"),
    Call("DELETE", "/api/v1/session/acting-for-person", expect(**CITIZENS, delegate=200)),
    Call("GET", "/me/delegations", expect(**CITIZENS)),
    Call("POST", "/me/delegations", expect(citizen=422, other_citizen=422, director=403, employee=403, revoked=403),
         "form"),
    Call("POST", "/me/delegations/{delegation_id}/revoke", expect(citizen=303, other_citizen=404, delegate=303),
         "form"),
    Call("GET", "/me/acting-for", expect(**CITIZENS, delegate=200)),
    Call("POST", "/me/acting-for", expect(), "form"),
    Call("POST", "/me/acting-for", expect(**dict.fromkeys(CITIZENS, 303), delegate=303), "form:self",
         label="myself"),
    Call("GET", "/counter/delegations/new", expect(counter=200)),
    Call("POST", "/counter/delegations", expect(counter=422), "form"),
    Call("GET", "/delegations/{delegation_id}/power-of-attorney", expect(citizen=404, other_citizen=404,
                                                                        counter=404)),
]


def app_routes() -> list[APIRoute]:
    return [route for router in routers() for route in router.routes if isinstance(route, APIRoute)]


def test_every_route_declares_an_access_rule() -> None:
    missing = [route.path for route in app_routes()
               if not any(isinstance(d.call, Rule) for d in route.dependant.dependencies)]
    assert missing == []


def test_every_route_is_in_the_matrix() -> None:
    in_app = {(method, route.path) for route in app_routes() for method in route.methods or ()}
    in_matrix = {(call.method, call.path.replace("{path}", "{path:path}")) for call in MATRIX}
    assert in_app - in_matrix == set(), "add these routes to MATRIX"
    assert in_matrix - in_app == set(), "these MATRIX rows name no route"


_rows = itertools.count(1)


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BusinessRegistry]:
    """The business registry, one process for both engines' worlds."""
    with business_registry(tmp_path_factory.mktemp("matrix-business")) as running:
        yield running


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def template(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, catalog: Catalog,
             registry: BusinessRegistry) -> Template:
    """The world, seeded once per engine in this worker (see tests/web/matrix_world.py)."""
    base = tmp_path_factory.mktemp(f"matrix-{request.param}")
    if request.param == "sqlite":
        shutil.copy(request.getfixturevalue("sqlite_template"), base / "pracha.db")
        return build_template(f"sqlite:///{base / 'pracha.db'}", base / "var", catalog, registry,
                              sqlite_file=base / "pracha.db")
    server: PostgresServer = request.getfixturevalue("pg_server")
    name = f"matrix_{WORKER}"
    url = server.create_database(name, template=request.getfixturevalue("pg_template"))
    return build_template(url, base / "var", catalog, registry, pg_name=name, pg_server=server)


@pytest.fixture
def database_url(template: Template, tmp_path: Path) -> Iterator[str]:
    """This row's own copy of the world (overrides conftest's fresh database); var dir in tmp_path/var."""
    public_keys.clear()  # the exchange's key caches: another module's keys must not linger
    checks.services.clear()
    name = f"matrix_{WORKER}_{next(_rows)}"
    yield template.copy(tmp_path, name)
    template.drop(name)


@pytest.fixture
def settings(make_settings: Callable[..., Settings]) -> Settings:
    return make_settings(secret_key=SECRET)


@pytest.fixture
def world(template: Template) -> World:
    return template.world


def _body(kind: str, csrf: str, world: World) -> dict[str, Any]:
    if kind == "form":
        return {"data": {"csrf_token": csrf}}
    if kind == "form:token":
        return {"data": {"csrf_token": csrf, "name": "matrix", "scopes": "applications:read", "agency": AGENCY}}
    if kind == "form:self":
        return {"data": {"csrf_token": csrf, "grantor": "self"}}
    if kind == "text":
        return {"content": b"not a cosigned checkpoint"}
    if kind == "multipart":
        return {"data": {"requirement": "bank-book"}, "files": {"file": ("b.pdf", PDF, "application/pdf")}}
    payloads = {"json:empty": {}, "json:draft": {"service_id": "residence-certificate", "data": {"purpose": "job"}},
                "json:data": {"data": ELDERLY_FORM}, "json:approve": {"action": "approve"},
                "json:token": {"name": "matrix", "agency": AGENCY, "scopes": ["applications:read"]},
                "json:oidc_client": {"name": "matrix", "redirect_uris": ["https://rp.example.go.th/cb"]},
                "json:consent": {"recipient_id": "TH/GOV/PRACHA/portal", "purpose": "service-application"},
                "json:right": {"client_id": "TH/GOV/PRACHA/portal", "service_id": "TH/GOV/DBD/business-registry/owners",
                               "purpose": "eligibility-check"},
                "json:assistant": {"text": "เบี้ยคนแก่ต้องใช้อะไร"},
                "json:privacy": {"kind": "objection", "details": "คัดค้าน"},
                "json:unassign": {"user_id": None}, "json:note": {"text": "โทรยืนยันแล้ว"},
                "json:bulk": {"references": ["XX99-NONE"], "action": "review"},
                "json:grant": {"national_id": "1103700456121", "services": ["*"], "valid_from": "2026-01-01",
                               "valid_until": "2026-12-31"},
                "json:declared": {"declaration": True},
                "json:company": {"juristic_id": "0505569012341"},
                "json:prefs": {"preferences": [{"kind": "general", "channel": "sms", "enabled": True}]},
                "json:other_company": {"juristic_id": world.other_company},
                "json:delegation": {"national_id": "1101700203451", "relationship": "child", "services": ["*"]},
                "json:grantor": {"grantor_id": world.user_ids["citizen"]}}
    return {"json": payloads[kind]} if kind else {}


@pytest.mark.parametrize("call", MATRIX, ids=str)
def test_matrix(call: Call, world: World, db: Session, make_client: Callable[..., TestClient]) -> None:
    reference = getattr(world, call.reference) if call.reference else world.reference
    path = call.path.format(reference=reference, document_id=world.document_id, token_id=world.spare_token_id,
                            service_id="elderly-allowance", action="approve", event_id=world.event_id,
                            path="entries/000.p/1", index=0, passkey_id=999999, client_id="c_none",
                            consent_id=world.consent_id, right_id=world.right_id, breach_id=world.breach_id,
                            message_reference=world.exchange_reference, cert_id=world.cert_id, task_id=world.task_id,
                            chart="automation", request_id=world.privacy_request_id,
                            session_id="0" * 16, bank_id="demo-bank", public_id="PNONE", receipt_id="nonexistent1",
                             day="2026-12-05", kind="no-such-bundle", jid="0505569012341",
                             juristic_id="0505569012341", grant_id=999999, name="no-such-dataset",
                             rid="00000000-0000-0000-0000-000000000000", n=1, section="schemas",
                             office_id="cm-city-registry-office", counter_id=999999, **world.ids) + call.query
    got: dict[str, int] = {}
    for role in ROLES:
        client = make_client()
        headers: dict[str, str] = {}
        if role == "token":
            headers["Authorization"] = f"Bearer {world.token}"
            csrf = ""
        elif role == "anonymous":
            csrf = client.get("/api/v1/session").json()["csrf_token"]
        else:  # the role's session, made once in the template (no sign-in, no CSRF round trip per row)
            client.cookies.set(SESSION_COOKIE, world.sessions[role])
            client.cookies.set(CSRF_COOKIE, MATRIX_CSRF_COOKIE)
            material = f"{MATRIX_CSRF_COOKIE}|{world.sessions[role]}".encode()
            csrf = hmac.new(SECRET.encode(), material, hashlib.sha256).hexdigest()  # as pracha.http.access
        if csrf and not call.body.startswith("form"):
            headers["X-CSRF-Token"] = csrf
        response = client.request(call.method, path, headers=headers, **_body(call.body, csrf, world))
        got[role] = response.status_code
        assert "Traceback" not in response.text
    assert got == call.expected, {role: f"expected {call.expected[role]}, got {got[role]}"
                                  for role in ROLES if got[role] != call.expected[role]}
