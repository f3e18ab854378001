"""Finding 1 (OIDC part): clients with public subjects got `sub = u{user.id}`, the internal user
number. Now every user has a random, stored public subject; migration 0011 gives existing users one."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from pracha.identity.oidc.clients import public_subject, subject
from pracha.identity.oidc.models import PAIRWISE, PUBLIC_SUB, OidcClient
from pracha.migrate import alembic_config
from tests.factories import create_citizen


def test_finding_1_public_subject_is_random_stable_and_not_the_user_number(db: Session) -> None:
    one, two = create_citizen(db), create_citizen(db)
    public = OidcClient(subject_type=PUBLIC_SUB, sector="a.example.go.th")
    pairwise = OidcClient(subject_type=PAIRWISE, sector="a.example.go.th")
    first = subject(public, one, b"secret")
    db.commit()
    assert first == subject(public, one, b"secret") == public_subject(db, one)  # stable
    assert first not in (f"u{one.id}", str(one.id)) and len(first) == 32
    assert subject(public, two, b"secret") != first
    assert subject(pairwise, one, b"secret") not in (first, f"u{one.id}")  # pairwise stays pairwise


def test_finding_1_migration_gives_existing_users_a_random_subject(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    config = alembic_config(url)
    command.upgrade(config, "0006")
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            for name in ("สมชาย", "สมหญิง"):
                connection.execute(text(
                    "INSERT INTO users (role, first_name, last_name, language, password_hash, created_at) "
                    "VALUES ('citizen', :n, 'ใจดี', 'th', 'x', '2026-01-01 00:00:00')"), {"n": name})
        command.upgrade(config, "0011")
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT user_id, subject FROM oidc_public_subjects ORDER BY user_id")).all()
    finally:
        engine.dispose()
    assert [r[0] for r in rows] == [1, 2]
    assert len({r[1] for r in rows}) == 2 and all(len(r[1]) == 32 and r[1] != f"u{r[0]}" for r in rows)
