"""The /data search page's model: the page's query string turned into CKAN's package_search parameters
(q, fq, sort, rows, start), and its result turned into facets whose items are links that add or remove
one filter, the active filters, the result list and the pages. Plain values; no HTTP here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from pracha.opendata import labels, metadata
from pracha.opendata.catalogue import OpenData

PER_PAGE = 20
# The facets, in the order the page shows them: (query key = CKAN field, Thai title, English title)
FACETS = (("organization", "หน่วยงาน", "Organisation"), ("groups", "กลุ่มชุดข้อมูล", "Group"),
          ("tags", "คำสำคัญ", "Tag"), ("res_format", "รูปแบบไฟล์", "Format"),
          ("data_type", "ประเภทชุดข้อมูล", "Dataset type"))
FACET_KEYS = tuple(key for key, _, _ in FACETS)
SORTS = {"relevance": "score desc, metadata_modified desc", "modified": "metadata_modified desc",
         "name": "name asc"}
SORT_LABELS = {"relevance": ("ตรงกับคำค้นมากที่สุด", "Relevance"), "modified": ("ปรับปรุงล่าสุด", "Last modified"),
               "name": ("ชื่อ (ก–ฮ, A–Z)", "Name")}


@dataclass(frozen=True)
class SearchRequest:
    q: str
    filters: tuple[tuple[str, str], ...]  # (facet key, value), in the order given
    sort: str
    page: int

    def params(self) -> dict[str, Any]:
        """CKAN's package_search parameters."""
        fq = " ".join(f'{key}:"{value.replace(chr(34), "")}"' for key, value in self.filters)
        return {"q": self.q, "fq": fq, "sort": SORTS[self.sort], "rows": PER_PAGE,
                "start": (self.page - 1) * PER_PAGE, "facet.field": list(FACET_KEYS), "facet.limit": 20}

    def url(self, *, filters: tuple[tuple[str, str], ...] | None = None, page: int = 1, sort: str | None = None) -> str:
        pairs: list[tuple[str, str]] = [("q", self.q)] if self.q else []
        pairs += list(self.filters if filters is None else filters)
        chosen = sort or self.sort
        if chosen != "relevance":
            pairs.append(("sort", chosen))
        if page > 1:
            pairs.append(("page", str(page)))
        return "/data" + ("?" + urlencode(pairs) if pairs else "")


def read_request(query: list[tuple[str, str]], *, sort: str, page: int) -> SearchRequest:
    q = next((v for k, v in query if k == "q"), "").strip()[:200]
    filters = tuple(dict.fromkeys((k, v.strip()[:100]) for k, v in query if k in FACET_KEYS and v.strip()))
    return SearchRequest(q, filters[:20], sort if sort in SORTS else "relevance", page)


def _label(key: str, name: str, given: str, od: OpenData, lang: str) -> str:
    if key == "organization":
        org = metadata.organisations(od.catalog).get(name)
        return (org.title_en if lang == "en" else org.title_th) if org else given or name
    if key == "groups":
        group = metadata.groups(od.catalog_dir).get(name)
        return (group.title_en if lang == "en" else group.title_th) if group else given or name
    if key == "data_type":
        return labels.value(name, lang)
    return given or name


def _modified(value: Any) -> dt.datetime | None:
    try:
        stamp = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)


def _excerpt(text: str | None, limit: int = 220) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"


def search_view(request: SearchRequest, result: dict[str, Any], od: OpenData, lang: str) -> dict[str, Any]:
    active = set(request.filters)
    facets = []
    for key, title_th, title_en in FACETS:
        found = (result.get("search_facets") or {}).get(key) or {}
        items = []
        for item in sorted(found.get("items") or [], key=lambda i: (-int(i.get("count", 0)), str(i.get("name")))):
            name = str(item.get("name"))
            on = (key, name) in active
            toggled = tuple(f for f in request.filters if f != (key, name)) if on else (*request.filters, (key, name))
            items.append({"name": name, "label": _label(key, name, str(item.get("display_name") or ""), od, lang),
                          "count": item.get("count", 0), "active": on, "href": request.url(filters=toggled)})
        facets.append({"key": key, "title": title_en if lang == "en" else title_th, "items": items})
    results = []
    for package in result.get("results") or []:
        org = package.get("organization") or {}
        results.append({
            "name": package.get("name"),
            "title": (package.get("title_en") if lang == "en" and package.get("title_en") else package.get("title")),
            "organisation": (org.get("title_en") if lang == "en" and org.get("title_en") else org.get("title")) or "",
            "excerpt": _excerpt(package.get("notes_en") if lang == "en" and package.get("notes_en")
                                else package.get("notes")),
            "formats": sorted({str(r.get("format")) for r in package.get("resources") or [] if r.get("format")}),
            "modified": _modified(package.get("metadata_modified")),
        })
    count = int(result.get("count") or 0)
    pages = max(1, -(-count // PER_PAGE))
    titles = dict((k, (th, en)) for k, th, en in FACETS)
    return {
        "q": request.q, "count": count, "results": results, "facets": facets, "sort": request.sort,
        "sorts": [(key, th if lang != "en" else en) for key, (th, en) in SORT_LABELS.items()],
        "active": [{"title": titles[k][1 if lang == "en" else 0], "label": _label(k, v, v, od, lang),
                    "href": request.url(filters=tuple(f for f in request.filters if f != (k, v)))}
                   for k, v in request.filters],
        "filters": request.filters, "page": request.page, "pages": pages,
        "previous": request.url(page=request.page - 1) if request.page > 1 else None,
        "next": request.url(page=request.page + 1) if request.page < pages else None,
    }
