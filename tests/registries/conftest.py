"""Fixtures of the registry tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from pracha.config import Settings
from tests.registries.helpers import make_registry_settings


@pytest.fixture
def registry_settings(tmp_path: Path) -> Settings:
    return make_registry_settings(tmp_path / "var")
