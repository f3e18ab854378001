"""Typed extension points, registered per app at the composition root (`pracha.web.app`).

A package that lets others extend it declares a `Hook` (functions called in turn) or a `Slot` (one
value, such as the service catalogue) next to the code that uses it; the composition root puts the
functions and values in the app's `Registry`. Nothing lives in module-level mutable lists, so two apps
in one process (tests, benchmarks) never see each other's hooks. Pure: imports nothing of ours.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")


class Hook(Generic[F]):
    """A named list of functions of one signature (`F`), called by the package that declares it."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"Hook({self.name!r})"


class Slot(Generic[T]):
    """A named place for one value of type `T`, provided once per app."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"Slot({self.name!r})"


class MissingPart(LookupError):
    """A slot was read before the composition root filled it: a wiring bug, not a user error."""


class Registry:
    def __init__(self) -> None:
        self._hooks: dict[Hook[Any], list[Any]] = {}
        self._slots: dict[Slot[Any], Any] = {}

    def add(self, hook: Hook[F], function: F) -> None:
        functions = self._hooks.setdefault(hook, [])
        if function not in functions:
            functions.append(function)

    def each(self, hook: Hook[F]) -> tuple[F, ...]:
        return tuple(self._hooks.get(hook, ()))

    def provide(self, slot: Slot[T], value: T) -> None:
        self._slots[slot] = value

    def get(self, slot: Slot[T]) -> T:
        try:
            return self._slots[slot]
        except KeyError:
            raise MissingPart(f"{slot!r} was not provided by the composition root") from None

    def find(self, slot: Slot[T]) -> T | None:
        return self._slots.get(slot)


EMPTY = Registry()
