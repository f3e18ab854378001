"""Linking a LINE account by a code sent to the LINE bot, on SQLite and PostgreSQL: a good code links
(and replies so), wrong, used and expired codes get one polite answer and link nothing, relinking
moves the LINE account, and both the page's button and "ยกเลิกการเชื่อม" typed in LINE unlink."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from pracha.db import begin_write
from pracha.notices.models import LineLink, LineLinkCode
from tests.factories import create_citizen, sign_in
from tests.notices.line_world import LineWorld, get_code, line_user

LINKED = "เชื่อมบัญชี LINE กับประชาเรียบร้อยแล้ว"
UNKNOWN = "รหัสนี้ใช้ไม่ได้"


def citizen_client(world: LineWorld, db: Session) -> tuple[TestClient, str, int]:
    client = TestClient(world.app, base_url="http://testserver", follow_redirects=False)
    citizen = create_citizen(db)
    return client, sign_in(db, client, citizen), citizen.id


def linked_users(db: Session) -> dict[int, str]:
    db.commit()  # a fresh snapshot: the webhook committed in its own session
    found = {link.user_id: link.line_user for link in db.scalars(select(LineLink))}
    db.commit()  # and no read transaction left open for a later write to upgrade
    return found


def test_a_code_sent_in_line_links_that_line_account(line_world: LineWorld) -> None:
    with line_world.app.state.pracha.db.sessions() as db:
        client, csrf, user_id = citizen_client(line_world, db)
        code = get_code(client, csrf)
        stored = db.scalars(select(LineLinkCode).where(LineLinkCode.user_id == user_id)).one()
        assert code[3:] not in stored.code_hash and len(stored.code_hash) == 64  # only a keyed hash is kept
        reply = line_world.say(client, code.lower().replace("-", " "), line_user(1))  # as people type it
        assert LINKED in reply and "https://" not in reply.split("\n")[0]
        assert linked_users(db) == {user_id: line_user(1)}
        shown = client.get("/api/v1/me/notice-preferences").json()
        assert shown["line_linked"] is True
        assert {(p["channel"], p["available"]) for p in shown["preferences"] if p["kind"] == "status"} == {
            ("line", True), ("email", True), ("sms", False), ("inapp", True)}
        page = client.get("/me/notifications")
        assert page.status_code == 200 and 'action="/me/notifications/line-unlink"' in page.text


def test_wrong_used_and_expired_codes_get_a_polite_answer_and_link_nothing(line_world: LineWorld) -> None:
    with line_world.app.state.pracha.db.sessions() as db:
        client, csrf, user_id = citizen_client(line_world, db)
        code = get_code(client, csrf)
        wrong = f"PR-{(int(code[3:]) + 1) % 1_000_000:06d}"
        assert UNKNOWN in line_world.say(client, wrong, line_user(2))
        assert linked_users(db) == {}
        assert LINKED in line_world.say(client, code, line_user(2))
        assert UNKNOWN in line_world.say(client, code, line_user(3))  # used once already
        assert linked_users(db) == {user_id: line_user(2)}
        expired = get_code(client, csrf)
        begin_write(db)
        db.execute(update(LineLinkCode).where(LineLinkCode.used_at.is_(None))
                   .values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)))
        db.commit()
        assert UNKNOWN in line_world.say(client, expired, line_user(3))
        assert linked_users(db) == {user_id: line_user(2)}
        # a new code replaces the citizen's earlier unused one
        first, second = get_code(client, csrf), get_code(client, csrf)
        assert UNKNOWN in line_world.say(client, first, line_user(3))
        assert LINKED in line_world.say(client, second, line_user(3))
        assert linked_users(db) == {user_id: line_user(3)}  # a citizen has one LINE account


def test_relinking_a_line_account_moves_it_to_the_new_citizen(line_world: LineWorld) -> None:
    with line_world.app.state.pracha.db.sessions() as db:
        first, first_csrf, first_id = citizen_client(line_world, db)
        second, second_csrf, second_id = citizen_client(line_world, db)
        line_world.say(first, get_code(first, first_csrf), line_user(4))
        line_world.say(second, get_code(second, second_csrf), line_user(4))
        assert linked_users(db) == {second_id: line_user(4)}
        assert first.get("/api/v1/me/notice-preferences").json()["line_linked"] is False
        assert first_id != second_id


def test_finding_line_ids_that_share_their_digits_are_two_accounts(line_world: LineWorld) -> None:
    """The blind index kept only the digits of a LINE id (the national ID's normalisation), so two LINE
    accounts whose ids differ only in letters collided: linking the second unlinked the first."""
    one, other = "U" + "a1" * 16, "U" + "b1" * 16
    with line_world.app.state.pracha.db.sessions() as db:
        first, first_csrf, first_id = citizen_client(line_world, db)
        second, second_csrf, second_id = citizen_client(line_world, db)
        assert LINKED in line_world.say(first, get_code(first, first_csrf), one)
        assert LINKED in line_world.say(second, get_code(second, second_csrf), other)
        assert linked_users(db) == {first_id: one, second_id: other}
        assert db.scalar(select(LineLink.user_id).where(LineLink.line_user_index == other)) == second_id


def test_unlink_by_the_button_and_by_typing_in_line(line_world: LineWorld) -> None:
    with line_world.app.state.pracha.db.sessions() as db:
        client, csrf, user_id = citizen_client(line_world, db)
        line_world.say(client, get_code(client, csrf), line_user(5))
        response = client.post("/me/notifications/line-unlink", data={"csrf_token": csrf})
        assert response.status_code == 303 and response.headers["location"] == "/me/notifications?unlinked=1"
        assert linked_users(db) == {}
        line_world.say(client, get_code(client, csrf), line_user(5))
        assert "ยกเลิกการเชื่อม" in line_world.say(client, "ยกเลิกการเชื่อม", line_user(5))
        assert linked_users(db) == {}
        assert "ยังไม่ได้เชื่อม" in line_world.say(client, "ยกเลิกการเชื่อม", line_user(5))
        line_world.say(client, get_code(client, csrf), line_user(5))
        assert client.delete("/api/v1/me/line-link", headers={"X-CSRF-Token": csrf}).status_code == 204
        assert linked_users(db) == {} and user_id > 0


def test_a_code_is_taken_even_in_the_middle_of_a_line_report(line_world: LineWorld) -> None:
    """The link handler runs before participation's: "PR-…" never becomes an answer of a report."""
    with line_world.app.state.pracha.db.sessions() as db:
        client, csrf, user_id = citizen_client(line_world, db)
        line_world.say(client, "แจ้งปัญหา", line_user(6))
        assert LINKED in line_world.say(client, get_code(client, csrf), line_user(6))
        assert linked_users(db) == {user_id: line_user(6)}
