"""The demo bank's ASGI app (`pracha bank serve`): the payer's API, the calls Pracha signs, the hand page.

    GET  /healthz                   {"status": "ok", "bank": "demo-bank"}
    POST /pay                       pay a Thai QR payload, as a banking app does after scanning (open)
    GET  /statements/{YYYY-MM-DD}   the day's CSV (signed by Pracha)
    POST /refunds                   refund a payment (signed by Pracha)
    GET  /pay, POST /pay/confirm    the page to pay by hand in the demo (see bank/page.py)
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from pracha import __version__
from pracha.bank import BANK_ID, default_database_url
from pracha.bank.biller import RETRY_DELAYS, Biller, CallbackRetrier
from pracha.bank.page import add_page_routes
from pracha.bank.service import Bank, BankError, pay, refund, resume_callbacks
from pracha.bank.store import open_store
from pracha.config import Settings, default_of
from pracha.exchange.httpsig import SignatureError, asgi_target_uri, verify_request
from pracha.payments.keys import PRACHA_KEY_ID, bank_key, pracha_key

_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_CODES = {404: "not_found", 405: "method_not_allowed"}


class PayRequest(BaseModel):
    payload: str = Field(description="The Thai QR (EMVCo) payload the banking app scanned.")
    amount: str | None = Field(None, description="What the payer typed; must equal the payload's amount.")
    notify: bool = Field(True, description="False simulates a lost callback: paid and in the statement, but "
                         "Pracha is not called.")


class RefundRequest(BaseModel):
    transaction_id: str = Field(max_length=40)
    amount: str = Field(max_length=20, description="Baht, e.g. 50.00; at most the payment.")
    reason: str = Field(max_length=500)


def bank_of(request: Request) -> Bank:
    bank: Bank = request.app.state.bank
    return bank


async def signed_by_pracha(request: Request) -> str:
    """The verified key id of Pracha's payments key; 401 otherwise."""
    body = await request.body()
    try:
        return verify_request(request.method, asgi_target_uri(request.scope), request.headers, body,
                              resolve_key=request.app.state.clients.get,
                              max_age=default_of("exchange_signature_max_age"))
    except SignatureError as exc:
        raise BankError(401, "unauthorized", exc.reason) from exc


def create_bank_app(settings: Settings, database_url: str | None = None, *,
                    retry_delays: Sequence[float] = RETRY_DELAYS) -> FastAPI:
    store = open_store(database_url or default_database_url(settings))
    biller = Biller(settings.public_base_url, BANK_ID, bank_key(settings.var_dir, BANK_ID))
    bank = Bank(BANK_ID, store, biller, CallbackRetrier(store, biller, retry_delays), settings.public_base_url)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        resume_callbacks(bank)
        yield
        bank.retrier.stop()
        biller.close()
        store.engine.dispose()

    app = FastAPI(title="Demo bank — ธนาคารทดลอง", version=__version__, lifespan=lifespan, docs_url=None,
                  redoc_url=None, description="A bank simulator for Thai QR bill payments. Demo only.")
    app.state.bank = bank
    app.state.clients = {PRACHA_KEY_ID: pracha_key(settings.var_dir).public_key()}
    _install_errors(app)
    add_api_routes(app)
    add_page_routes(app)
    return app


def add_api_routes(app: FastAPI) -> None:
    @app.get("/healthz", tags=["meta"])
    def healthz() -> dict[str, str]:
        return {"status": "ok", "bank": BANK_ID}

    @app.post("/pay", status_code=201, tags=["payer"])
    def pay_bill(body: PayRequest, bank: Annotated[Bank, Depends(bank_of)]) -> dict[str, str]:
        return pay(bank, body.payload, body.amount, body.notify)

    @app.get("/statements/{day}", tags=["biller"], dependencies=[Depends(signed_by_pracha)],
             response_class=StreamingResponse)
    def statement(day: str, bank: Annotated[Bank, Depends(bank_of)]) -> StreamingResponse:
        if not _DAY.fullmatch(day):
            raise BankError(422, "invalid_request", "a day is YYYY-MM-DD")
        try:
            dt.date.fromisoformat(day)
        except ValueError:
            raise BankError(422, "invalid_request", "no such day") from None
        return StreamingResponse(bank.store.statement(day), media_type="text/csv; charset=utf-8",
                                 headers={"Content-Disposition": f'attachment; filename="demo-bank-{day}.csv"'})

    @app.post("/refunds", status_code=201, tags=["biller"], dependencies=[Depends(signed_by_pracha)])
    def refund_payment(body: RefundRequest, bank: Annotated[Bank, Depends(bank_of)]) -> dict[str, str]:
        return refund(bank, body.transaction_id, body.amount, body.reason)


def _install_errors(app: FastAPI) -> None:
    @app.exception_handler(BankError)
    async def bank_error(_: Request, exc: BankError) -> JSONResponse:
        return JSONResponse({"error": exc.error, "reason": exc.reason}, status_code=exc.status)

    @app.exception_handler(HTTPException)
    async def http_error(_: Request, exc: HTTPException) -> JSONResponse:
        return JSONResponse({"error": _CODES.get(exc.status_code, "error"), "reason": str(exc.detail)},
                            status_code=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        where = ", ".join(".".join(str(p) for p in error.get("loc", ())) for error in exc.errors())
        return JSONResponse({"error": "invalid_request", "reason": f"check {where}"}, status_code=422)
