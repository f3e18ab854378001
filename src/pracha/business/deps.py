"""What the business package's pages and API take from the app: the bundles, the caller's browser
session (acting for is chosen per session, never for an API token) and the juristic person number in a path."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Request

from pracha.business.bundle_catalog import BUNDLES, BundleDef
from pracha.http.state import part

JuristicId = Annotated[str, Path(pattern=r"^[0-9]{13}$", description="A juristic person number (13 digits).")]


def bundles_of(request: Request) -> dict[str, BundleDef]:
    return part(request, BUNDLES)


