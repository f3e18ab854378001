"""The attack as a test (issue 13, item 7): seed the demo, drive it (sign in, a failed sign-in, an
application, assistant questions with IDs typed in other forms), then look for every demo citizen's
national ID, in any spelling, in every table, the raw database file, the log records and every public
endpoint. A spelling: the 13 digits in ASCII, Thai (๐-๙) or full-width digits (or JSON's \\u escapes
of those), with up to three of ' ', '-', '.', '/', '_' between any two."""

from __future__ import annotations

import logging
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from pracha.config import Settings
from pracha.demo import DEMO_PASSWORD, SOMCHAI, SOMYING, seed_demo
from pracha.identity.models import CITIZEN, User
from pracha.ledger import tiles
from pracha.migrate import upgrade
from pracha.services.catalog import Catalog, default_catalog_dir
from pracha.services.hooks import CATALOG
from pracha.web.app import create_app
from tests.services.helpers import act, ready_application

SEPARATOR = rb"[\s\-./_]{0,3}"


def digit_forms(d: int) -> list[bytes]:
    thai, wide = chr(0x0E50 + d), chr(0xFF10 + d)
    return [str(d).encode(), thai.encode(), wide.encode(), f"\\u{ord(thai):04x}".encode(),
            f"\\u{ord(wide):04x}".encode()]


def id_pattern(national_id: str) -> bytes:
    return SEPARATOR.join(b"(?:" + b"|".join(re.escape(f) for f in digit_forms(int(c))) + b")" for c in national_id)


def spelled(national_id: str, digits: str, sep: str) -> str:
    """The ID in a digit script (0x30 ASCII, 0x0E50 Thai, 0xFF10 full-width) with the card's grouping."""
    base = {"ascii": 0x30, "thai": 0x0E50, "wide": 0xFF10}[digits]
    d = "".join(chr(base + int(c)) for c in national_id)
    return sep.join((d[0], d[1:5], d[5:10], d[10:12], d[12]))


@dataclass
class World:
    ids: list[str]
    regex: re.Pattern[bytes]
    db_path: Path
    logs: list[str] = field(default_factory=list)
    pages: dict[str, bytes] = field(default_factory=dict)

    def found(self, data: bytes) -> list[str]:
        return [m.group(0).decode("utf-8", "replace") for m in self.regex.finditer(data)]


def drive(client: TestClient) -> None:
    csrf = client.get("/api/v1/session").json()["csrf_token"]
    wrong = client.post("/api/v1/session", headers={"X-CSRF-Token": csrf},
                        json={"national_id": spelled(SOMCHAI[2], "thai", "-"), "password": "not-the-password"})
    assert wrong.status_code == 401
    signed = client.post("/api/v1/session", headers={"X-CSRF-Token": csrf},
                         json={"national_id": spelled(SOMYING[2], "ascii", "-"), "password": DEMO_PASSWORD})
    assert signed.status_code == 200, signed.text
    csrf = signed.json()["csrf_token"]
    reference = ready_application(client, csrf)  # สมหญิง: สมชาย has an elderly-allowance application open
    assert act(client, csrf, reference, "submit").status_code == 200
    for text in (f"เลขบัตร {spelled(SOMCHAI[2], 'ascii', '-')} ขอเบี้ยผู้สูงอายุได้ไหม",
                 f"บัตรประชาชน {spelled(SOMCHAI[2], 'thai', ' ')} ต่ออายุอย่างไร",
                 f"ID {spelled(SOMYING[2], 'wide', '.')} please"):
        answer = client.post("/api/v1/assistant/messages", headers={"X-CSRF-Token": csrf}, json={"text": text})
        assert answer.status_code == 200, answer.text


def public_pages(client: TestClient) -> dict[str, bytes]:
    pages: dict[str, bytes] = {}
    paths = ["/", "/services", "/api/v1/services", "/ledger", "/ledger/key", "/ledger/checkpoint",
             "/.well-known/openid-configuration", "/oidc/jwks", "/assistant/faq", "/openapi.json"]
    for service in client.get("/api/v1/services").json():
        paths += [f"/api/v1/services/{service['id']}", f"/services/{service['id']}"]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        pages[path] = response.content
    size = int(pages["/ledger/checkpoint"].decode().splitlines()[1])
    assert size > 100
    tile_paths = [tiles.tile_path(t) for t in tiles.tiles_for_size(size)]
    tile_paths += [tiles.entries_path(i, min(tiles.TILE_WIDTH, size - i * tiles.TILE_WIDTH))
                   for i in range((size + tiles.TILE_WIDTH - 1) // tiles.TILE_WIDTH)]
    for path in tile_paths:
        response = client.get(f"/ledger/{path}")
        assert response.status_code == 200, path
        pages[f"/ledger/{path}"] = response.content
    for index in range(size):
        pages[f"/api/v1/ledger/entries/{index}"] = client.get(f"/api/v1/ledger/entries/{index}").content
    return pages


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, catalog: Catalog) -> Iterator[World]:
    directory = tmp_path_factory.mktemp("grep")
    url = f"sqlite:///{directory / 'pracha.db'}"
    settings = Settings(database_url=url, var_dir=directory / "var", secret_key="grep-secret",
                        catalog_dir=default_catalog_dir(), ledger_sequence_seconds=0)
    upgrade(url, settings)
    app = create_app(settings)
    handler = _Collect()
    root = logging.getLogger()
    root.addHandler(handler)
    level, root.level = root.level, logging.DEBUG
    # Earlier tests in this process may have left our loggers disabled, quieter or not propagating:
    # open them all up for the drive (third-party loggers keep their levels, as in production).
    loggers = [lg for name, lg in logging.Logger.manager.loggerDict.items()
               if isinstance(lg, logging.Logger) and (name == "pracha" or name.startswith("pracha."))]
    saved = {lg: (lg.disabled, lg.level, lg.propagate) for lg in loggers}
    for lg in loggers:
        lg.disabled, lg.propagate = False, True
        lg.setLevel(logging.NOTSET)
    try:
        with app.state.pracha.db.sessions() as session:
            seed_demo(session, app.state.pracha.registry.get(CATALOG), citizens=80, seed=2569,
                      upload_dir=settings.upload_dir)
        with app.state.pracha.db.sessions() as session:
            ids = sorted({str(n) for n in session.scalars(select(User.national_id).where(User.role == CITIZEN))})
        assert SOMCHAI[2] in ids and len(ids) > 50
        with TestClient(app, follow_redirects=False) as client:
            drive(client)
        pages = public_pages(TestClient(app, follow_redirects=False))  # as the public: no cookies
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
        for lg, (was_disabled, was_level, was_propagating) in saved.items():
            lg.disabled, lg.propagate = was_disabled, was_propagating
            lg.setLevel(was_level)
        app.state.pracha.db.engine.dispose()
    regex = re.compile(b"|".join(b"(?:" + id_pattern(n) + b")" for n in ids))
    yield World(ids, regex, directory / "pracha.db", handler.lines, pages)


_PLAIN_RECORD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        extras = {k: v for k, v in record.__dict__.items() if k not in _PLAIN_RECORD}
        self.lines.append(f"{record.name} {record.getMessage()} {extras} {record.exc_text or ''}")


def test_the_regex_finds_every_spelling() -> None:
    regex = re.compile(id_pattern(SOMCHAI[2]))
    for digits in ("ascii", "thai", "wide"):
        for sep in ("", "-", " ", ".", "/", "_", " - "):
            assert regex.search(f"x {spelled(SOMCHAI[2], digits, sep)} y".encode()), (digits, sep)
    escaped = "".join(f"\\u{0x0E50 + int(c):04x}" for c in SOMCHAI[2]).encode()  # JSON's ensure_ascii
    assert regex.search(escaped) and regex.search(escaped[:30] + "๐๐๒๐๓๔๕๐".encode())  # and mixed forms
    assert not regex.search(SOMYING[2].encode())


def rows_of(db_path: Path, include: frozenset[str] | None, exclude: frozenset[str]) -> Iterator[tuple[str, bytes]]:
    with sqlite3.connect(db_path) as connection:
        names = [r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for name in names:
            if name in exclude or (include is not None and name not in include):
                continue
            for row in connection.execute(f'SELECT * FROM "{name}"'):  # noqa: S608 - names from the schema
                for value in row:
                    if value is None:
                        continue
                    yield name, value if isinstance(value, bytes) else str(value).encode()


def test_no_table_holds_a_national_id(world: World) -> None:
    rows = rows_of(world.db_path, None, frozenset())
    hits = [(table, hit) for table, data in rows for hit in world.found(data)]
    assert hits == []


def test_the_database_file_holds_no_national_id(world: World) -> None:
    hits = {path.name: world.found(path.read_bytes()) for path in world.db_path.parent.glob("pracha.db*")}
    assert not any(hits.values()), hits


def test_no_public_endpoint_shows_a_national_id(world: World) -> None:
    hits = {path: world.found(body) for path, body in world.pages.items() if world.found(body)}
    assert hits == {}


def test_no_log_record_holds_a_national_id(world: World) -> None:
    hits = [line for line in world.logs if world.found(line.encode())]
    assert world.logs and hits == []
