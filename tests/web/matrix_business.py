"""The access matrix's business side: a real business registry process (started once per test module,
shared by both engines' worlds), the demo company's director and two employees (one whose grant was
revoked) as matrix roles acting for it, and two of the company's applications (one of the granted
service, one of another)."""

from __future__ import annotations

import contextlib
import datetime as dt
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from pracha.business import grants
from pracha.calendar import BANGKOK
from pracha.demo import KHAOSOI_LANNA, SOMYING
from pracha.exchange import keys
from pracha.exchange.models import Subsystem
from pracha.exchange.vocabulary import MEDIATOR, REGISTRIES
from pracha.identity.models import User
from pracha.identity.principal import AUTHORISED, DIRECTOR
from pracha.registries.base import load_world
from pracha.services import service
from pracha.services.catalog import Catalog
from tests import servers
from tests.business.conftest import COMMERCIAL_FORM
from tests.business.helpers import act_for, authorised, director
from tests.factories import create_citizen

CITIZENS = 120  # as tests/business: the registry then holds companies besides the demo one
GRANTED_SERVICE = "commercial-registration"  # the employees' grant; the company's other application:
OTHER_SERVICE = "residence-certificate"
ACTING = {"director": DIRECTOR, "employee": AUTHORISED, "revoked": AUTHORISED}  # matrix roles acting for it


@dataclass(frozen=True)
class BusinessRegistry:
    url: str
    var_dir: Path  # holds the registry's and the mediator's keys (copied into every world's var dir)
    other_company: str  # a juristic person the registry has and none of the matrix people direct


@contextlib.contextmanager
def business_registry(base: Path) -> Iterator[BusinessRegistry]:
    """`pracha registry serve business` on a free port, its keys under base/var."""
    var_dir = base / "var"
    keys.load_or_create(keys.key_path(var_dir, MEDIATOR))  # before the registry reads its public key
    world = load_world(servers.REPO_ROOT / "catalog", CITIZENS, 2569, dt.datetime.now(BANGKOK).date())
    other = next(j.juristic_id for j in world.juristic_persons if j.juristic_id != KHAOSOI_LANNA)
    with servers.registry("business", var_dir, base, citizens=CITIZENS) as url:
        yield BusinessRegistry(url, var_dir, other)


def copy_keys(registry: BusinessRegistry, var_dir: Path) -> None:
    """The world signs as the mediator the registry trusts, and trusts the registry's own key."""
    shutil.copytree(registry.var_dir / "exchange", var_dir / "exchange", dirs_exist_ok=True)


def use_registry(db: Session, registry: BusinessRegistry) -> None:
    """After the exchange is seeded: its business registry member answers at the running process."""
    member = db.get(Subsystem, REGISTRIES["business"].subsystem)
    assert member is not None
    member.base_url = registry.url
    db.commit()


def company_people(db: Session) -> dict[str, User]:
    """The director (Somying, as the registry lists her) and two employees."""
    first, last, national_id, born = SOMYING
    return {"director": create_citizen(db, national_id=national_id, first_name=first, last_name=last,
                                       birth_date=born),
            "employee": create_citizen(db, first_name="มาลี", last_name="ใจงาม"),
            "revoked": create_citizen(db, first_name="ประยุทธ", last_name="ขยัน")}


def company_world(db: Session, catalog: Catalog, people: dict[str, User]) -> tuple[str, str]:
    """Both employees authorised for the granted service, one of them then revoked; the company's drafts
    of the granted and the other service. Returns their references (granted, other)."""
    boss = director(people["director"], KHAOSOI_LANNA)
    today = dt.datetime.now(BANGKOK).date()
    for role in ("employee", "revoked"):
        grants.grant(db, catalog, boss, KHAOSOI_LANNA, people[role].national_id, [GRANTED_SERVICE],
                     today - dt.timedelta(days=1), today + dt.timedelta(days=365))
    db.flush()
    revoked = grants.live_grants(db, people["revoked"].id, KHAOSOI_LANNA)[0]
    grants.revoke(db, boss, KHAOSOI_LANNA, revoked.id)
    granted = service.create_application(db, catalog, authorised(people["employee"], frozenset({GRANTED_SERVICE})),
                                         GRANTED_SERVICE, COMMERCIAL_FORM)
    other = service.create_application(db, catalog, boss, OTHER_SERVICE, {"purpose": "job"})
    db.commit()
    return granted.reference, other.reference


def act_in_session(db: Session, role: str, session_token: str) -> None:
    """The matrix signs each role in afresh: a role that acts for the company switches that session."""
    if role in ACTING:
        act_for(db, session_token, KHAOSOI_LANNA, role=ACTING[role])
