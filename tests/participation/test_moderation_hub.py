"""The participation hub: public, counts what is open now, linked from every page's menu."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import create_citizen
from tests.participation import moderation_world as world


def test_hub_counts_open_hearings_and_petitions(db: Session, client: TestClient) -> None:
    empty = client.get("/participation")
    assert empty.status_code == 200 and "ขณะนี้ไม่มีการรับฟังความคิดเห็นที่เปิดอยู่" in empty.text
    assert 'href="/participation"' in client.get("/services").text  # in the main menu
    citizen = create_citizen(db)
    world.hearing_with_response(db, citizen, "เห็นด้วย")
    world.petition(db, citizen)
    hidden = world.petition(db, citizen, title="ซ่อนแล้ว")
    hidden.hidden_at, hidden.hidden_reason = hidden.opens_at, "สแปม"
    db.commit()
    page = client.get("/participation")
    assert "เปิดอยู่ขณะนี้: 1 เรื่อง" in page.text and "เปิดให้ร่วมสนับสนุนขณะนี้: 1 เรื่อง" in page.text
    english = client.get("/participation?lang=en")
    assert "Open now: 1" in english.text and 'href="/complaints/new"' in english.text


def test_demo_gives_the_moderator_a_queue(db: Session) -> None:
    import datetime as dt

    from pracha.paging import PageRequest
    from pracha.participation.demo_moderation import seed_moderation
    from pracha.participation.moderation import open_queue

    people = [create_citizen(db) for _ in range(5)]
    world.complaint(db, people[0], category="corruption", title="ลับ: ไม่ใช่งานของผู้ดูแล")
    public = world.complaint(db, people[0])
    petition = world.petition(db, people[1])
    seed_moderation(db, people, dt.datetime.now(dt.UTC))
    db.commit()
    queue = open_queue(db, PageRequest()).items
    assert [(i.kind, i.target_id) for i in queue] == [("complaint", public.id), ("petition", petition.id)]
