from __future__ import annotations

from tests.notices.line_world import line_world

__all__ = ["line_world"]
