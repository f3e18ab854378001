"""`pracha keys`: the keys that encrypt personal data at rest — show, rotate, re-encrypt."""

from __future__ import annotations

from collections.abc import Callable

import typer
from sqlalchemy import MetaData

from pracha.config import get_settings
from pracha.db import make_engine, make_sessionmaker
from pracha.vault.keyring import attach_keyring
from pracha.vault.keys import data_key_path
from pracha.vault.rotation import reencrypt, rotate


def make_keys_app(schema: Callable[[], MetaData]) -> typer.Typer:
    """The command group; `schema` gives the metadata of every table (the caller knows them all)."""
    keys_app = typer.Typer(help="Keys that encrypt personal data at rest: versions, rotation, re-encryption.",
                           no_args_is_help=True)
    keys_app.command("show")(keys_show)
    keys_app.command("rotate")(keys_rotate)
