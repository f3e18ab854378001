"""`pracha worker` and `pracha cert …`: the automation's commands (registered in pracha.cli)."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer
from rich.console import Console

from pracha.config import get_settings

console = Console()
cert_app = typer.Typer(help="Certificates: verify a PDF file, revoke a certificate.", no_args_is_help=True)


def _state(installers: tuple[Callable[..., None], ...] = ()) -> tuple[Any, Any, Any]:
    """Settings, sessions carrying the automation's hooks (a bot's approval queues the certificate)
    and those of `installers` (packages above, given by the `pracha` command: the privacy package's
    daily retention), and the catalogue."""
    from pracha.automation import service as automation
    from pracha.db import make_engine, make_sessionmaker
    from pracha.hooks import Registry
    from pracha.services.catalog import load_catalog

    settings = get_settings()
    catalog = load_catalog(settings.catalog_dir.resolve())
    registry = Registry()
    automation.install(registry, catalog)
    for install in installers:
        install(registry, catalog)
    return settings, make_sessionmaker(make_engine(settings.database_url), registry), catalog


def worker(ctx: typer.Context,
           until_idle: bool = typer.Option(False, "--until-idle", help="Stop when no task is ready."),
           metrics_port: int = typer.Option(0, help="Serve this worker's Prometheus metrics (task failures) "
                                            "on 127.0.0.1:PORT/metrics (0: off)."),
           metrics_host: str = typer.Option("127.0.0.1", help="Address for --metrics-port.")) -> None:
    """Run automation tasks (bots, certificates, notices, daily jobs) from the database's queue; run
    as many as you like on PostgreSQL, on any machine."""
    from pracha.automation import tasks
    from pracha.automation.runner import work

    settings, sessions, catalog = _state(tuple((ctx.obj or {}).get("worker_installers", ())))
    if metrics_port:  # a worker counts its own task failures; it has no other HTTP server to show them on
        from prometheus_client import start_http_server

        from pracha.http.metrics import app_registry

        start_http_server(metrics_port, addr=metrics_host, registry=app_registry())
    if settings.database_url.startswith("postgresql"):
        import asyncio

        from pracha.automation import pgqueue

        asyncio.run(pgqueue.work(
            sessions, tasks.Context(catalog, settings), until_idle=until_idle, name=tasks.worker_name(),
            on_ready=lambda: console.print(f"[green]Worker {tasks.worker_name()} started[/green] (Procrastinate)")))
        console.print("Worker stopped")
        return
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    console.print(f"[green]Worker {tasks.worker_name()} started[/green]")
    done = work(sessions, tasks.Context(catalog, settings), stop=stop, until_idle=until_idle)
    console.print(f"Worker stopped after {done} tasks")


@cert_app.command("verify")
def cert_verify(file: Path = typer.Argument(..., exists=True, dir_okay=False, help="The certificate PDF.")) -> None:
    """Check a certificate PDF against its ledger entry: valid, revoked, altered, or unknown."""
    from pracha.automation import certificates
    from pracha.ledger import note
    from pracha.ledger.keys import load_or_create_signer, verifier_key

    metadata = certificates.read_metadata(file)
    cert_id = metadata.get("prachacertificate")
    if not cert_id:
        console.print("[red]Not a Pracha certificate[/red]: no certificate number in the PDF's metadata")
        raise typer.Exit(2)
    settings, sessions, _ = _state()
    verifier = note.new_verifier(verifier_key(load_or_create_signer(settings.var_dir, settings.ledger_origin)))
    with sessions() as session:
        try:
            result = certificates.verify(session, cert_id, verifier, file.read_bytes())
        except certificates.CertificateNotFound:
            console.print(f"[red]Unknown certificate[/red] {cert_id}: no certificate with this number was issued")
            raise typer.Exit(1) from None
        c = result.certificate
        colour = {"valid": "green", "revoked": "yellow"}.get(result.status, "red")
        console.print(f"[{colour}]{result.status.upper()}[/{colour}] certificate {c.id} ({c.title_en}), "
                      f"application {c.application.reference}")
        for check, ok in result.checks.items():
            console.print(f"  {check}: {'ok' if ok else 'FAILED'}")
        if c.revoked_at:
            console.print(f"  revoked {c.revoked_at:%Y-%m-%d %H:%M} UTC: {c.revoked_reason}")
    if result.status != "valid":
        raise typer.Exit(1)


@cert_app.command("revoke")
def cert_revoke(cert_id: str = typer.Argument(..., help="The certificate number."),
                reason: str = typer.Option(..., help="Why it is revoked (kept, and recorded in the ledger).")) -> None:
    """Revoke a certificate; the revocation is a ledger entry."""
    from pracha.automation import certificates
    from pracha.automation.models import Certificate
    from pracha.db import begin_write

    _, sessions, _ = _state()
    with sessions() as session:
        begin_write(session)
        certificate = session.get(Certificate, cert_id)
        if certificate is None:
            console.print(f"[red]Unknown certificate[/red] {cert_id}")
            raise typer.Exit(1)
        certificates.revoke(session, certificate, actor="cli", reason=reason)
        session.commit()
    console.print(f"Certificate {cert_id} revoked")
