"""`pracha keys`: the keys that encrypt personal data at rest — show, rotate, re-encrypt."""

from __future__ import annotations

from collections.abc import Callable

import typer
from sqlalchemy import MetaData

from pracha.config import get_settings
from pracha.db import make_engine, make_sessionmaker
from pracha.vault.keyring import Keyring, attach_keyring
from pracha.vault.keys import data_key_path
from pracha.vault.rotation import reencrypt, rotate


def _keyring() -> Keyring:
    settings = get_settings()
    return attach_keyring(make_engine(settings.database_url), settings=settings)


def keys_show() -> None:
    """The key file and its versions (never the keys)."""
    provider = _keyring().provider
    typer.echo(f"{data_key_path(get_settings())}: versions {', '.join(map(str, provider.versions()))}; "
               f"current {provider.current_version()}")


def keys_rotate() -> None:
    """Add a key version: new values use it at once (running servers reload the file within a second),
    older versions keep decrypting. Then run `pracha keys reencrypt`."""
    typer.echo(f"Current key version: {rotate(_keyring())}")


def make_keys_app(schema: Callable[[], MetaData]) -> typer.Typer:
    """The command group; `schema` gives the metadata of every table (the caller knows them all)."""
    keys_app = typer.Typer(help="Keys that encrypt personal data at rest: versions, rotation, re-encryption.",
                           no_args_is_help=True)
    keys_app.command("show")(keys_show)
    keys_app.command("rotate")(keys_rotate)

    @keys_app.command("reencrypt")
    def keys_reencrypt(batch: int = typer.Option(500, min=1, help="Rows per transaction.")) -> None:
        """Rewrap personal data keys and re-encrypt shared-key values under the current version, in
        batches (each its own transaction); safe to interrupt and run again."""
        settings = get_settings()
        engine = make_engine(settings.database_url)
        attach_keyring(engine, settings=settings)
        progress = reencrypt(make_sessionmaker(engine), schema(), batch)
        typer.echo(f"Rewrapped {progress.keys_rewrapped} data keys; re-encrypted {progress.values_reencrypted} values")
        for column, count in progress.columns.items():
            if count:
                typer.echo(f"  {column}: {count}")

    return keys_app
