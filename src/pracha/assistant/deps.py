"""What the assistant's routes (web and LINE) take from the app: the assistant over this app's
catalogue and the per-client rate limiter."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from starlette.requests import HTTPConnection

from pracha.assistant import service
from pracha.assistant.dialogue import Assistant, load_assistant
from pracha.hooks import Slot
from pracha.http.state import part
from pracha.services.catalog import Catalog


@dataclass(frozen=True)
class AssistantPart:
    catalog: Catalog
    catalog_dir: Path
    limiter: service.RateLimiter

    def assistant(self) -> Assistant:
        """Built once per catalogue (cached); the server warms it at start."""
        return load_assistant(self.catalog, self.catalog_dir)


ASSISTANT: Slot[AssistantPart] = Slot("assistant")


def assistant_of(connection: HTTPConnection) -> AssistantPart:
    return part(connection, ASSISTANT)
