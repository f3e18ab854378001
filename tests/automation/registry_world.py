"""Fixtures for tests that need the real civil and welfare registries (their own processes, one pair per
module) and a portal whose exchange knows them. Import the three fixtures into the test module."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy.orm import Session

from pracha.calendar import BANGKOK
from pracha.config import Settings
from pracha.exchange import keys
from pracha.exchange.vocabulary import MEDIATOR
from pracha.registries.base import load_world
from pracha.services.catalog import Catalog
from tests import servers
from tests.exchange.helpers import seed

CITIZENS = 20


@pytest.fixture(scope="module")
def registries(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    base = tmp_path_factory.mktemp("registries")
    var_dir = base / "var"
    keys.load_or_create(keys.key_path(var_dir, MEDIATOR))  # before the registries read its public key
    with servers.registry("civil", var_dir, base, citizens=CITIZENS) as civil, \
            servers.registry("welfare", var_dir, base, citizens=CITIZENS) as welfare:
        yield {"var_dir": var_dir, "civil": civil, "welfare": welfare}


@pytest.fixture
def settings(make_settings: Callable[..., Settings], registries: dict[str, Any]) -> Settings:
    return make_settings(var_dir=registries["var_dir"])


@pytest.fixture
def seeded(db: Session, settings: Settings, catalog: Catalog, registries: dict[str, Any]) -> None:
    seed(db, settings, catalog, {"civil": registries["civil"], "welfare": registries["welfare"]})


def world_people(settings: Settings) -> Any:
    """The registries' generated people, as they were built for today."""
    return load_world(settings.catalog_dir.resolve(), CITIZENS, 2569, dt.datetime.now(BANGKOK).date())
