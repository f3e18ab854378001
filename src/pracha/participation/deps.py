"""What participation's routes need from the request: the rules and the secret tallies are keyed with."""

from __future__ import annotations

from fastapi import Request

from pracha.http.state import app_state
from pracha.participation.rules import Rules, load_rules


def rules_of(request: Request) -> Rules:
    return load_rules(app_state(request).settings.catalog_dir.resolve())


def secret_of(request: Request) -> bytes:
    """The platform's secret (tally commitments are keyed with a key derived from it)."""
    return app_state(request).secret
