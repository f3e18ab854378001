"""Published files and their proof: downloads (current and each version) with their SHA-256 in the
headers, the list of versions, each version's ledger receipt, and a page that says whether a file (or
a hash) is one Pracha published. All public; only datasets the public may see."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from pracha.http.access import PUBLIC, Caller, allow, get_db
from pracha.http.downloads import content_disposition
from pracha.http.openapi import errors
from pracha.http.params import MAX_INT
from pracha.http.rendering import render
from pracha.ledger.deps import ledger_of, sequenced
from pracha.opendata import versions
from pracha.opendata.deps import open_data
from pracha.opendata.models import ResourceVersion

router = APIRouter(tags=["open data"])
Number = Annotated[int, Path(ge=1, le=MAX_INT, description="A version number (1 …).")]
CURRENT_CACHE = "public, max-age=60"  # the current version moves when a new one is published
VERSION_CACHE = "public, max-age=86400"  # a version's bytes never change (its hash is in the ledger)
# Files are the publishers' bytes: never run them as a page of this site, whatever their type says
FILE_CSP = "sandbox; default-src 'none'"


def file_response(request: Request, version: ResourceVersion, cache: str) -> Response:
    headers = {**versions.digest_headers(version), "Cache-Control": cache, "Content-Security-Policy": FILE_CSP,
               "X-Content-Type-Options": "nosniff", "Content-Disposition": content_disposition(version.filename),
               "Access-Control-Allow-Origin": "*"}
    if headers["ETag"] in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]:
        return Response(status_code=304, headers=headers)
    return Response(version.content, media_type=version.mimetype, headers=headers)


@router.get("/data/dataset/{name}/resource/{rid}/download", response_class=Response, responses=errors(404))
def download_current(name: str, rid: str, request: Request, _: Caller = allow(PUBLIC),
                     db: Session = Depends(get_db)) -> Response:
    """The resource's current file, with `ETag: "<sha256>"` and `Repr-Digest: sha-256=:<base64>:`."""
    resource = versions.public_resource(db, rid, name)
    return file_response(request, versions.get_version(resource), CURRENT_CACHE)


@router.get("/data/dataset/{name}/resource/{rid}/v/{n}", response_class=Response, responses=errors(404, 422))
def download_version(name: str, rid: str, n: Number, request: Request, _: Caller = allow(PUBLIC),
                     db: Session = Depends(get_db)) -> Response:
    """Version `n` of the resource's file, as it was published."""
    resource = versions.public_resource(db, rid, name)
    return file_response(request, versions.get_version(resource, n), VERSION_CACHE)


@router.get("/api/v1/opendata/resources/{rid}/versions", dependencies=[Depends(sequenced)],
            responses=errors(404))
def list_versions(rid: str, request: Request, _: Caller = allow(PUBLIC),
                  db: Session = Depends(get_db)) -> dict[str, Any]:
    """Every published version: number, filename, size, sha256, published_at, ledger_index, and the
    URLs of its bytes and its receipt."""
    resource = versions.public_resource(db, rid)
    return {"resource_id": resource.id, "dataset": resource.dataset.name,
            "versions": versions.versions_for(db, resource, open_data(request))}


@router.get("/api/v1/opendata/resources/{rid}/versions/{n}/receipt", dependencies=[Depends(sequenced)],
            responses=errors(404, 422))
def version_receipt(rid: str, n: Number, request: Request, _: Caller = allow(PUBLIC),
                    db: Session = Depends(get_db)) -> Response:
    """The ledger receipt of version `n`: its entry (object `opendata/<rid>/v<n>/sha256:<hex>`), the
    inclusion proof and the signed checkpoint. Check it with `pracha ledger verify-receipt --file`."""
    version = versions.get_version(versions.public_resource(db, rid), n)
    if version.ledger_entry_id is None:
        raise versions.VersionNotFound()
    receipt = ledger_of(request).receipt(db, version.ledger_entry_id)
    # The public leaf names the file's hash; the opening (publisher's account, exact time) stays private.
    receipt.update(opening=None, statement=None)
    name = f"receipt-{rid[:8]}-v{n}.json"
    return Response(json.dumps(receipt, ensure_ascii=False), media_type="application/json",
                    headers={"Content-Disposition": content_disposition(name, "inline"),
                             "Cache-Control": "public, max-age=300"})


@router.get("/api/v1/opendata/verify", responses=errors(422))
def verify_hash(request: Request, sha256: Annotated[str, Query(max_length=80)], _: Caller = allow(PUBLIC),
                db: Session = Depends(get_db)) -> dict[str, Any]:
    """Which published versions have this SHA-256 (hex): `{"sha256", "matches": [...]}`; an empty list
    means no public dataset of Pracha published it."""
    return {"sha256": versions.content_digest(sha256),
            "matches": versions.verify_file(db, sha256, open_data(request))}


@router.get("/data/verify", response_class=HTMLResponse, include_in_schema=False)
def verify_page(request: Request, _: Caller = allow(PUBLIC)) -> Response:
    return render(request, "opendata_verify.html", {"checked": False, "matches": [], "sha256": "", "problem": None})


@router.post("/data/verify", response_class=HTMLResponse, include_in_schema=False)
async def verify_submitted(request: Request, _: Caller = allow(PUBLIC, write=False),
                           db: Session = Depends(get_db)) -> Response:
    form = await request.form()
    upload, pasted = form.get("file"), str(form.get("sha256") or "").strip()
    context: dict[str, Any] = {"checked": False, "matches": [], "sha256": pasted[:80], "problem": None}
    try:
        if isinstance(upload, UploadFile) and upload.filename:
            context["sha256"] = versions.stream_digest(upload.file)
        elif pasted:
            context["sha256"] = versions.content_digest(pasted)
        else:
            context["problem"] = "missing"
    except versions.HashInvalid:
        context["problem"] = "invalid"
    if context["problem"] is None:
        context["checked"] = True
        context["matches"] = [{**m, "published": dt.datetime.fromisoformat(m["published_at"])}
                              for m in versions.verify_file(db, context["sha256"])]
    return render(request, "opendata_verify.html", context, status_code=422 if context["problem"] else 200)
