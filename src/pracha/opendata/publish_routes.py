"""The publisher's pages: an agency admin (signed in with the second factor) or the platform admin lists
their organisation's datasets, creates and edits one (every Thai metadata field), adds a file or a link,
and deletes with a confirmation. Every write goes through `catalogue` with `publisher_of(principal)`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from pracha.errors import Forbidden, PrachaError
from pracha.http.access import allow, get_db
from pracha.http.guard import accept_cut_upload, upload_was_cut
from pracha.http.rendering import render
from pracha.http.state import app_state
from pracha.identity.models import AGENCY_ADMIN, PLATFORM_ADMIN
from pracha.identity.principal import Principal
from pracha.opendata import catalogue, views
from pracha.opendata.datastore import TableInvalid
from pracha.opendata.deps import open_data
from pracha.opendata.errors import NotPublisher, PackageInvalid, ResourceNotFound
from pracha.opendata.models import OpenDataset, OpenResource
from pracha.opendata.publishers import Publisher, publisher_of

router = APIRouter(include_in_schema=False)
PUBLISHERS = (AGENCY_ADMIN, PLATFORM_ADMIN)
DatasetName = Annotated[str, Path(min_length=1, max_length=100)]
ResourceId = Annotated[str, Path(min_length=1, max_length=36)]


def _publisher(p: Principal) -> Publisher:
    publisher = publisher_of(p)
    if publisher is None:  # an agency admin without an agency
        raise Forbidden()
    return publisher


def _own_dataset(db: Session, name: str, publisher: Publisher) -> OpenDataset:
    """The dataset, if this publisher may change it: 404 if they may not see it, 403 if only read it."""
    dataset = catalogue.get_dataset(db, name, publisher)
    if not publisher.may_publish(dataset.owner_org):
        raise NotPublisher()
    return dataset


def _errors(exc: PrachaError, lang: str) -> dict[str, str]:
    if isinstance(exc, PackageInvalid):
        return {field: " ".join(messages) for field, messages in exc.errors.items()}
    return {name: msg["en" if lang == "en" else "th"] for name, msg in exc.fields.items()}


@router.get("/data/publish", response_class=HTMLResponse)
async def publish_home(request: Request, p: Principal = allow(*PUBLISHERS), db: Session = Depends(get_db)) -> Response:
    """My organisation's datasets (private ones too), and how to publish from a program."""
    publisher, od = _publisher(p), open_data(request)

    def build() -> Response:
        datasets = views.publisher_datasets(db, publisher)
        rows = [{"dataset": d, "public": catalogue.is_public(d),
                 "organisation": views.organisation_title(od, d.owner_org, request.state.lang)} for d in datasets]
        return render(request, "opendata/publish.html", {"rows": rows})

    return await run_in_threadpool(build)


def _form_page(request: Request, od: catalogue.OpenData, publisher: Publisher, dataset: OpenDataset | None, *,
               submitted: dict[str, Any] | None = None, errors: dict[str, str] | None = None,
               message: str | None = None, status_code: int = 200) -> Response:
    lang = request.state.lang
    return render(request, "opendata/dataset_form.html", {
        "dataset": dataset, "values": views.form_values(dataset, submitted), "errors": errors or {},
        "message": message, "choices": views.form_choices(od, publisher, lang),
        "label": lambda field: views.labels.label(field, lang),
        "action": f"/data/dataset/{dataset.name}/edit" if dataset else "/data/publish/new"},
        status_code=status_code)


@router.get("/data/publish/new", response_class=HTMLResponse)
def new_dataset_form(request: Request, p: Principal = allow(*PUBLISHERS)) -> Response:
    return _form_page(request, open_data(request), _publisher(p), None)


@router.post("/data/publish/new", response_class=HTMLResponse)
async def new_dataset_submit(request: Request, p: Principal = allow(*PUBLISHERS),
                             db: Session = Depends(get_db)) -> Response:
    publisher, od = _publisher(p), open_data(request)
    data = views.package_from_form(await request.form())

    def run() -> Response:
        try:
            dataset = catalogue.create_package(db, od, publisher, data)
            name = dataset.name
            db.commit()
        except PrachaError as exc:
            db.rollback()
            return _form_page(request, od, publisher, None, submitted=data, errors=_errors(exc, request.state.lang),
                              message=exc.message(request.state.lang), status_code=exc.status_code)
        return RedirectResponse(f"/data/dataset/{name}?saved=1", status_code=303)

    return await run_in_threadpool(run)


@router.get("/data/dataset/{name}/edit", response_class=HTMLResponse)
async def edit_dataset_form(name: DatasetName, request: Request, p: Principal = allow(*PUBLISHERS),
                            db: Session = Depends(get_db)) -> Response:
    publisher, od = _publisher(p), open_data(request)

    def build() -> Response:
        return _form_page(request, od, publisher, _own_dataset(db, name, publisher))

    return await run_in_threadpool(build)


@router.post("/data/dataset/{name}/edit", response_class=HTMLResponse)
async def edit_dataset_submit(name: DatasetName, request: Request, p: Principal = allow(*PUBLISHERS),
                              db: Session = Depends(get_db)) -> Response:
    publisher, od = _publisher(p), open_data(request)
    data = views.package_from_form(await request.form())

    def run() -> Response:
        _own_dataset(db, name, publisher)
        try:
            new_name = catalogue.update_package(db, od, publisher, name, data, partial=False).name
            db.commit()
        except PrachaError as exc:
            db.rollback()
            dataset = _own_dataset(db, name, publisher)
            return _form_page(request, od, publisher, dataset, submitted=data, errors=_errors(exc, request.state.lang),
                              message=exc.message(request.state.lang), status_code=exc.status_code)
        return RedirectResponse(f"/data/dataset/{new_name}?saved=1", status_code=303)

    return await run_in_threadpool(run)


def _resource_page(request: Request, dataset: OpenDataset, *, values: dict[str, Any] | None = None,
                   errors: dict[str, str] | None = None, table: list[dict[str, Any]] | None = None,
                   message: str | None = None, status_code: int = 200) -> Response:
    max_mb = app_state(request).settings.max_upload_bytes / (1024 * 1024)
    return render(request, "opendata/resource_form.html", {
        "dataset": dataset, "values": values or {}, "errors": errors or {}, "table_errors": table or [],
        "message": message, "max_mb": f"{max_mb:g}"}, status_code=status_code)


@router.get("/data/dataset/{name}/resource/new", response_class=HTMLResponse)
async def new_resource_form(name: DatasetName, request: Request, p: Principal = allow(*PUBLISHERS),
                            db: Session = Depends(get_db)) -> Response:
    publisher = _publisher(p)
    return await run_in_threadpool(lambda: _resource_page(request, _own_dataset(db, name, publisher)))


@router.post("/data/dataset/{name}/resource/new", response_class=HTMLResponse,
             dependencies=[Depends(accept_cut_upload)])
async def new_resource_submit(name: DatasetName, request: Request, p: Principal = allow(*PUBLISHERS),
                              db: Session = Depends(get_db)) -> Response:
    """A file (published as version 1, a CSV/XLSX validated and loaded into the datastore) or a link.
    A table with errors: the form again with each error's row and column, and nothing published."""
    publisher, od = _publisher(p), open_data(request)
    form = await request.form()
    values = {key: str(form.get(key) or "").strip() for key in ("name", "name_en", "description", "format", "url")}
    file = form.get("file")
    upload = None
    if isinstance(file, UploadFile) and file.filename:
        upload = catalogue.Upload(file.filename, await file.read(), file.content_type)
    lang = request.state.lang

    def run() -> Response:
        dataset = _own_dataset(db, name, publisher)
        if upload_was_cut(request):
            mb = app_state(request).settings.max_upload_bytes / (1024 * 1024)
            problem = f"ไฟล์ใหญ่เกิน {mb:g} MB" if lang != "en" else f"The file is larger than {mb:g} MB."
            return _resource_page(request, dataset, values=values, errors={"file": problem}, message=problem,
                                  status_code=413)
        data = {k: v for k, v in values.items() if v}
        try:
            catalogue.add_resource(db, od, publisher, dataset, data, upload)
            db.commit()
        except TableInvalid as exc:
            db.rollback()
            return _resource_page(request, _own_dataset(db, name, publisher), values=values,
                                  table=views.table_errors(exc, lang), message=exc.message(lang), status_code=422)
        except PrachaError as exc:
            db.rollback()
            return _resource_page(request, _own_dataset(db, name, publisher), values=values,
                                  errors=_errors(exc, lang), message=exc.message(lang), status_code=exc.status_code)
        return RedirectResponse(f"/data/dataset/{name}?saved=1#resources", status_code=303)

    return await run_in_threadpool(run)


def _own_file(db: Session, name: str, rid: str, publisher: Publisher) -> tuple[OpenDataset, OpenResource]:
    """An uploaded file of a dataset this publisher may change (a link has no versions: 404)."""
    dataset = _own_dataset(db, name, publisher)
    resource = next((r for r in dataset.resources if r.id == rid and r.url is None), None)
    if resource is None:
        raise ResourceNotFound()
    return dataset, resource


def _version_page(request: Request, dataset: OpenDataset, resource: OpenResource, *,
                  errors: dict[str, str] | None = None, table: list[dict[str, Any]] | None = None,
                  message: str | None = None, status_code: int = 200) -> Response:
    max_mb = app_state(request).settings.max_upload_bytes / (1024 * 1024)
    return render(request, "opendata/version_form.html", {
        "dataset": dataset, "resource": resource, "errors": errors or {}, "table_errors": table or [],
        "message": message, "max_mb": f"{max_mb:g}"}, status_code=status_code)


@router.get("/data/dataset/{name}/resource/{rid}/version", response_class=HTMLResponse)
async def new_version_form(name: DatasetName, rid: ResourceId, request: Request, p: Principal = allow(*PUBLISHERS),
                           db: Session = Depends(get_db)) -> Response:
    publisher = _publisher(p)
    return await run_in_threadpool(lambda: _version_page(request, *_own_file(db, name, rid, publisher)))


@router.post("/data/dataset/{name}/resource/{rid}/version", response_class=HTMLResponse,
             dependencies=[Depends(accept_cut_upload)])
async def new_version_submit(name: DatasetName, rid: ResourceId, request: Request,
                             p: Principal = allow(*PUBLISHERS), db: Session = Depends(get_db)) -> Response:
    """The file's next version (`resource_update`): checked like the first, published with its own
    ledger entry; the earlier versions stay. A table with errors publishes nothing."""
    publisher, od = _publisher(p), open_data(request)
    file = (await request.form()).get("file")
    upload = None
    if isinstance(file, UploadFile) and file.filename:
        upload = catalogue.Upload(file.filename, await file.read(), file.content_type)
    lang = request.state.lang

    def run() -> Response:
        dataset, resource = _own_file(db, name, rid, publisher)
        if upload_was_cut(request) or upload is None:
            mb = app_state(request).settings.max_upload_bytes / (1024 * 1024)
            problem = ((f"ไฟล์ใหญ่เกิน {mb:g} MB" if lang != "en" else f"The file is larger than {mb:g} MB.")
                       if upload_was_cut(request) else ("กรุณาเลือกไฟล์" if lang != "en" else "Choose a file."))
            return _version_page(request, dataset, resource, errors={"file": problem}, message=problem,
                                 status_code=413 if upload_was_cut(request) else 422)
        try:
            catalogue.update_resource(db, od, publisher, resource.id, {}, upload)
            db.commit()
        except TableInvalid as exc:
            db.rollback()
            return _version_page(request, *_own_file(db, name, rid, publisher),
                                 table=views.table_errors(exc, lang), message=exc.message(lang), status_code=422)
        except PrachaError as exc:
            db.rollback()
            return _version_page(request, *_own_file(db, name, rid, publisher), errors=_errors(exc, lang),
                                 message=exc.message(lang), status_code=exc.status_code)
        return RedirectResponse(f"/data/dataset/{name}?saved=1#res-{rid}", status_code=303)

    return await run_in_threadpool(run)


@router.get("/data/dataset/{name}/delete", response_class=HTMLResponse)
async def delete_dataset_confirm(name: DatasetName, request: Request, p: Principal = allow(*PUBLISHERS),
                                 db: Session = Depends(get_db)) -> Response:
    publisher = _publisher(p)

    def build() -> Response:
        return render(request, "opendata/delete.html", {"dataset": _own_dataset(db, name, publisher)})

    return await run_in_threadpool(build)


@router.post("/data/dataset/{name}/delete")
async def delete_dataset(name: DatasetName, request: Request, p: Principal = allow(*PUBLISHERS),
                         db: Session = Depends(get_db)) -> Response:
    """The dataset leaves the catalogue (CKAN's "deleted" state); its published versions stay on record."""
    publisher = _publisher(p)

    def run() -> Response:
        catalogue.delete_package(db, publisher, name)
        db.commit()
        return RedirectResponse("/data/publish?deleted=1", status_code=303)

    return await run_in_threadpool(run)
