"""Settings hold their secrets as SecretStr (never printed in a repr, a log or a traceback), and code
that needs a default without a Settings object reads the one declared in Settings."""

from __future__ import annotations

import re

from pydantic import SecretStr

from pracha.config import Settings, default_of
from pracha.identity.oidc.tokens import Lifetimes
from pracha.identity.service import ThrottlePolicy

SECRET_NAME = re.compile(r"(secret|secret_key|password|api_key|_token)$")


def test_every_secret_is_a_secret_str() -> None:
    secrets = [name for name in Settings.model_fields if SECRET_NAME.search(name)]
    assert len(secrets) >= 6
    for name in secrets:
        assert Settings.model_fields[name].annotation is SecretStr, f"{name} should be a SecretStr"


def test_secrets_do_not_show_in_a_repr() -> None:
    values = {name: f"hush-{name}" for name in Settings.model_fields if SECRET_NAME.search(name)}
    settings = Settings(**values)  # type: ignore[arg-type]
    shown = repr(settings) + str(settings.model_dump())
    assert not [v for v in values.values() if v in shown]
    assert settings.smtp_password.get_secret_value() == "hush-smtp_password"


def test_code_defaults_come_from_the_settings() -> None:
    fresh = Settings()
    assert Lifetimes() == Lifetimes(fresh.oidc_access_token_seconds, fresh.oidc_id_token_seconds,
                                    fresh.oidc_refresh_token_days, fresh.oidc_code_seconds)
    assert ThrottlePolicy() == ThrottlePolicy(fresh.signin_slowdown_after, fresh.signin_lock_after,
                                              fresh.signin_lock_minutes, fresh.signin_slowdown_seconds,
                                              fresh.signin_client_identifiers)
    assert default_of("max_upload_bytes") == fresh.max_upload_bytes
