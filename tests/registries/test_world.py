"""The registries' demo world: the portal's demo people, with households, allowances, land and taxes that
tell the stories the demo needs (SOMCHAI eligible, others already paid, pensioners, outsiders)."""

from __future__ import annotations

import collections

from pracha.demo import SOMCHAI, SOMYING
from pracha.registries.world import CITY, LOCAL_AUTHORITY, build_world
from pracha.services.catalog import Catalog
from tests.registries.helpers import SOMCHAI_ID, SOMYING_ID, people_of, today, world


def test_the_people_are_the_portal_demo_people(catalog: Catalog) -> None:
    people = people_of(catalog)()
    everyone = world().people
    assert [(p.national_id, p.first_name_th, p.last_name_th, p.birth_date) for p in everyone] == \
        [(p.national_id, p.first_name, p.last_name, p.birth_date) for p in people]
    assert (SOMCHAI_ID, SOMYING_ID) == (SOMCHAI[2], SOMYING[2])
    assert (everyone[0].first_name_en, everyone[0].last_name_en, everyone[0].sex) == ("Somchai", "Chaidi", "male")
    assert everyone[1].sex == "female" and everyone[1].title_th in ("นาง", "นางสาว")


def test_the_world_is_deterministic(catalog: Catalog) -> None:
    again = build_world(people_of(catalog)(), today=today())
    assert again.households == world().households
    assert again.allowances == world().allowances and again.taxpayers == world().taxpayers


def test_households_are_whole() -> None:
    w = world()
    members = [m.national_id for h in w.households for m in h.members]
    assert sorted(members) == sorted(p.national_id for p in w.people)
    assert len({h.address.house_id for h in w.households}) == len(w.households)
    for household in w.households:
        assert [m.relation for m in household.members].count("เจ้าบ้าน") == 1
        assert all(m.house_id == household.address.house_id for m in household.members)
        assert len(household.address.house_id) == 11


def test_somchai_is_eligible_for_the_elderly_allowance() -> None:
    w = world()
    somchai = w.people[0]
    home = w.address_of(somchai)
    assert w.age(somchai) >= 60 and somchai.alive
    assert (home.tambon, home.local_authority) == ("ศรีภูมิ", CITY)
    assert not [a for a in w.allowances if a.national_id == SOMCHAI_ID]
    assert SOMCHAI_ID not in w.state_pension | w.in_state_care
    assert [p.deed_no for p in w.parcels if p.owner == SOMCHAI_ID] == ["12345", "884"]


def test_somying_runs_a_business_and_pays_tax() -> None:
    w = world()
    assert [b.name_th for b in w.businesses if b.owner == SOMYING_ID] == ["ร้านกาแฟสมหญิง"]
    taxpayer = next(t for t in w.taxpayers if t.national_id == SOMYING_ID)
    assert taxpayer.registered and len(taxpayer.filed_years) == 5 and taxpayer.outstanding_baht == 0


def test_the_other_elderly_tell_every_story() -> None:
    w = world()
    elderly = {p.national_id for p in w.people if w.age(p) >= 60 and p.alive}
    paying = {a.national_id for a in w.allowances if a.kind == "elderly" and a.status == "paying"}
    assert paying <= elderly and len(paying) > 30
    assert w.state_pension <= elderly and len(w.state_pension) > 5 and not w.state_pension & paying
    assert w.in_state_care and not w.in_state_care & paying
    assert elderly - paying - w.state_pension - w.in_state_care - {SOMCHAI_ID}  # more eligible, not yet paid
    authorities = collections.Counter(h.address.local_authority for h in w.households)
    assert authorities[CITY] > len(w.households) // 2
    assert set(authorities) - set(LOCAL_AUTHORITY.values())  # some live outside Chiang Mai's authorities
    for allowance in w.allowances:
        if allowance.kind == "elderly":
            person = next(p for p in w.people if p.national_id == allowance.national_id)
            assert allowance.paying_authority == w.address_of(person).local_authority
            assert allowance.monthly_baht in (600, 700, 800, 1000)
    assert {a.kind for a in w.allowances} == {"elderly", "disability", "child-support"}


def test_addresses_read_as_thai_addresses() -> None:
    w = world()
    assert w.address_of(w.people[0]).text == "12 ถนนราชวิถี ต.ศรีภูมิ อ.เมืองเชียงใหม่ จ.เชียงใหม่ 50200"
    bangkok = next(h.address for h in w.households if h.address.province == "กรุงเทพมหานคร")
    assert "แขวงลาดยาว เขตจตุจักร กรุงเทพมหานคร 10900" in bangkok.text
