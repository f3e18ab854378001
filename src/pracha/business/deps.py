"""What the business package's pages and API take from the app."""

from __future__ import annotations

from fastapi import Request

from pracha.business.bundle_catalog import BUNDLES, BundleDef
from pracha.http.state import part


def bundles_of(request: Request) -> dict[str, BundleDef]:
    return part(request, BUNDLES)
