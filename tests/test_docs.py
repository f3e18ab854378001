"""The README documents every setting and every CLI command (as datasette's test_docs does)."""

from __future__ import annotations

from pathlib import Path

import typer.main

from pracha.cli import app
from pracha.config import Settings

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_readme_starts_with_the_two_commands() -> None:
    first_block = README.split("```")[1]
    assert "make run" in first_block and "make test" in first_block


def test_every_setting_is_documented() -> None:
    for name, field in Settings.model_fields.items():
        assert field.description, f"setting {name} has no help line"
        assert f"`PRACHA_{name.upper()}`" in README, f"PRACHA_{name.upper()} is not in the README"


def test_every_command_is_documented() -> None:
    group = typer.main.get_command(app)
    for name in group.commands:  # type: ignore[attr-defined]
        assert f"`pracha {name}" in README, f"pracha {name} is not in the README"
