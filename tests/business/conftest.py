"""The real business registry (`pracha registry serve business`, one process per module) and the demo
company's people as Pracha citizens: Somying and Wichai its directors (two must sign), Malee its
employee; and a second company that none of them directs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from pracha.calendar import BANGKOK
from pracha.config import Settings
from pracha.demo import KHAOSOI_LANNA, MALEE, SOMYING, WICHAI
from pracha.exchange import keys
from pracha.exchange.vocabulary import MEDIATOR
from pracha.identity.models import User
from pracha.registries.base import load_world
from pracha.services.catalog import Catalog
from tests import servers
from tests.exchange.helpers import seed
from tests.factories import SignedIn, create_citizen, sign_in

CITIZENS = 120  # enough people for the registry to hold companies besides the demo one
COMMERCIAL_FORM: dict[str, Any] = {
    "business_form": "individual", "trade_name": "ข้าวซอยล้านนา", "business_category": "ร้านอาหาร",
    "business_address": "88/1 ถนนช้างคลาน ตำบลช้างคลาน อำเภอเมืองเชียงใหม่ จังหวัดเชียงใหม่ 50100",
    "start_date": "2025-11-01", "capital": 2000000, "premises": "rented", "sells_online": False,
    "phone": "0861234567",
}
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture(scope="module")
def business_registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    base = tmp_path_factory.mktemp("business")
    var_dir = base / "var"
    keys.load_or_create(keys.key_path(var_dir, MEDIATOR))  # before the registry reads its public key
    with servers.registry("business", var_dir, base, citizens=CITIZENS) as url:
        yield {"url": url, "var_dir": var_dir}


@pytest.fixture(scope="module")
def other_company() -> str:
    """A company in the registry that none of the demo people direct."""
    world = load_world(servers.REPO_ROOT / "catalog", CITIZENS, 2569, dt.datetime.now(BANGKOK).date())
    return next(j.juristic_id for j in world.juristic_persons if j.juristic_id != KHAOSOI_LANNA)


@pytest.fixture
def settings(make_settings: Callable[..., Settings], business_registry: dict[str, Any]) -> Settings:
    return make_settings(var_dir=business_registry["var_dir"])


@dataclass
class People:
    somying: User
    wichai: User
    malee: User


@pytest.fixture
def people(db: Session, settings: Settings, catalog: Catalog, business_registry: dict[str, Any]) -> People:
    seed(db, settings, catalog, {"business": business_registry["url"]})
    made = [create_citizen(db, national_id=nid, first_name=first, last_name=last, birth_date=born)
            for first, last, nid, born in (SOMYING, WICHAI, MALEE)]
    return People(*made)


class Browser(SignedIn):
    """A signed-in citizen's client, with the steps of acting for a company."""

    def act_for(self, juristic_id: str) -> Any:
        return self.call("POST", "/api/v1/me/acting-for", json={"juristic_id": juristic_id})

    def draft(self, service_id: str, data: dict[str, Any]) -> str:
        made = self.call("POST", "/api/v1/applications", json={"service_id": service_id, "data": data})
        assert made.status_code == 201, made.text
        return str(made.json()["reference"])

    def complete(self, reference: str, service_id: str) -> None:
        """Attach every document the service requires."""
        documents = self.get(f"/api/v1/services/{service_id}").json()["documents"]
        for requirement in [d["id"] for d in documents if d["required"]]:
            added = self.call("POST", f"/api/v1/applications/{reference}/documents", data={"requirement": requirement},
                              files={"file": ("doc.pdf", PDF, "application/pdf")})
            assert added.status_code == 201, added.text


@pytest.fixture
def browser(db: Session, make_client: Callable[..., TestClient]) -> Callable[[User], Browser]:
    def make(user: User) -> Browser:
        client = make_client()
        return Browser(client, sign_in(db, client, user))

    return make
