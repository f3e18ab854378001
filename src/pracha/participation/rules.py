"""The rules participation follows, read from the catalogue folder: complaint categories, their
deadlines and routing (catalog/participation/complaints.yaml), hearings' and petitions' periods and
petitions' response thresholds per agency (catalog/participation/participation.yaml)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from pracha.i18n import Text

__all__ = ["Category", "Rules", "Threshold", "load_rules"]


@dataclass(frozen=True)
class Category:
    code: str
    name: Text
    resolve_days: int
    confidential: bool = False  # corruption or misconduct: never public, inspectors only


@dataclass(frozen=True)
class Threshold:
    supports: int  # this many live supports oblige a written response…
    response_days: int  # …within this many days


@dataclass(frozen=True)
class Route:
    categories: frozenset[str] | None  # None: any
    tambons: frozenset[str] | None
    agency: str


@dataclass(frozen=True)
class Rules:
    categories: dict[str, Category]
    routes: tuple[Route, ...]
    tambons: tuple[str, ...]
    first_response_days: int
    reopen_within_days: int
    complaint_remind_before_days: int
    private_place_decimals: int
    hearing_minimum_days: int
    hearing_kinds: dict[str, Text]
    petition_days: tuple[int, int, int]  # min, default, max
    petition_default: Threshold
    petition_agencies: dict[str, Threshold]
    petition_remind_before_days: int

    def route(self, category: str, tambon: str) -> str:
        """The agency responsible for a complaint of `category` in `tambon` (first matching rule)."""
        for rule in self.routes:
            if (rule.categories is None or category in rule.categories) and (
                    rule.tambons is None or tambon in rule.tambons):
                return rule.agency
        raise LookupError(f"no route for {category} in {tambon}")  # the last rule matches all: a broken catalogue

    def threshold(self, agency: str) -> Threshold:
        return self.petition_agencies.get(agency, self.petition_default)


def _any(value: Any) -> frozenset[str] | None:
    return None if value == "*" else frozenset(value)


def _threshold(data: dict[str, Any]) -> Threshold:
    return Threshold(int(data["threshold"]), int(data["response_days"]))


@lru_cache(maxsize=4)
def load_rules(catalog_dir: Path) -> Rules:
    """Read and check the two files (a broken rule fails at start-up, not on a citizen's report)."""
    folder = catalog_dir / "participation"
    complaints = yaml.safe_load((folder / "complaints.yaml").read_text(encoding="utf-8"))
    other = yaml.safe_load((folder / "participation.yaml").read_text(encoding="utf-8"))
    categories = {c["code"]: Category(c["code"], dict(c["name"]), int(c["resolve_days"]),
                                      bool(c.get("confidential", False))) for c in complaints["categories"]}
    routes = tuple(Route(_any(r["categories"]), _any(r["tambons"]), r["agency"]) for r in complaints["routes"])
    for route in routes:
        unknown = (route.categories or frozenset()) - categories.keys()
        if unknown:
            raise ValueError(f"complaints.yaml: unknown categories {sorted(unknown)}")
    if routes[-1].categories is not None or routes[-1].tambons is not None:
        raise ValueError("complaints.yaml: the last route must match every category and sub-district")
    petitions = other["petitions"]
    return Rules(
        categories=categories, routes=routes, tambons=tuple(complaints["tambons"]),
        first_response_days=int(complaints["first_response_days"]),
        reopen_within_days=int(complaints["reopen_within_days"]),
        complaint_remind_before_days=int(complaints["remind_before_days"]),
        private_place_decimals=int(complaints["private_place_decimals"]),
        hearing_minimum_days=int(other["hearings"]["minimum_days"]),
        hearing_kinds={k: dict(v) for k, v in other["hearings"]["kinds"].items()},
        petition_days=(int(petitions["min_days_open"]), int(petitions["default_days_open"]),
                       int(petitions["max_days_open"])),
        petition_default=_threshold(petitions["default"]),
        petition_agencies={code: _threshold(t) for code, t in petitions["agencies"].items()},
        petition_remind_before_days=int(petitions["remind_before_days"]),
    )
