"""The demo bank: a separate process (`pracha bank serve`) with its own database that pays Thai QR bill
payments, calls the biller (Pracha) back with signed messages, refunds, and publishes daily statements."""

from __future__ import annotations

from pracha.config import Settings

BANK_ID = "demo-bank"


def default_database_url(settings: Settings) -> str:
    return f"sqlite:///{settings.var_dir / 'bank' / f'{BANK_ID}.db'}"
