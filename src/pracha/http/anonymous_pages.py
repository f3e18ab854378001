"""A page cache for visitors nobody signed in: a page that is the same for all of them (the catalogue,
which changes only with a restart) is rendered once per process for each request that shapes it, with
a stand-in where the visitor's CSRF token goes, and served from memory with each visitor's own token put
in (`pracha.http.rendering.render_public`). Signed-in visitors' pages are never kept here."""

from __future__ import annotations

import secrets
from collections import OrderedDict
from collections.abc import Hashable

PAGES = 256  # query strings are free text: a crawler must not grow the cache without bound


class AnonymousPages:
    """The most recently used pages, at most `size`; used from the event loop only (no lock)."""

    def __init__(self, size: int = PAGES) -> None:
        self.size = size
        # Random per process: no request can put it in a page, so only the token's places hold it.
        self.placeholder = f"csrf-{secrets.token_hex(16)}"
        self._pages: OrderedDict[Hashable, str] = OrderedDict()

    def __len__(self) -> int:
        return len(self._pages)

    def get(self, key: Hashable) -> str | None:
        page = self._pages.get(key)
        if page is not None:
            self._pages.move_to_end(key)
        return page

    def put(self, key: Hashable, page: str) -> None:
        self._pages[key] = page
        self._pages.move_to_end(key)
        while len(self._pages) > self.size:
            self._pages.popitem(last=False)
