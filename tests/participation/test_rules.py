from __future__ import annotations

from pracha.participation.rules import load_rules
from pracha.participation.tally import commitment
from pracha.services.catalog import Catalog, default_catalog_dir


def test_complaints_route_by_category_and_sub_district(catalog: Catalog) -> None:
    rules = load_rules(default_catalog_dir())
    assert rules.route("road", "ศรีภูมิ") == "cm-city-engineering"
    assert rules.route("road", "แม่เหียะ") == "maehia-municipality"
    assert rules.route("waste", "หายยา") == "cm-city-environment"
    assert rules.route("corruption", "แม่เหียะ") == "cm-damrongdhama"
    assert rules.categories["corruption"].confidential and not rules.categories["road"].confidential
    assert {rule.agency for rule in rules.routes} <= set(catalog.agencies)
    assert len(rules.tambons) == 16 and "ศรีภูมิ" in rules.tambons
    assert rules.first_response_days == 15 and rules.hearing_minimum_days == 15


def test_petition_thresholds_per_agency() -> None:
    rules = load_rules(default_catalog_dir())
    assert rules.threshold("maehia-municipality").supports == 500
    assert rules.threshold("cm-elderly-welfare").supports == 1000
    assert rules.petition_days == (30, 90, 180)


def test_commitments_differ_across_petitions_and_people() -> None:
    secret = b"s" * 32
    one = commitment(secret, "petition", 1, "1101700203451")
    assert one == commitment(secret, "petition", 1, "1101700203451")
    assert one.startswith("hmac-sha256:") and len(one) == 12 + 64
    assert len({one, commitment(secret, "petition", 2, "1101700203451"),
                commitment(secret, "petition", 1, "1103700456121"), commitment(secret, "hearing", 1, "1101700203451"),
                commitment(b"t" * 32, "petition", 1, "1101700203451")}) == 5
