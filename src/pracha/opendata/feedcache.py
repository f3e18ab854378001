"""The feeds (DCAT Turtle and JSON-LD, Project Open Data) built once per catalogue version and site
address in each process: a request reads the catalogue's version (one indexed read) and serves the
bytes already built while it has not moved. Each feed is built on its first request (data.json needs
no RDF graph; the graph, once made, serves both DCAT serialisations). One cache per app, in its
registry (FEEDS)."""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, field
from typing import Any

from rdflib import Graph
from sqlalchemy.orm import Session

from pracha.hooks import Slot
from pracha.opendata import catalogue, dcat, pod
from pracha.opendata.catalogue import OpenData

MAX_SITES = 4  # addresses the app answers on (TrustedHostMiddleware keeps them few)


@dataclass
class Built:
    """One catalogue version's feeds for one site address, each made when first asked for."""

    version: int
    packages: list[dict[str, Any]]
    bodies: dict[str, bytes] = field(default_factory=dict)
    graph: Graph | None = None

    def body(self, feed: str, od: OpenData) -> bytes:
        if feed not in self.bodies:
            if feed == "json":
                self.bodies[feed] = json.dumps(pod.catalog(self.packages, od), ensure_ascii=False).encode()
            else:
                if self.graph is None:
                    self.graph = dcat.catalog_graph(self.packages, od)
                self.bodies[feed] = (self.graph.serialize(format="turtle") if feed == "ttl"
                                     else dcat.to_jsonld(self.graph)).encode()
        return self.bodies[feed]

    def etag(self, feed: str) -> str:
        return f'"{feed}-{self.version}-{hashlib.sha256(self.bodies[feed]).hexdigest()[:16]}"'


@dataclass
class FeedCache:
    built: dict[str, Built] = field(default_factory=dict)
    builds: int = 0  # how many feed bodies were made (tests check the cache holds)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def feed(self, session: Session, od: OpenData, feed: str) -> tuple[bytes, str]:
        """The feed's bytes and ETag for the catalogue as it is now."""
        version = catalogue.catalogue_version(session)
        found = self.built.get(od.site_url)
        if found is not None and feed in found.bodies:
            if found.version == version:
                return found.bodies[feed], found.etag(feed)
            if not self.lock.acquire(blocking=False):
                # Another request is rebuilding (seconds for thousands of datasets): answer with the
                # previous version meanwhile, as a cache within its max-age would, instead of queueing.
                return found.bodies[feed], found.etag(feed)
            self.lock.release()
        with self.lock:  # one build at a time
            found = self.built.get(od.site_url)
            if found is None or found.version != version:
                packages = [catalogue.package_dict(d, od) for d in catalogue.public_datasets(session)]
                found = Built(version, packages)
                if od.site_url not in self.built and len(self.built) >= MAX_SITES:
                    self.built.pop(next(iter(self.built)))
                self.built[od.site_url] = found
            if feed not in found.bodies:
                self.builds += 1
            return found.body(feed, od), found.etag(feed)


FEEDS: Slot[FeedCache] = Slot("opendata.feeds")
