"""The feeds (DCAT Turtle and JSON-LD, Project Open Data) built once per catalogue version and site
address in each process: a request reads the catalogue's version (one indexed read) and serves the
bytes already built while it has not moved. One cache per app, in its registry (FEEDS)."""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from pracha.hooks import Slot
from pracha.opendata import catalogue, dcat, pod
from pracha.opendata.catalogue import OpenData

MAX_SITES = 4  # addresses the app answers on (TrustedHostMiddleware keeps them few)


@dataclass(frozen=True)
class Built:
    version: int
    turtle: bytes
    jsonld: bytes
    data_json: bytes
    datasets: int

    def etag(self, feed: str) -> str:
        body = {"ttl": self.turtle, "jsonld": self.jsonld, "json": self.data_json}[feed]
        return f'"{feed}-{self.version}-{hashlib.sha256(body).hexdigest()[:16]}"'


def build_feeds(session: Session, od: OpenData, version: int) -> Built:
    packages = [catalogue.package_dict(d, od) for d in catalogue.public_datasets(session)]
    graph = dcat.catalog_graph(packages, od)
    return Built(version, graph.serialize(format="turtle").encode(), dcat.to_jsonld(graph).encode(),
                 json.dumps(pod.catalog(packages, od), ensure_ascii=False).encode(), len(packages))


@dataclass
class FeedCache:
    built: dict[str, Built] = field(default_factory=dict)
    builds: int = 0  # how many times the feeds were built (tests check the cache holds)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def feeds(self, session: Session, od: OpenData) -> Built:
        version = catalogue.catalogue_version(session)
        found = self.built.get(od.site_url)
        if found is not None and found.version == version:
            return found
        with self.lock:  # one build at a time: concurrent requests after a change wait for it
            found = self.built.get(od.site_url)
            if found is None or found.version != version:
                found = build_feeds(session, od, version)
                self.builds += 1
                if od.site_url not in self.built and len(self.built) >= MAX_SITES:
                    self.built.pop(next(iter(self.built)))
                self.built[od.site_url] = found
            return found


FEEDS: Slot[FeedCache] = Slot("opendata.feeds")
