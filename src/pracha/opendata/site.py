"""What open data's routes build per request: the catalogue service's view of this deployment, with
URLs on the address the request came to."""

from __future__ import annotations

from starlette.requests import HTTPConnection

from pracha.http.state import app_state, part
from pracha.opendata.catalogue import OpenData
from pracha.services.hooks import CATALOG


def open_data(connection: HTTPConnection) -> OpenData:
    return OpenData(part(connection, CATALOG), app_state(connection).settings.catalog_dir.resolve(),
                    str(connection.base_url))
