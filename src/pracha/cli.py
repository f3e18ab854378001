"""The `pracha` command."""

from __future__ import annotations

import os

import typer
from rich.console import Console
from rich.table import Table

from pracha.config import get_settings

os.environ.setdefault("PYTHAINLP_OFFLINE", "1")

app = typer.Typer(help="Pracha (ประชา): one-stop digital government platform.", no_args_is_help=True,
                  add_completion=False)
console = Console()


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    workers: int = typer.Option(1, help="Worker processes (use PostgreSQL for more than one)."),
    proxy_headers: bool = typer.Option(False, help="Trust X-Forwarded-* (behind a TLS proxy)."),
) -> None:
    """Serve the portal and the API."""
    import uvicorn

    uvicorn.run("pracha.web.app:create_app", factory=True, host=host, port=port, workers=workers,
                proxy_headers=proxy_headers, forwarded_allow_ips="*" if proxy_headers else None,
                log_level="info", access_log=False)


@app.command()
def migrate() -> None:
    """Create or upgrade the database schema to the newest version."""
    from pracha.migrate import upgrade

    settings = get_settings()
    upgrade(settings.database_url)
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
    from pracha.demo import DEMO_PASSWORD, seed_demo
    from pracha.web.app import create_app

    web = create_app(get_settings())
    with web.state.sessions() as session:
        summary = seed_demo(session, web.state.catalog, citizens=citizens, seed=random_seed)
    if summary.already_seeded:
        console.print("Demo data is already in this database.")
    table = Table(title=f"Demo accounts (password: {DEMO_PASSWORD})")
    for column in ("who", "sign in with", "where"):
        table.add_column(column, overflow="fold")
    for who, login, where in summary.accounts:
        table.add_row(who, login, where)
    console.print(table)


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


if __name__ == "__main__":
    app()
