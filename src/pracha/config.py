"""Settings, declared once with a help line each; read from PRACHA_* environment variables or `.env`."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[2]
LOCAL_HOSTS = ("localhost", "127.0.0.1", "testserver")  # names only this machine (or a test) uses


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PRACHA_", env_file=".env", extra="ignore")

    database_url: str = Field(
        "sqlite:///var/pracha.db",
        description="SQLAlchemy URL of the database: SQLite file (default) or postgresql+psycopg://…",
    )
    var_dir: Path = Field(Path("var"), description="Directory for the database, uploads and keys.")
    catalog_dir: Path = Field(REPO_ROOT / "catalog", description="Directory of the service definitions.")
    secret_key: SecretStr = Field(
        SecretStr(""),
        description="Secret for signing; when empty one is generated once and kept in var/secret.key.",
    )
    data_key_file: Path | None = Field(
        None, description="Key file of the keys that encrypt personal data at rest (mode 0600, made on first use; "
        "empty: var_dir/data.key). Back it up apart from the database: without it the data cannot be read.",
    )
    default_language: str = Field("th", description="Language of pages for visitors who chose none.")
    max_upload_bytes: int = Field(
        15 * 1024 * 1024, description="Largest file a citizen may send (a phone photo); photos are stored "
        "re-encoded at most 2000 pixels on the long side, PDFs as sent. Bodies above it are cut short and refused.",
    )
    quota_open_drafts: int = Field(20, description="Drafts a citizen may have open at once (0: no limit).")
    quota_active_consents: int = Field(
        50, description="Active (not withdrawn, not expired) consents a citizen may hold at once (0: no limit)."
    )
    quota_documents_per_application: int = Field(
        20, description="Documents one application may carry (0: no limit)."
    )
    quota_upload_bytes_per_citizen: int = Field(
        200 * 1024 * 1024, description="Total size of the documents across a citizen's applications (0: no limit)."
    )
    session_hours: int = Field(8, description="How long a sign-in lasts without activity.")
    signin_slowdown_after: int = Field(3, description="Failed sign-ins before each retry must wait.")
    signin_slowdown_seconds: float = Field(
        1.0, description="The first such wait, in seconds; it doubles with each further failure."
    )
    signin_lock_after: int = Field(
        10, description="Failed sign-ins of one client for one ID or username before that client is locked out of it."
    )
    signin_lock_minutes: int = Field(
        15, description="How long such a lock lasts; failures older than this are forgotten."
    )
    signin_client_identifiers: int = Field(
        20, description="Different IDs or usernames one client may fail to sign in as within "
        "`signin_lock_minutes` before it may try no new one (429)."
    )
    staff_factor_minutes: int = Field(
        10, description="How long a staff member has, after the password, to give the second factor."
    )
    force_secure_cookies: bool = Field(
        False, description="Mark cookies Secure even when the request did not arrive over TLS."
    )

    ledger_origin: str = Field(
        "pracha.localhost/ledger",
        description="The ledger's name in its checkpoints and key (a host/path, unique to this deployment).",
    )
    ledger_sequence_seconds: float = Field(
        1.0, description="How often the server sequences new ledger entries and signs a checkpoint (0: never)."
    )
    ledger_witnesses: str = Field(
        "", description="Verifier keys of the witnesses allowed to cosign checkpoints, separated by commas."
    )

    exchange_timeout_seconds: float = Field(
        5.0, description="How long the mediator waits for a registry before answering 504."
    )
    exchange_rate_limit_per_minute: int = Field(
        600, description="Requests each client subsystem may send through the mediator per minute (0: no limit)."
    )
    exchange_signature_max_age: int = Field(
        300, description="Oldest a client's request signature may be, in seconds."
    )
    exchange_consent_days: int = Field(365, description="How long a citizen's consent lasts unless withdrawn.")
    exchange_notice_version: str = Field(
        "2569-1", description="Version of the privacy notice citizens see when they consent."
    )
    registry_base_port: int = Field(
        8101, description="Port of the first demo registry (civil); business, welfare, land, revenue follow."
    )
    registry_autostart: bool = Field(
        False, description="Let `pracha serve` start the five demo registries and the demo bank as child processes "
        "(demo only)."
    )
    bank_url: str = Field(
        "http://127.0.0.1:8201",
        description="Base URL of the bank that collects fees (the demo bank: `pracha bank serve`).",
    )
    payment_expiry_hours: float = Field(
        24.0, description="How long a Thai QR payment can be paid before it expires and must be issued again."
    )
    oidc_issuer: str = Field(
        "", description="OpenID Connect issuer URL (https://id.example.go.th); required when `allowed_hosts` names "
        "a host other than localhost; empty: the local URL the request came to."
    )
    allowed_hosts: str = Field(
        "", description="Host names the portal answers to, separated by commas (`*.example.go.th` allowed); "
        "localhost, 127.0.0.1, testserver and the issuer's host are always allowed; any other Host gets 400."
    )
    oidc_code_seconds: int = Field(60, description="How long an OIDC authorization code may be exchanged.")
    oidc_access_token_seconds: int = Field(600, description="Lifetime of OIDC access tokens.")
    oidc_id_token_seconds: int = Field(600, description="Lifetime of ID tokens (a retired key is published this long).")
    oidc_refresh_token_days: int = Field(30, description="Lifetime of a refresh-token family.")
    assistant_rate_limit: int = Field(
        20, description="Assistant messages one client (signed-in user or IP address) may send per minute."
    )
    assistant_log_days: int = Field(30, description="Days the assistant keeps conversation logs (IDs masked).")
    llm_url: str = Field(
        "", description="Base URL of an OpenAI-compatible endpoint for generative answers (empty: retrieval only)."
    )
    llm_model: str = Field("default", description="Model name sent to the LLM endpoint.")
    llm_api_key: SecretStr = Field(SecretStr(""), description="Bearer key for the LLM endpoint (empty: none sent).")
    llm_timeout_seconds: float = Field(8.0, description="Seconds to wait for the LLM before the retrieval answer.")
    line_channel_secret: SecretStr = Field(
        SecretStr(""), description="LINE channel secret; checks X-Line-Signature (empty: LINE off)."
    )
    line_channel_access_token: SecretStr = Field(
        SecretStr(""), description="LINE channel access token for the reply API."
    )
    line_api_url: str = Field("https://api.line.me", description="Base URL of the LINE Messaging API.")
    line_data_api_url: str = Field(
        "https://api-data.line.me", description="Base URL of the LINE Messaging API's content endpoint (photos sent)."
    )
    warm_up: bool = Field(
        True, description="Build the catalogue's and the assistant's search indexes while the server starts, so the "
        "first search and question are fast (off: on first use)."
    )
    automation_in_process: bool = Field(
        True, description="Run the automation task runner inside the web server (off when `pracha worker`s run)."
    )
    automation_poll_seconds: float = Field(1.0, description="How often a task runner looks for ready tasks.")
    automation_lease_seconds: float = Field(
        60.0, description="How long a claimed task (SQLite) or a silent worker's job (PostgreSQL) stays before "
        "another runner takes it over."
    )
    automation_max_attempts: int = Field(5, description="Attempts of a task before it is marked failed.")
    public_base_url: str = Field(
        "http://127.0.0.1:8000", description="The portal's public address, printed in certificates' QR codes."
    )
    smtp_host: str = Field("", description="SMTP server for email notices (empty: email is not sent).")
    smtp_port: int = Field(25, description="Port of the SMTP server.")
    smtp_from: str = Field("noreply@pracha.localhost", description="Sender address of email notices.")
    smtp_username: str = Field("", description="SMTP login name (empty: no login).")
    smtp_password: SecretStr = Field(SecretStr(""), description="SMTP password.")
    smtp_starttls: bool = Field(False, description="Use STARTTLS with the SMTP server.")
    sms_gateway_url: str = Field("", description="URL the SMS gateway takes messages at (empty: SMS is not sent).")
    sms_gateway_token: SecretStr = Field(SecretStr(""), description="Bearer token for the SMS gateway.")
    notice_max_attempts: int = Field(6, description="Attempts to send an email or SMS before it is marked failed.")
    sla_remind_days: int = Field(1, description="Remind officers of applications due within this many days.")
    log_format: Literal["text", "json"] = Field(
        "text", description="Log lines as readable text, or one JSON object per line (`json`), for `pracha serve`."
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", description="Lowest level of log lines written: DEBUG, INFO, WARNING or ERROR."
    )
    metrics_token: SecretStr = Field(
        SecretStr(""),
        description="Bearer token a Prometheus server sends to read /metrics (empty: platform admins only).",
    )
    readyz_timeout_seconds: float = Field(
        2.0, description="How long /readyz waits for the database and for each registry before answering 503."
    )

    @property
    def upload_dir(self) -> Path:
        return self.var_dir / "uploads"

    @property
    def trusted_hosts(self) -> list[str]:
        """The Host names the portal answers to (Starlette's TrustedHostMiddleware)."""
        named = [h.strip().lower() for h in self.allowed_hosts.split(",") if h.strip()]
        issuer_host = urlsplit(self.oidc_issuer.strip()).hostname
        return list(dict.fromkeys([*LOCAL_HOSTS, *named, *([issuer_host] if issuer_host else [])]))

    @model_validator(mode="after")
    def _issuer_beyond_localhost(self) -> Settings:
        """Served under a public name, the issuer (and every URL derived from it: passkeys' origin,
        logout, discovery) must be configured, never taken from the request's Host header."""
        if not self.oidc_issuer.strip() and any(h not in LOCAL_HOSTS for h in self.trusted_hosts):
            raise ValueError("PRACHA_OIDC_ISSUER must be set (e.g. https://id.example.go.th) when "
                             "PRACHA_ALLOWED_HOSTS names a host other than localhost")
        return self


def default_of(name: str) -> Any:
    """A setting's declared default, for code that needs one without a Settings object (dataclass
    defaults, keyword defaults), so that each default is written once, above."""
    return Settings.model_fields[name].default


@lru_cache
def get_settings() -> Settings:
    return Settings()
