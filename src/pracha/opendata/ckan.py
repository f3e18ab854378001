"""The CKAN Action API: `/api/3/action/{action}` and `/api/action/{action}` (the path `ckanapi` calls),
GET with a query string or POST with a JSON body (a multipart form for uploads: the file in `upload`).
Every answer is CKAN's envelope, `{"help", "success", "result"}` or `{"help", "success": false, "error":
{"__type", "message", <field>: [messages]}}`, so CKAN clients map errors back to their exceptions:

    DatasetNotFound, ResourceNotFound, … (NotFound)   404  "Not Found Error"
    NotPublisher, a bad token (Forbidden)              403  "Authorization Error"
    PackageInvalid, NameTaken, TableInvalid, …         409  "Validation Error"
    search_query.SearchQueryInvalid                    409  "Search Query Error"
    an unknown action, a body that is not JSON          400  "Bad Request"

Reads are public. Writes need a publisher's API token (`deps`); on SQLite they take the app's writer
path and commit once."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from pracha.errors import Forbidden, InvalidInput, NotFound, PrachaError, Unauthenticated
from pracha.http.access import get_db, start_writing
from pracha.http.openapi import foreign_errors
from pracha.http.state import app_state
from pracha.opendata import actions, search, search_query
from pracha.opendata.catalogue import Upload
from pracha.opendata.datastore import TableInvalid
from pracha.opendata.deps import api_token_access, open_data, publisher_for, token_of
from pracha.opendata.errors import NameTaken, NotPublisher, PackageInvalid

router = APIRouter(tags=["open data (CKAN Action API)"])
ENVELOPE = {"type": "object", "required": ["help", "success"], "properties": {
    "help": {"type": "string"}, "success": {"type": "boolean"}, "result": {},
    "error": {"type": "object", "properties": {"__type": {"type": "string"}, "message": {"type": "string"}},
              "additionalProperties": True}}}
RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "CKAN's envelope with the action's `result`.",
          "content": {"application/json": {"schema": ENVELOPE}}},
    **foreign_errors(ENVELOPE, 400, 403, 404, 409, 413, 422)}
PATHS = ("/api/3/action/{action}", "/api/action/{action}")
UPLOAD_FIELD = "upload"


class BadRequest(PrachaError):
    status_code = 400
    code = "bad_request"


def both(th: str, en: str) -> str:
    return th if th == en else f"{th} ({en})"


def error_body(exc: PrachaError) -> tuple[int, dict[str, Any]]:
    """CKAN's status and error dict for one of our errors."""
    message = both(exc.message_th, exc.message_en)
    if isinstance(exc, search_query.SearchQueryInvalid):
        return 409, {"__type": "Search Query Error", "message": f"Search Query Error: {message}"}
    if isinstance(exc, BadRequest):
        return 400, {"__type": "Bad Request", "message": f"Bad request - {message}"}
    if isinstance(exc, NotFound):
        return 404, {"__type": "Not Found Error", "message": f"Not found: {message}"}
    if isinstance(exc, Forbidden | Unauthenticated):
        return 403, {"__type": "Authorization Error", "message": message}
    fields: dict[str, Any] = {}
    if isinstance(exc, PackageInvalid):
        fields = dict(exc.errors)
    elif isinstance(exc, NameTaken):
        fields = {"name": [message]}
    elif isinstance(exc, TableInvalid):
        fields = {UPLOAD_FIELD: [both(f"แถว {e.get('row')} คอลัมน์ {e.get('column')}: {e.get('message_th')}",
                                      f"row {e.get('row')}, column {e.get('column')}: {e.get('message_en')}")
                                 for e in exc.errors], "table_errors": exc.errors}
    elif isinstance(exc, InvalidInput):
        fields = {name: [both(m["th"], m["en"])] for name, m in exc.fields.items()}
    return 409, {"__type": "Validation Error", "message": message, **fields}


def envelope(request: Request, action: str, status: int, key: str, value: Any) -> JSONResponse:
    site = str(request.base_url).rstrip("/")
    return JSONResponse({"help": f"{site}/api/3/action/help_show?name={quote(action[:100], safe='')}",
                         "success": key == "result", key: value}, status_code=status)


def encoded(request: Request, action: str, result: bytes) -> Response:
    """The envelope around a result already encoded as JSON."""
    site = str(request.base_url).rstrip("/")
    help_url = json.dumps(f"{site}/api/3/action/help_show?name={quote(action[:100], safe='')}", ensure_ascii=False)
    return Response(b'{"help":' + help_url.encode() + b',"success":true,"result":' + result + b"}",
                    media_type="application/json")


async def read_body(request: Request) -> tuple[dict[str, Any], Upload | None]:
    """A POST's data dict: JSON, or form fields with the file in `upload`."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media in ("multipart/form-data", "application/x-www-form-urlencoded"):
        try:
            form = await request.form()
        except Exception as exc:  # Starlette's multipart errors: a malformed body
            raise BadRequest("ข้อมูลแบบฟอร์มไม่ถูกต้อง", "Form Error: the form data could not be read") from exc
        data: dict[str, Any] = {}
        upload = None
        for key in set(form.keys()):
            values = form.getlist(key)
            if key == UPLOAD_FIELD and isinstance(values[0], UploadFile):
                file = values[0]
                limit = app_state(request).settings.max_upload_bytes
                content = await file.read(limit + 1)
                if len(content) > limit:
                    raise PackageInvalid({UPLOAD_FIELD: [
                        f"ไฟล์ใหญ่เกิน {limit} ไบต์ (The file is larger than {limit} bytes)"]})
                upload = Upload(file.filename or "data", content, file.content_type)
                continue
            texts = [v for v in values if isinstance(v, str)]
            data[key] = texts[0] if len(texts) == 1 else texts
        return data, upload
    body = await request.body()
    if not body.strip():
        return {}, None
    try:
        parsed = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest("ข้อมูล JSON ไม่ถูกต้อง", "JSON Error: the body is not valid JSON") from exc
    if not isinstance(parsed, dict):
        raise BadRequest("ข้อมูล JSON ต้องเป็นออบเจกต์", "JSON Error: the body must be a JSON object")
    return parsed, None


def query_params(request: Request) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key in set(request.query_params.keys()):
        values = request.query_params.getlist(key)
        data[key] = values[0] if len(values) == 1 else values
    return data


def run(call: actions.Call, action: actions.Action, params: dict[str, Any], write: bool) -> Any:
    result = action(call, params)
    if write:
        call.session.commit()
    return result


async def answer(request: Request, action: str, db: Session, post: bool) -> Response:
    try:
        read, write = actions.READS.get(action), actions.WRITES.get(action)
        if read is None and write is None:
            raise BadRequest("ไม่รู้จักคำสั่งนี้", f"Action name not known: {action[:100]}")
        if write is not None and not post:
            raise BadRequest("คำสั่งนี้ต้องส่งด้วย POST", f"{action} must be called with POST")
        params, upload = await read_body(request) if post else (query_params(request), None)
        publisher = await run_in_threadpool(publisher_for, request, db) if token_of(request) else None
        if write is not None:
            if publisher is None:
                raise NotPublisher()
            await run_in_threadpool(db.commit)  # end the read, so the write begins with BEGIN IMMEDIATE
            await start_writing(request, db)
        if action == "package_search":
            body = await run_in_threadpool(search.package_search_json, db, open_data(request), params)
            return encoded(request, action, body)
        call = actions.Call(db, open_data(request), publisher, upload)
        chosen = write or read
        assert chosen is not None
        result = await run_in_threadpool(run, call, chosen, params, write is not None)
    except PrachaError as exc:
        status, error = error_body(exc)
        return envelope(request, action, status, "error", error)
    return envelope(request, action, 200, "result", result)


@router.get(PATHS[0], name="ckan_action_get", response_class=Response, responses=RESPONSES)
@router.get(PATHS[1], name="ckan_action_get_unversioned", response_class=Response, responses=RESPONSES)
async def action_get(request: Request, action: str, _: Any = api_token_access(),
                     db: Session = Depends(get_db)) -> Response:
    """A CKAN action with its parameters in the query string (reads)."""
    return await answer(request, action, db, post=False)


@router.post(PATHS[0], name="ckan_action_post", response_class=Response, responses=RESPONSES)
@router.post(PATHS[1], name="ckan_action_post_unversioned", response_class=Response, responses=RESPONSES)
async def action_post(request: Request, action: str, _: Any = api_token_access(),
                      db: Session = Depends(get_db)) -> Response:
    """A CKAN action with its data dict as a JSON body, or a multipart form with a file in `upload`."""
    return await answer(request, action, db, post=True)
