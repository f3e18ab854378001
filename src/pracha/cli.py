"""The `pracha` command."""

from __future__ import annotations

import atexit
import gc
import os
import signal
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import MetaData

from pracha.automation.cli import cert_app, worker
from pracha.config import Settings, get_settings

os.environ.setdefault("PYTHAINLP_OFFLINE", "1")


def _skip_final_collections() -> None:
    """At exit the interpreter's final garbage collections walk the whole heap (catalogue, routes,
    index) again and again: 10 s after `pracha serve` stopped on a busy machine. The OS frees it."""
    gc.disable()
    gc.freeze()


atexit.register(_skip_final_collections)

def _privacy_jobs(registry: Any, catalog: Any) -> None:
    """The privacy package's tracker rows, PDPA deadlines, daily retention and hourly breach deadlines,
    for `pracha worker`."""
    from pracha.privacy.install import install

    install(registry, catalog)


def _payment_jobs(registry: Any, catalog: Any) -> None:
    """The payments package's hold on the automation, receipts, daily reconciliation and hourly expiry."""
    from pracha.config import get_settings
    from pracha.payments.install import install

    install(registry, catalog, get_settings())


def _appointment_jobs(registry: Any, catalog: Any) -> None:
    """The appointments package's reminders the day before and its no-show release."""
    from pracha.appointments.install import install
    from pracha.config import get_settings

    install(registry, catalog, get_settings())


def _business_jobs(registry: Any, catalog: Any) -> None:
    """The business package's renewal reminders and tracker rows."""
    from pracha.business.install import install
    from pracha.config import get_settings

    install(registry, catalog, get_settings())


def _opendata_jobs(registry: Any, catalog: Any) -> None:
    """The open-data package's daily refresh of the platform statistics."""
    from pracha.config import get_settings
    from pracha.opendata.install import install

    install(registry, catalog, get_settings())


def _participation_jobs(registry: Any, catalog: Any) -> None:
    """Participation's reminders and escalations, and its open-data statistics."""
    from pracha.config import get_settings
    from pracha.participation.install import install

    install(registry, catalog, get_settings())


app = typer.Typer(help="Pracha (ประชา): one-stop digital government platform.", no_args_is_help=True,
                  add_completion=False,
                  context_settings={"obj": {"worker_installers": (_privacy_jobs, _payment_jobs, _business_jobs,
                                                            _opendata_jobs, _participation_jobs, _appointment_jobs)}})
console = Console()
GRACEFUL_SHUTDOWN_SECONDS = 10  # on SIGTERM, requests still running get this long to finish
# An idle connection is kept longer than a client's or proxy's own idle time (nginx keeps upstream
# connections 60 s), so the server never closes one just as the client reuses it (a request lost unanswered).
# The same for the registries and the demo bank: the mediator and the bank's callers keep connections too.
KEEP_ALIVE_SECONDS = 75
# uvicorn replaces a worker that does not answer its supervisor's ping in time; on a loaded machine a
# starting or busy worker took longer than the default 5 s and was killed again and again.
WORKER_HEALTHCHECK_SECONDS = 30


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    workers: int = typer.Option(1, min=1, help="Worker processes (more than one needs PostgreSQL)."),
    proxy_headers: bool = typer.Option(False, help="Trust X-Forwarded-* (behind a TLS proxy)."),
) -> None:
    """Serve the portal and the API (and, with registry_autostart, the five demo registries)."""
    import uvicorn

    from pracha.http.logs import configure_logging, logging_config
    from pracha.registries.launcher import start_registries, stop_registries

    settings = get_settings()
    if workers > 1:
        _prepare_workers(settings, workers)
    configure_logging(settings.log_format, settings.log_level)  # this process; uvicorn configures each worker
    children = start_registries(settings) if settings.registry_autostart else []
    # uvicorn re-raises the SIGTERM it caught once it has shut down; make that an exit that runs `finally`
    signal.signal(signal.SIGTERM, _exit_on_signal)
    try:
        uvicorn.run("pracha.web.app:create_app", factory=True, host=host, port=port, workers=workers,
                    proxy_headers=proxy_headers, forwarded_allow_ips="*" if proxy_headers else None,
                    log_config=logging_config(settings.log_format, settings.log_level),
                    log_level=settings.log_level.lower(), access_log=False,  # pracha.access logs each request
                    timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS, timeout_keep_alive=KEEP_ALIVE_SECONDS,
                    timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS)
    finally:
        stop_registries(children)


SQLITE_ONE_WORKER = (
    "--workers {n} needs PostgreSQL: on SQLite each process would queue its writers on its own lock and "
    "then inside SQLite's busy wait, holding worker threads (see pracha.db). Serve SQLite with one worker, "
    "or set PRACHA_DATABASE_URL=postgresql+psycopg://… (docs/deploy.md).")


def _prepare_workers(settings: Settings, workers: int) -> None:
    """Before the workers start, refuse SQLite, and make the key files each worker would otherwise race
    to create (the app secret, the ledger's signing key, the data key file, the mediator's key): N
    processes starting at once must all read the same keys, never a file another is still writing."""
    from sqlalchemy.engine import make_url

    from pracha.exchange.mediator import mediator_key
    from pracha.ledger.keys import load_or_create_signer
    from pracha.vault import KeyFileProvider, data_key_path
    from pracha.web.app import load_secret

    if make_url(settings.database_url).get_backend_name() == "sqlite":
        console.print(f"[red]{SQLITE_ONE_WORKER.format(n=workers)}")
        raise typer.Exit(2)
    load_secret(settings)
    load_or_create_signer(settings.var_dir, settings.ledger_origin)
    KeyFileProvider(data_key_path(settings))
    mediator_key(settings.var_dir)


def _exit_on_signal(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


@app.command()
def migrate() -> None:
    """Create or upgrade the database schema to the newest version."""
    from pracha.migrate import upgrade

    settings = get_settings()
    upgrade(settings.database_url, settings)
    console.print(f"[green]Database is up to date[/green] ({_safe_url(settings.database_url)})")


@app.command()
def seed(
    demo: bool = typer.Option(False, "--demo", help="Load the demo data set (citizens, staff, applications)."),
    citizens: int = typer.Option(500, help="How many demo citizens."),
    random_seed: int = typer.Option(2569, "--seed", help="Seed for reproducible demo data."),
) -> None:
    """Load data into the database."""
    if not demo:
        console.print("Nothing to do: pass --demo to load the demo data.")
        raise typer.Exit(1)
    from pracha.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, seed_demo
    from pracha.services.hooks import CATALOG
    from pracha.web.app import build_state

    state = build_state(get_settings())
    with state.db.sessions() as session:
        summary = seed_demo(session, state.registry.get(CATALOG), citizens=citizens, seed=random_seed,
                            secret=state.secret)
    if summary.already_seeded:
        console.print("Demo data is already in this database.")
    table = Table(title=f"Demo accounts (password: {DEMO_PASSWORD})")
    for column in ("who", "sign in with", "where"):
        table.add_column(column, overflow="fold")
    for who, login, where in summary.accounts:
        table.add_row(who, login, where)
    console.print(table)
    console.print(f"Staff also give a code from an authenticator app with the demo TOTP secret {DEMO_TOTP_SECRET}; "
                  f'the current one: python -c "import pyotp; print(pyotp.TOTP(\'{DEMO_TOTP_SECRET}\').now())"')


app.command()(worker)
app.add_typer(cert_app, name="cert")

privacy_app = typer.Typer(help="PDPA accountability: the retention schedule.", no_args_is_help=True)
app.add_typer(privacy_app, name="privacy")


@privacy_app.command("retention")
def privacy_retention(run: bool = typer.Option(False, "--run", help="Delete what is past its period now.")) -> None:
    """Show the retention schedule; with --run, apply it now (the automation also runs it daily)."""
    from pracha.db import begin_write
    from pracha.privacy.retention import SCHEDULE, run_retention
    from pracha.web.app import build_state

    table = Table(title="Retention schedule")
    for column in ("record type", "days", "deleted", "kept (hold)"):
        table.add_column(column)
    counts: dict[str, tuple[int, int]] = {}
    if run:
        state = build_state(get_settings())
        with state.db.sessions() as session:
            begin_write(session)
            counts = {r.record_type: (r.deleted, r.held) for r in run_retention(session, state.settings, trigger="cli")}
            session.commit()
    for period in SCHEDULE:
        found = counts.get(period.record_type)
        table.add_row(period.record_type, str(period.days), *(map(str, found) if found else ("", "")))
    console.print(table)


opendata_app = typer.Typer(help="Open data: the platform's own statistics.", no_args_is_help=True)
app.add_typer(opendata_app, name="opendata")


@opendata_app.command("refresh")
def opendata_refresh() -> None:
    """Publish the platform statistics now (the automation does it daily): a new version of each
    dataset whose figures changed, with its ledger entry."""
    from pracha.calendar import BANGKOK
    from pracha.db import begin_write, utcnow
    from pracha.opendata.catalogue import OpenData
    from pracha.opendata.platform import refresh
    from pracha.services.hooks import CATALOG
    from pracha.web.app import build_state

    state = build_state(get_settings())
    od = OpenData(state.registry.get(CATALOG), state.settings.catalog_dir.resolve(), state.settings.public_base_url)
    with state.db.sessions() as session:
        begin_write(session)
        published = refresh(session, od, utcnow().astimezone(BANGKOK).date())
        session.commit()
    console.print(f"published: {', '.join(published)}" if published else "nothing changed: no new version")


ledger_app = typer.Typer(help="The tamper-evident ledger: keys, sequencing, verification, witnessing.",
                         no_args_is_help=True)
app.add_typer(ledger_app, name="ledger")


@ledger_app.command("key")
def ledger_key() -> None:
    """Print the log's verifier key (name+hash+base64); creates the signing key on first use."""
    from pracha.ledger.keys import load_or_create_signer, verifier_key

    settings = get_settings()
    typer.echo(verifier_key(load_or_create_signer(settings.var_dir, settings.ledger_origin)))


@ledger_app.command("keygen")
def ledger_keygen(name: str = typer.Argument(..., help="The key's name, e.g. the witness's host/path."),
                  out: Path = typer.Option(..., help="Where to write the private key (mode 0600).")) -> None:
    """Make a key pair for a witness; prints the verifier key to give to the log's operator."""
    from pracha.ledger import note

    skey, vkey = note.generate_key(name)
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(skey + "\n")
    typer.echo(vkey)


@ledger_app.command("sequence")
def ledger_sequence() -> None:
    """Sequence waiting entries and sign a checkpoint now (the server also does this by itself)."""
    from pracha.db import make_engine, make_sessionmaker
    from pracha.ledger import log, sequencer
    from pracha.ledger.keys import load_or_create_signer

    settings = get_settings()
    sessions = make_sessionmaker(make_engine(settings.database_url))
    sequencer.sequence_now(sessions, load_or_create_signer(settings.var_dir, settings.ledger_origin),
                           settings.ledger_origin)
    with sessions() as session:
        console.print(f"Ledger size: {log.head(session).size}")


@ledger_app.command("audit")
def ledger_audit() -> None:
    """Recount the log from the database: re-derive every commitment from its stored opening, check
    every leaf against the tiles, count kinds (operators and auditors; needs the database)."""
    from pracha.db import make_engine, make_sessionmaker
    from pracha.ledger.audit import audit

    settings = get_settings()
    with make_sessionmaker(make_engine(settings.database_url))() as session:
        result = audit(session)
    table = Table(title=f"Ledger audit: {result.size} entries")
    table.add_column("kind")
    table.add_column("entries", justify="right")
    for kind, count in sorted(result.by_kind.items()):
        table.add_row(kind, str(count))
    table.add_row("(erased: no opening left)", str(result.erased))
    console.print(table)
    console.print("Formats: " + ", ".join(f"v{v}: {n}" for v, n in sorted(result.formats.items())))
    for index, problem in result.problems:
        console.print(f"[red]entry {index}: {problem}")
    console.print("[green]OK: every commitment re-derived" if result.ok else "[red]FAILED")
    raise typer.Exit(0 if result.ok else 1)


@ledger_app.command("verify-receipt")
def ledger_verify_receipt(receipt: Path = typer.Argument(..., exists=True, dir_okay=False),
                          key: str = typer.Option(..., help="The log's verifier key (pracha ledger key)."),
                          file: Path | None = typer.Option(None, "--file", exists=True, dir_okay=False,
                                                           help="A published open-data file: its SHA-256 must be "
                                                                "the one the receipt's entry names.")) -> None:
    """Check a downloaded receipt offline: the checkpoint's signature and the inclusion proof; with
    --file, also that the file is the one the receipt's open-data entry names."""
    import json

    from pracha.ledger.receipts import verify_receipt
    from pracha.opendata.versions import check_file_against_receipt, stream_digest

    try:
        data = json.loads(receipt.read_text(encoding="utf-8"))
    except ValueError:
        data = None
    check = verify_receipt(data, key)
    if check.ok and file is not None:
        with file.open("rb") as stream:
            check = check_file_against_receipt(data, check, stream_digest(stream))
    console.print(("[green]" if check.ok else "[red]") + check.message_en)
    raise typer.Exit(0 if check.ok else 1)


@ledger_app.command("verify")
def ledger_verify(url: str = typer.Option(..., help="The portal's base URL."),
                  key: str = typer.Option(..., help="The log's verifier key."),
                  state: Path | None = typer.Option(None, help="File keeping the last checkpoint seen."),
                  full: bool = typer.Option(False, "--full", help="Fetch every entry and tile; recompute the root.")
                  ) -> None:
    """Check the log from outside: signature, consistency with the last checkpoint seen, and (--full)
    every entry."""
    from rich.progress import Progress

    from pracha.ledger.verify import verify_log

    with Progress(console=console, transient=True) as bar:
        task = bar.add_task("entries", total=None)
        result = verify_log(url, key, state=state, full=full, progress=lambda n: bar.advance(task, n))
    console.print(("[green]OK: " if result.ok else "[red]FAILED: ") + result.message)
    if result.first_bad_index is not None:
        console.print(f"First bad index: {result.first_bad_index}")
    raise typer.Exit(0 if result.ok else 1)


@ledger_app.command("recount-petition")
def ledger_recount_petition(url: str = typer.Option(..., help="The portal's base URL."),
                            petition: int = typer.Option(..., min=1, help="The petition's number."),
                            key: str | None = typer.Option(None, help="The log's verifier key (default: the "
                                                           "portal's own, which checks consistency only).")
                            ) -> None:
    """Recount a petition's supports from the public log (signed checkpoint and entry bundles) and
    compare with the count the portal publishes; exit 1 when they differ or the log is behind."""
    from pracha.participation.recount import recount_petition

    result = recount_petition(url, petition, key)
    if result.counted is not None:
        console.print(f"Counted in the log: {result.counted} (published: {result.published})")
        span = "none" if result.first_index is None else f"{result.first_index}–{result.last_index}"
        console.print(f"Ledger range: {span}")
    console.print(("[green]" if result.ok else "[red]") + result.message, soft_wrap=True)
    raise typer.Exit(0 if result.ok else 1)


@ledger_app.command("witness")
def ledger_witness(url: str = typer.Option(..., help="The log's base URL."),
                   key: str = typer.Option(..., help="The log's verifier key."),
                   witness_key: Path = typer.Option(..., exists=True, help="This witness's private key file."),
                   state: Path = typer.Option(Path("witness-state.txt"), help="The last checkpoint cosigned.")
                   ) -> None:
    """Cosign the log's checkpoint if it is consistent with the last one this witness cosigned."""
    from pracha.ledger.witness import cosign

    try:
        text = cosign(url, log_key=key, witness_skey=witness_key.read_text().strip(), state=state)
    except ValueError as exc:
        console.print(f"[red]Refused: {exc}")
        raise typer.Exit(1) from exc
    console.print("[green]Cosigned:[/green] " + text.replace("\n", " "))


registry_app = typer.Typer(help="The five demo agency registries the exchange mediator talks to.",
                           no_args_is_help=True)
app.add_typer(registry_app, name="registry")


@registry_app.command("serve")
def registry_serve(
    name: str = typer.Argument(..., help="civil, business, welfare, land or revenue."),
    port: int | None = typer.Option(None, help="Port (default: registry_base_port + 0..4)."),
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    database: str | None = typer.Option(None, help="SQLAlchemy URL (default: sqlite:///<var_dir>/registries/NAME.db)."),
    citizens: int = typer.Option(500, help="Demo citizens, as given to `pracha seed --demo`."),
    random_seed: int = typer.Option(2569, "--seed", help="Seed, as given to `pracha seed --demo`."),
) -> None:
    """Serve one demo registry (creates and seeds its database on first start)."""
    import uvicorn

    from pracha import registries
    from pracha.exchange.vocabulary import registry_port
    from pracha.registries.base import create_registry_app

    if name not in registries.REGISTRIES:
        console.print(f"[red]No registry {name!r}; choose one of {', '.join(registries.NAMES)}")
        raise typer.Exit(2)
    settings = get_settings()
    web = create_registry_app(registries.REGISTRIES[name], settings,
                              database or registries.default_database_url(settings, name),
                              citizens=citizens, seed=random_seed)
    uvicorn.run(web, host=host, port=port if port is not None else registry_port(settings, name),
                log_level="warning", access_log=False, timeout_keep_alive=KEEP_ALIVE_SECONDS)


bank_app = typer.Typer(help="The demo bank that pays Thai QR bills and calls Pracha back.", no_args_is_help=True)
app.add_typer(bank_app, name="bank")


@bank_app.command("serve")
def bank_serve(
    port: int | None = typer.Option(None, help="Port (default: the port of the bank_url setting, 8201)."),
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    database: str | None = typer.Option(None, help="SQLAlchemy URL (default: sqlite:///<var_dir>/bank/demo-bank.db)."),
) -> None:
    """Serve the demo bank (its own database; keys under var_dir; calls PRACHA_PUBLIC_BASE_URL back)."""
    from urllib.parse import urlsplit

    import uvicorn

    from pracha.bank.app import create_bank_app

    settings = get_settings()
    web = create_bank_app(settings, database)
    uvicorn.run(web, host=host, port=port if port is not None else (urlsplit(settings.bank_url).port or 8201),
                log_level="warning", access_log=False, timeout_keep_alive=KEEP_ALIVE_SECONDS)


@bank_app.command("fill-statement")
def bank_fill_statement(
    date: str = typer.Option(..., help="The day, YYYY-MM-DD (Bangkok)."),
    lines: int = typer.Option(..., min=1, max=10_000_000, help="How many synthetic paid lines to add."),
    database: str | None = typer.Option(None, help="SQLAlchemy URL (default: sqlite:///<var_dir>/bank/demo-bank.db)."),
) -> None:
    """Add synthetic paid lines to a day of the demo bank's statement (for load tests)."""
    import datetime as dt

    from pracha.bank import default_database_url
    from pracha.bank.store import open_store

    try:
        day = dt.date.fromisoformat(date)
    except ValueError as exc:
        console.print(f"[red]Not a day: {date!r} (YYYY-MM-DD)")
        raise typer.Exit(2) from exc
    store = open_store(database or default_database_url(get_settings()))
    added = store.add_test_lines(day, lines)
    store.engine.dispose()
    console.print(f"Added {added} lines to {day.isoformat()}")


from pracha.identity.oidc.cli import oidc_app  # noqa: E402 - the `pracha oidc` commands

app.add_typer(oidc_app, name="oidc")

from pracha.vault.cli import make_keys_app  # noqa: E402 - the `pracha keys` commands


def _schema() -> MetaData:
    from pracha.models import Base

    return Base.metadata


app.add_typer(make_keys_app(_schema), name="keys")


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


if __name__ == "__main__":
    app()
