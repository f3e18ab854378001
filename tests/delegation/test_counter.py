"""At the counter, on both engines: an officer serving a father who cannot use the portal registers his
delegation to his daughter with the scanned power of attorney (required, checked by its bytes, kept
under var/delegation-forms); the officer and the father may open the scan again, nobody else."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.config import Settings
from pracha.identity.models import CounterSession, Delegation
from pracha.services import uploads
from tests.delegation.conftest import Browser, Family, fresh
from tests.services.helpers import PDF, PNG

FORM = {"relationship": "child", "services": "*"}


def test_officer_registers_a_delegation_with_a_power_of_attorney(
        db: Session, settings: Settings, family: Family, browser: Callable[..., Browser],
        counter: tuple[Browser, CounterSession]) -> None:
    officer, served = counter
    page = officer.get("/counter/delegations/new")
    assert page.status_code == 200 and "บุญมี ใจดี" in page.text and 'name="power_of_attorney"' in page.text
    form = {**FORM, "national_id": family.daughter.national_id}

    missing = officer.form("/counter/delegations", form)
    assert missing.status_code == 422 and 'id="error-power_of_attorney"' in missing.text
    assert 'value="child" selected' in missing.text  # what was chosen is kept
    both = officer.form("/counter/delegations", {**form, "national_id": "1101700203451"})
    assert 'id="error-power_of_attorney"' in both.text and 'id="error-national_id"' in both.text
    wrong = officer.form("/counter/delegations", form, files={"power_of_attorney": ("poa.pdf", PNG, "application/pdf")})
    assert wrong.status_code == 422 and 'id="error-power_of_attorney"' in wrong.text
    fresh(db)
    assert db.scalar(select(Delegation.id)) is None

    made = officer.form("/counter/delegations", form, files={"power_of_attorney": ("poa.pdf", PDF, "application/pdf")})
    assert made.status_code == 303 and made.headers["location"] == "/me?delegated=1"
    fresh(db)
    row = db.scalar(select(Delegation))
    assert row is not None and (row.grantor_id, row.delegate_id, row.counter_session_id) == (
        family.father.id, family.daughter.id, served.id)
    assert row.power_of_attorney is not None
    stored = uploads.path_of(Path(settings.var_dir) / "delegation-forms", row.power_of_attorney)
    assert stored.read_bytes() == PDF
    assert not any(p.name.startswith(".incoming") for p in stored.parent.parent.rglob("*"))

    scan = officer.get(f"/delegations/{row.id}/power-of-attorney")
    assert scan.status_code == 200 and scan.content == PDF and scan.headers["content-type"] == "application/pdf"
    father, daughter = browser(family.father), browser(family.daughter)
    assert father.get(f"/delegations/{row.id}/power-of-attorney").content == PDF
    refused = daughter.get(f"/delegations/{row.id}/power-of-attorney")
    assert refused.status_code == 404 and "ไม่พบการมอบอำนาจนี้" in refused.text

    listed = father.get("/api/v1/delegations").json()["granted"]
    assert [(d["made_at_counter"], d["status"]) for d in listed] == [(True, "active")]
    assert f"/delegations/{row.id}/power-of-attorney" in father.get("/me/delegations").text
    tracked = [r for r in daughter.get("/api/v1/me/data-tracker").json()["items"] if r["source"] == "delegation"]
    assert [r["user"] for r in tracked] == ["วิไล บริการดี"]  # the officer who registered it
    assert daughter.act_for(family.father.id).status_code == 200  # she acts for him online now


def test_the_counter_form_needs_an_open_counter_session(db: Session, family: Family,
                                                        browser: Callable[..., Browser],
                                                        counter: tuple[Browser, CounterSession]) -> None:
    officer, served = counter
    fresh(db)
    closed = db.get(CounterSession, served.id)
    assert closed is not None
    closed.closed_at = closed.consented_at
    db.commit()
    assert officer.get("/counter/delegations/new").status_code == 403
    assert browser(family.father).get("/counter/delegations/new").status_code == 403
