"""`pracha oidc …`: rotate the ID-token signing key, list the keys, register a client."""

from __future__ import annotations

import json

import typer
from sqlalchemy.orm import Session, sessionmaker

from pracha.config import get_settings

oidc_app = typer.Typer(help="Single sign-on (OpenID Connect provider): keys and clients.", no_args_is_help=True)


def _sessions() -> sessionmaker[Session]:
    from pracha.db import make_engine, make_sessionmaker

    return make_sessionmaker(make_engine(get_settings().database_url))


@oidc_app.command("rotate-key")
def rotate_key() -> None:
    """Sign new ID tokens with a new key; the old key stays in the JWKS until its tokens expire."""
    from pracha.identity.oidc import keys

    settings = get_settings()
    with _sessions()() as session:
        keys.signing_key(session)  # make sure there is one to retire
        row = keys.rotate_key(session, id_token_seconds=settings.oidc_id_token_seconds)
        session.commit()
        typer.echo(f"New signing key: {row.kid}")


@oidc_app.command("purge")
def purge(keep_days: int = typer.Option(1, help="Keep expired codes and tokens this many days.")) -> None:
    """Delete expired authorization codes, tokens and used client-assertion ids."""
    from pracha.db import begin_write
    from pracha.identity.oidc.tokens import purge_expired

    with _sessions()() as session:
        begin_write(session)
        gone = purge_expired(session, keep_days=keep_days)
        session.commit()
        typer.echo(f"Deleted {gone} expired rows")


@oidc_app.command("keys")
def list_keys() -> None:
    """List the signing keys: which signs, which are retired, until when they are published."""
    from pracha.identity.oidc.models import OidcSigningKey

    with _sessions()() as session:
        for row in session.query(OidcSigningKey).order_by(OidcSigningKey.created_at):
            until = f"{row.publish_until:%Y-%m-%d %H:%M}Z" if row.publish_until else "-"
            state = "signing" if row.retired_at is None else f"retired, published until {until}"
            typer.echo(f"{row.kid}  {state}")


@oidc_app.command("add-client")
def add_client(
    name: str = typer.Option(..., help="The app's name (Thai)."),
    redirect_uri: list[str] = typer.Option(..., help="An exact redirect URI (repeat for more)."),
    scope: list[str] = typer.Option(["openid", "profile"], help="An allowed scope (repeat)."),
    post_logout_redirect_uri: list[str] = typer.Option([], help="A post-logout redirect URI (repeat)."),
    auth_method: str = typer.Option("client_secret_basic", help="client_secret_basic, private_key_jwt or none."),
    jwks_file: str = typer.Option("", help="JWKS file with the app's public keys (private_key_jwt)."),
    subject_type: str = typer.Option("pairwise", help="pairwise (default) or public."),
    thai_id_legal_basis: str = typer.Option("", help="Legal basis; required for the thai_id scope."),
) -> None:
    """Register a relying party; prints its client_id (and secret, once) as JSON."""
    from pracha.errors import PrachaError
    from pracha.identity.oidc.clients import register_client

    jwks = open(jwks_file, encoding="utf-8").read() if jwks_file else None  # noqa: SIM115
    with _sessions()() as session:
        try:
            client, secret = register_client(
                session, None, name=name, redirect_uris=redirect_uri, scopes=scope,
                post_logout_redirect_uris=post_logout_redirect_uri, auth_method=auth_method, jwks=jwks,
                client_type="public" if auth_method == "none" else "confidential", subject_type=subject_type,
                thai_id_legal_basis=thai_id_legal_basis)
        except PrachaError as exc:
            typer.echo(json.dumps(exc.to_json("en"), ensure_ascii=False), err=True)
            raise typer.Exit(1) from exc
        session.commit()
        typer.echo(json.dumps({"client_id": client.client_id, "client_secret": secret}))
