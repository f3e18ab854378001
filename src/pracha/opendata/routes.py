"""The public /data pages: the search with facets and a dataset's page. Anyone may read what is public;
a publisher also sees their organisation's private datasets (everyone else gets 404 for those)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from pracha.errors import PrachaError
from pracha.http.access import PUBLIC, allow, get_db
from pracha.http.rendering import render
from pracha.identity.principal import Principal
from pracha.opendata import catalogue, search, search_page, views
from pracha.opendata.deps import open_data
from pracha.opendata.publishers import publisher_of

router = APIRouter(include_in_schema=False)
DatasetName = Annotated[str, Path(min_length=1, max_length=100)]


@router.get("/data", response_class=HTMLResponse)
async def data_search(request: Request, sort: Annotated[str, Query(max_length=20)] = "relevance",
                      page: Annotated[int, Query(ge=1, le=10_000)] = 1, _: Principal = allow(PUBLIC),
                      db: Session = Depends(get_db)) -> Response:
    """The catalogue's search: Thai text (q), facets whose counts are links adding or removing a filter
    (organization, groups, tags, res_format, data_type: repeat a key for several), sort and pages."""
    od = open_data(request)
    wanted = search_page.read_request(list(request.query_params.multi_items()), sort=sort, page=page)

    def build() -> Response:
        message = None
        try:
            result = search.package_search(db, od, wanted.params())
        except PrachaError as exc:  # a query the search cannot read (Solr syntax gone wrong): say so
            message, result = exc.message(request.state.lang), {}
        view = search_page.search_view(wanted, result, od, request.state.lang)
        here = wanted.url(page=page)
        return render(request, "opendata/search.html",
                      {**view, "message": message, "lang_base": here + ("&" if "?" in here else "?")})

    return await run_in_threadpool(build)


@router.get("/data/dataset/{name}", response_class=HTMLResponse)
async def dataset_page(name: DatasetName, request: Request, p: Principal = allow(PUBLIC),
                       db: Session = Depends(get_db)) -> Response:
    """A dataset: its Thai metadata, resources with preview, chart and versions, API examples and its
    JSON-LD. Private, deleted or unpublishable datasets are 404 but to their publishers."""
    od = open_data(request)
    publisher = publisher_of(p)

    def build() -> Response:
        dataset = catalogue.get_dataset(db, name, publisher)
        page = views.dataset_page(db, od, dataset, request.state.lang)
        page["may_edit"] = publisher is not None and publisher.may_publish(dataset.owner_org)
        page["is_public"] = catalogue.is_public(dataset)
        return render(request, "opendata/dataset.html", page)

    return await run_in_threadpool(build)
