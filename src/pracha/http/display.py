"""Display settings every page honours without JavaScript: text size, high contrast, reduced motion.

They live in one cookie (`pracha_display`, e.g. `text:150|contrast:high|motion:reduce`, characters a cookie carries
unquoted) that the
settings form (pracha.web.display) writes; `base.html` turns them into attributes on `<html>` and
pracha.css does the rest. Anything unreadable in the cookie falls back to the default, never an error."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

DISPLAY_COOKIE = "pracha_display"
TEXT_SIZES = (100, 125, 150, 175, 200)


@dataclass(frozen=True, slots=True)
class Display:
    text: int = 100
    high_contrast: bool = False
    reduce_motion: bool = False

    def attributes(self) -> dict[str, str]:
        """What `<html>` carries (only what differs from the default, so default pages stay as they were)."""
        attrs: dict[str, str] = {}
        if self.text != 100:
            attrs["data-text"] = str(self.text)
        if self.high_contrast:
            attrs["data-contrast"] = "high"
        if self.reduce_motion:
            attrs["data-motion"] = "reduce"
        return attrs

    def cookie_value(self) -> str:
        return f"text:{self.text}|contrast:{'high' if self.high_contrast else 'normal'}|" \
               f"motion:{'reduce' if self.reduce_motion else 'normal'}"


def parse_display(value: str | None) -> Display:
    """The settings in a cookie value; unknown or malformed parts are ignored."""
    parts: dict[str, str] = {}
    for item in (value or "").strip('"').split("|"):
        key, _, setting = item.partition(":")
        parts[key.strip()] = setting.strip()
    return make_display(parts.get("text"), parts.get("contrast"), parts.get("motion"))


def make_display(text: str | None, contrast: str | None, motion: str | None) -> Display:
    """Settings from form or cookie values: a text size of TEXT_SIZES, contrast 'high', motion 'reduce'."""
    size = int(text) if text and text.isdigit() and int(text) in TEXT_SIZES else 100
    return Display(size, contrast == "high", motion == "reduce")


def same_site_path(target: str | None, fallback: str = "/") -> str:
    """`target` if it is a path on this site ("/services?lang=en"), else `fallback`: no open redirect
    (absolute URLs, scheme-relative `//host`, backslashes that browsers read as slashes, control characters)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return fallback
    if any(ord(c) < 0x20 or c == "\\" or ord(c) == 0x7F for c in target):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return fallback
    return target
