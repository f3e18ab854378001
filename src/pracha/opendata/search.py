"""CKAN's `package_search` over the public catalogue, from an index each process keeps in memory.

The index is rebuilt when the catalogue's version (one row, bumped by every change in the change's own
transaction) moves, so every worker answers from the same catalogue after a commit; a dataset's words
are kept across rebuilds until it changes, so a rebuild re-reads only what changed. Text is matched
like the service catalogue's search (Thai split into words, compounds also by their parts, BM25): a
dataset matches when it holds at least 60 % of the query's weight, which for one or two words means all
of them. `fq` takes the Solr terms clients send (`organization:x tags:"y" -res_format:PDF`,
`groups:(a OR b)`); facets and sorting are computed with NumPy over the matching rows.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import numpy as np
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from pracha.opendata import metadata
from pracha.opendata.catalogue import OpenData, package_dict, public_datasets
from pracha.opendata.models import CatalogueState
from pracha.opendata.search_query import (
    DEFAULT_SORT,
    FIELDS,
    FQ_TERM,
    MAX_ROWS,
    SearchQueryInvalid,
    facet_fields,
    integer,
    parse_filters,
    parse_sort,
)
from pracha.textsearch import terms

MATCH_SHARE = 0.6
_K1, _B = 1.2, 0.75
WEIGHTS = (("title_th", 3.0), ("title_en", 2.0), ("notes", 1.0), ("notes_en", 1.0), ("data_source", 0.5))


# --- the index --------------------------------------------------------------------------------------


@lru_cache(maxsize=65_536)
def _words(dataset_id: str, modified: str, text: str) -> tuple[tuple[str, float], ...]:
    """A dataset's weighted words, kept until the dataset changes (its id and modified time key it)."""
    return tuple(terms(text).items())


class _Field:
    """One facet field in columns: every (row, value) pair, and the rows of each value on demand."""

    def __init__(self, per_row: list[list[str]]) -> None:
        self.values: list[str] = sorted({v for row in per_row for v in row})
        position = {v: i for i, v in enumerate(self.values)}
        pairs = [(i, position[v]) for i, row in enumerate(per_row) for v in row]
        self.rows = np.array([p[0] for p in pairs], dtype=np.int64)
        self.ids = np.array([p[1] for p in pairs], dtype=np.int64)
        self.position = position

    def mask(self, values: tuple[str, ...], size: int) -> np.ndarray:
        mask = np.zeros(size, dtype=bool)
        ids = [self.position[v] for v in values if v in self.position]
        if ids:
            mask[self.rows[np.isin(self.ids, ids)]] = True
        return mask

    def counts(self, matched: np.ndarray) -> dict[str, int]:
        counted = np.bincount(self.ids[matched[self.rows]], minlength=len(self.values))
        return {self.values[i]: int(c) for i, c in enumerate(counted) if c}


class Index:
    def __init__(self, packages: list[dict[str, Any]], display: dict[str, dict[str, str]]) -> None:
        self.packages = packages
        self.display = display
        self.size = size = len(packages)
        self.fields = {name: _Field([get(p) for p in packages]) for name, get in FIELDS.items()}
        self.ranks = {field: _rank([p[key] for p in packages]) for field, key in (
            ("metadata_modified", "metadata_modified"), ("metadata_created", "metadata_created"),
            ("name", "name"), ("title_string", "title"), ("title", "title"))}
        postings: dict[str, tuple[list[int], list[float]]] = {}
        lengths = np.zeros(size)
        for row, package in enumerate(packages):
            tf: dict[str, float] = {}
            for text, weight in _texts(package):
                for term, count in _words(package["id"], package["metadata_modified"], text):
                    tf[term] = tf.get(term, 0.0) + count * weight
            for term, value in tf.items():
                rows, values = postings.setdefault(term, ([], []))
                rows.append(row)
                values.append(value)
            lengths[row] = sum(tf.values())
        average = float(lengths.mean()) if size else 1.0
        self.norm = 1 - _B + _B * lengths / (average or 1.0)
        self.postings = {t: (np.array(r, dtype=np.int64), np.array(v)) for t, (r, v) in postings.items()}

    def score(self, query: str) -> tuple[np.ndarray, np.ndarray]:
        """(BM25 scores, matched mask) of every row for a free-text query."""
        scores = np.zeros(self.size)
        held = np.zeros(self.size)
        wanted = _query_terms(query)
        total = sum(weight for _, weight in wanted)
        for term, weight in wanted:
            if term not in self.postings:
                continue
            rows, tf = self.postings[term]
            idf = np.log(1 + (self.size - len(rows) + 0.5) / (len(rows) + 0.5))
            scores[rows] += weight * idf * tf * (_K1 + 1) / (tf + _K1 * self.norm[rows])
            held[rows] += weight
        return scores, (held >= MATCH_SHARE * total) if total else np.zeros(self.size, dtype=bool)

    def order(self, matched: np.ndarray, scores: np.ndarray, keys: list[tuple[str, bool]]) -> np.ndarray:
        rows = np.flatnonzero(matched)
        ranked: list[np.ndarray] = []
        for field, descending in keys:
            rank = (scores if field == "score" else self.ranks[field])[rows]
            ranked.append(-rank if descending else rank)
        ranked.append(rows)  # ties: catalogue order (newest change first)
        return rows[np.lexsort(tuple(reversed(ranked)))]


def _rank(values: list[str]) -> np.ndarray:
    """Each value's place in sorted order, as integers (sorting strings per query is slow)."""
    return np.unique(np.array(values, dtype=str), return_inverse=True)[1].astype(np.int64)


@lru_cache(maxsize=4096)
def _query_terms(query: str) -> tuple[tuple[str, float], ...]:
    return tuple(terms(query).items())


def _texts(package: dict[str, Any]) -> list[tuple[str, float]]:
    texts = [(package.get(key) or "", weight) for key, weight in WEIGHTS]
    texts.append((" ".join(t["name"] for t in package["tags"]), 2.0))
    texts.append((package["name"].replace("-", " ").replace("_", " "), 1.0))
    organisation = package.get("organization") or {}
    texts.append((f"{organisation.get('title', '')} {organisation.get('title_en', '')}", 1.0))
    texts.append((" ".join(f"{g['title']} {g.get('title_en') or ''}" for g in package["groups"]), 1.0))
    texts.append((" ".join(f"{r['name']} {r.get('name_en') or ''}" for r in package["resources"]), 0.5))
    return texts


_indexes: dict[tuple[Any, ...], tuple[tuple[Any, ...], Index]] = {}
_building = threading.Lock()


def _stamp(session: Session, od: OpenData) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """(the catalogue's committed version, which catalogue this is: database and site)."""
    state = session.execute(select(CatalogueState.version, CatalogueState.changed_at)
                            .where(CatalogueState.id == 1)).one_or_none()
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    return (tuple(state) if state else (0, None)), (id(engine), str(engine.url), od.site_url, str(od.catalog_dir))


def index_for(session: Session, od: OpenData) -> Index:
    """This process's index of the catalogue as committed now (one indexed read when it is current)."""
    stamp, key = _stamp(session, od)
    cached = _indexes.get(key)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    with _building:
        cached = _indexes.get(key)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        packages = [package_dict(d, od) for d in public_datasets(session)]
        display = {"organization": {k: o.title_th for k, o in metadata.organisations(od.catalog).items()},
                   "groups": {k: g.title_th for k, g in metadata.groups(od.catalog_dir).items()},
                   "license_id": {k: lic.title_th for k, lic in metadata.licences(od.catalog_dir).items()}}
        index = Index(packages, display)
        _indexes[key] = (stamp, index)
        return index


_answers: OrderedDict[tuple[Any, ...], bytes] = OrderedDict()
ANSWERS_BYTES = 32 * 1024 * 1024  # what a process keeps of answers, in all
ANSWER_MAX_BYTES = 512 * 1024  # a bigger answer (rows=1000 of full datasets) is made each time
_kept = [0]
_keeping = threading.Lock()


def package_search_json(session: Session, od: OpenData, params: Mapping[str, Any]) -> bytes:
    """`package_search`'s result as JSON bytes. The same question about the same catalogue version is
    answered from memory: clients repeat searches (a portal's front page, harvesters' paging), and
    encoding ten full datasets costs more than finding them."""
    stamp, catalogue_key = _stamp(session, od)
    key = (catalogue_key, stamp, json.dumps(params, sort_keys=True, ensure_ascii=False, default=str))
    if (found := _answers.get(key)) is not None:
        return found
    body = json.dumps(package_search(session, od, params), ensure_ascii=False, separators=(",", ":")).encode()
    if len(body) <= ANSWER_MAX_BYTES:
        with _keeping:  # requests run in several threads: the byte count must stay the dict's
            if key not in _answers:
                _answers[key] = body
                _kept[0] += len(body)
            while _kept[0] > ANSWERS_BYTES and _answers:
                _kept[0] -= len(_answers.popitem(last=False)[1])
    return body


# --- the action -------------------------------------------------------------------------------------


def package_search(session: Session, od: OpenData, params: Mapping[str, Any]) -> dict[str, Any]:
    """CKAN's result: {"count", "results", "facets", "search_facets", "sort"}."""
    rows = integer(params, "rows", 10, 0, MAX_ROWS)
    start = integer(params, "start", 0, 0, 10**9)
    facet_limit = integer(params, "facet.limit", 50, -1, 1000)
    wanted_facets = facet_fields(params.get("facet.field"))
    query = params.get("q") or ""
    fq = params.get("fq") or ""
    sort_text = params.get("sort") or DEFAULT_SORT
    if not all(isinstance(v, str) for v in (query, fq, sort_text)):
        raise SearchQueryInvalid("q, fq และ sort ต้องเป็นข้อความ", "q, fq and sort must be text.")
    query = query.strip()
    if query in ("*:*", "*"):
        query = ""
    field_terms = " ".join(m.group(0) for m in FQ_TERM.finditer(query))  # Solr's q="tags:x" as a filter
    query = FQ_TERM.sub(" ", query).strip()
    filters, nothing = parse_filters(f"{fq} {field_terms}".strip())
    keys = parse_sort(sort_text)
    index = index_for(session, od)
    if query:
        scores, matched = index.score(query)
    else:
        scores, matched = np.zeros(index.size), np.ones(index.size, dtype=bool)
    if nothing:
        matched = np.zeros(index.size, dtype=bool)
    for item in filters:
        mask = index.fields[item.field].mask(item.values, index.size)
        matched &= ~mask if item.negate else mask
    ordered = index.order(matched, scores, keys)
    facets: dict[str, dict[str, int]] = {}
    search_facets: dict[str, Any] = {}
    for field in wanted_facets:
        counts = index.fields[field].counts(matched)
        top = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        top = top if facet_limit < 0 else top[:facet_limit]
        facets[field] = dict(top)
        names = index.display.get(field, {})
        search_facets[field] = {"title": field, "items": [
            {"name": value, "display_name": names.get(value, value), "count": count} for value, count in top]}
    return {"count": int(len(ordered)), "sort": sort_text,
            "results": [index.packages[int(i)] for i in ordered[start:start + rows]],
            "facets": facets, "search_facets": search_facets}
