"""Single sign-on performance: token-endpoint authorization-code exchanges/s against a real
`pracha serve`, and ID-token verifications/s in a relying party, each beside a bare baseline
measured in the same run.

Run from the repository root (the script imports tests.pgserver):

    PYTHONPATH=. .venv/bin/python bench/sso.py [--codes 2000] [--engines sqlite,postgres] [--write]

- Exchanges: a fresh migrated database per engine with one citizen and one confidential client
  (client_secret_basic); the authorization codes (with their S256 PKCE challenges) are issued beforehand
  by `authorize.issue_code` (Authlib's code grant), as the authorize page does, so the timing is the
  token endpoint alone (Authlib's `AuthorizationServer` on our tables): client authentication, the code
  and PKCE checks, the code marked used, an access and a refresh token
  stored, and an ES256 ID token signed. Each is `POST /oidc/token` over keep-alive HTTP/1.1 (httpx),
  at concurrency 1 and 8. Bare: `GET /healthz` on the same server in the same run, at the same
  concurrency (the app's fixed cost per request: middleware, routing, a JSON body).
- Verifications: every ID token received is verified as a relying party does with Authlib's JOSE
  library (joserfc): `jwt.decode` with the provider's JWKS and claims validation (iss, aud, exp, nonce).
  Bare: the ECDSA P-256 signature check alone (`cryptography`) over the same signing inputs.

`--write` (re)writes the SSO section of docs/benchmarks.md (between <!-- sso:start --> and <!-- sso:end -->).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import os
import secrets
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

os.environ.setdefault("PYTHAINLP_OFFLINE", "1")

import httpx  # noqa: E402
from bench.common import code_version, load_average, machine, pracha_server, write_section  # noqa: E402
from bench.generator import Ceiling, measure_ceiling  # noqa: E402

REDIRECT = "https://rp.example.go.th/cb"
CONCURRENCY = (1, 8)


@dataclass
class Seeded:
    client_id: str
    secret: str
    codes: list[tuple[str, str]]  # (code, verifier)
    nonce: str


@dataclass
class EngineRun:
    engine: str
    version: str
    rates: dict[str, float] = field(default_factory=dict)


@contextmanager
def database(engine: str, tmp: Path) -> Iterator[tuple[str, str] | None]:
    from pracha.migrate import upgrade

    if engine == "sqlite":
        url = f"sqlite:///{tmp / 'pracha.db'}"
        upgrade(url)
        yield url, f"SQLite {sqlite3.sqlite_version} (WAL)"
        return
    from tests.pgserver import start_postgres

    server = start_postgres()
    if server is None:
        print("!! PostgreSQL is not installed here: skipping postgres", file=sys.stderr)
        yield None
        return
    try:
        url = server.create_database("pracha_sso_bench")
        upgrade(url)
        yield url, "PostgreSQL 15 (throwaway cluster, fsync off)"
    finally:
        server.stop()


def seed(url: str, n: int) -> Seeded:
    import datetime as dt

    from pracha.db import make_engine, make_sessionmaker
    from pracha.identity.models import User
    from pracha.identity.oidc import authorize, clients
    from pracha.identity.oidc.server import Call, Provider
    from pracha.identity.oidc.tokens import Lifetimes
    from pracha.identity.passwords import hash_password

    engine = make_engine(url)
    nonce = secrets.token_urlsafe(12)
    with make_sessionmaker(engine)() as db:
        user = User(role="citizen", national_id="1101700200003", first_name="สมชาย", last_name="ใจดี",
                    birth_date=dt.date(1955, 3, 14), password_hash=hash_password("bench password 1"))
        db.add(user)
        client, secret = clients.register_client(db, None, name="bench", redirect_uris=[REDIRECT],
                                                 scopes=["openid", "profile"])
        assert secret is not None
        signed = authorize.SignedIn(user, authorize.ACR_PASSWORD, dt.datetime.now(dt.UTC))
        db.flush()
        provider = Provider(db, issuer="", secret=b"", life=Lifetimes(code=3600))  # issues codes only
        codes = []
        for _ in range(n):
            verifier = secrets.token_urlsafe(48)
            challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            params = {"client_id": client.client_id, "redirect_uri": REDIRECT, "response_type": "code",
                      "scope": "openid profile", "nonce": nonce, "code_challenge": challenge,
                      "code_challenge_method": "S256"}
            req = authorize.parse_request(provider, Call("GET", "http://bench/oidc/authorize", {}, params), signed)
            location = authorize.issue_code(req, signed)
            codes.append((parse_qs(urlsplit(location).query)["code"][0], verifier))
        db.commit()
        client_id = client.client_id
    engine.dispose()
    return Seeded(client_id, secret, codes, nonce)


async def _run(base: str, jobs: list[dict[str, str]] | int, concurrency: int, seeded: Seeded | None
               ) -> tuple[float, list[str]]:
    """Requests/s; with `jobs` as code exchanges also the ID tokens received."""
    tokens: list[str] = []
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as http:
        queue: asyncio.Queue[dict[str, str] | None] = asyncio.Queue()
        items = jobs if isinstance(jobs, list) else [{}] * jobs
        for item in items:
            queue.put_nowait(item)

        async def worker() -> None:
            while not queue.empty():
                item = queue.get_nowait()
                if seeded is None:
                    response = await http.get("/healthz")
                else:
                    response = await http.post("/oidc/token", data=item, auth=(seeded.client_id, seeded.secret))
                    tokens.append(response.json()["id_token"])
                if response.status_code != 200:
                    raise RuntimeError(f"{response.status_code}: {response.text[:300]}")

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        took = time.perf_counter() - start
    return len(items) / took, tokens


def bench_engine(engine: str, n: int) -> tuple[EngineRun, list[str], dict[str, Any]] | None:
    with tempfile.TemporaryDirectory() as tmp_dir, database(engine, Path(tmp_dir)) as db:
        if db is None:
            return None
        url, version = db
        seeded = seed(url, n * len(CONCURRENCY))
        run = EngineRun(engine, version)
        tokens: list[str] = []
        with pracha_server(url, Path(tmp_dir)) as server:
            asyncio.run(_run(server.base, 200, 4, None))  # warm up
            jwks = httpx.get(f"{server.base}/oidc/jwks").json()
            for i, c in enumerate(CONCURRENCY):
                run.rates[f"bare c={c}"] = asyncio.run(_run(server.base, n, c, None))[0]
                jobs = [{"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
                         "code_verifier": verifier} for code, verifier in seeded.codes[i * n:(i + 1) * n]]
                rate, got = asyncio.run(_run(server.base, jobs, c, seeded))
                run.rates[f"exchange c={c}"] = rate
                tokens += got
        return run, tokens, {"jwks": jwks, "aud": seeded.client_id, "nonce": seeded.nonce, "iss": server.base}


def verify_rates(tokens: list[str], context: dict[str, Any]) -> dict[str, float]:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
    from joserfc import jwt
    from joserfc.jwk import KeySet

    keys = KeySet.import_key_set(context["jwks"])
    registry = jwt.JWTClaimsRegistry(iss={"essential": True, "value": context["iss"]},
                                     aud={"essential": True, "value": context["aud"]},
                                     nonce={"essential": True, "value": context["nonce"]})
    start = time.perf_counter()
    for token in tokens:
        registry.validate(jwt.decode(token, keys, algorithms=["ES256"]).claims)
    full = len(tokens) / (time.perf_counter() - start)
    public = keys.keys[0].public_key
    assert isinstance(public, ec.EllipticCurvePublicKey)
    prepared = []
    for token in tokens:
        head, body, sig = token.split(".")
        raw = base64.urlsafe_b64decode(sig + "==")
        prepared.append(((head + "." + body).encode(), encode_dss_signature(
            int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))))
    start = time.perf_counter()
    for data, signature in prepared:
        public.verify(signature, data, ec.ECDSA(hashes.SHA256()))
    bare = len(prepared) / (time.perf_counter() - start)
    return {"verify": full, "bare verify": bare}


def section(runs: list[EngineRun], verify: dict[str, float], n: int, load: tuple[float, float], took: float,
            verified: int, ceilings: dict[int, Ceiling]) -> str:
    rows = []
    for run in runs:
        for c in CONCURRENCY:
            ex, bare = run.rates[f"exchange c={c}"], run.rates[f"bare c={c}"]
            shown = "— (generator-bound)" if ceilings[c].bound(bare) else f"{ex / bare:.3f}"
            rows.append(f"| {run.engine} | {c} | {ex:,.0f} | {bare:,.0f} | {shown} |")
    generator = "\n".join(f"- Concurrency {c}: {ceilings[c].describe(runs[-1].rates[f'bare c={c}'])}."
                          for c in CONCURRENCY)
    engines = "; ".join(f"{r.engine}: {r.version}" for r in runs)
    ratio = verify["verify"] / verify["bare verify"]
    busy = ("\n  Other work shared the machine during the run, so the absolute rates are low and noisy; the ratios,"
            "\n  measured side by side in the same run, are the figures to compare.") if load[0] > 2 else ""
    return f"""<!-- sso:start -->
## Single sign-on (`bench/sso.py`)

Token endpoint, `POST /oidc/token` (authorization code + PKCE → access, refresh and ES256 ID token),
{n:,} exchanges per row, against `GET /healthz` on the same server in the same run:

| engine | concurrency | code exchanges/s | bare `GET /healthz`/s | ratio |
|---|---:|---:|---:|---:|
{chr(10).join(rows)}

ID-token verification as a relying party does it (joserfc, Authlib's JOSE library: `jwt.decode`
with the JWKS + iss/aud/exp/nonce checks), over {verified:,} ID tokens received from the
{runs[-1].engine} server, against the bare ECDSA P-256 signature check (`cryptography`) of the same inputs:

| what | per second | ratio |
|---|---:|---:|
| ID-token verification (joserfc decode + claims) | {verify['verify']:,.0f} | {ratio:.3f} |
| bare ECDSA P-256 verify | {verify['bare verify']:,.0f} | 1.000 |

{generator}
- Machine: {machine()}; the benchmark client, the database and `pracha serve`
  (one worker) share it (load average {load[0]:.2f} when the run began, {load[1]:.2f} when it ended;
  {took:.0f} s in all).{busy}
  Code {code_version()}; {engines}.
- Codes are issued beforehand (`authorize.issue_code`, as the authorize page does), so a row times
  the token endpoint alone: Authlib's `AuthorizationServer` with its code grant, PKCE and OpenIDCode
  extensions on our tables; client authentication is `client_secret_basic` (SHA-256 of the secret).
  Each exchange writes in one transaction: the code marked used (a conditional UPDATE, so a code is
  exchanged once), two token rows; SQLite writers queue on the app's write lock.
<!-- sso:end -->"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--codes", type=int, default=2000, help="exchanges per (engine, concurrency) row")
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument("--write", action="store_true", help="rewrite the SSO section of docs/benchmarks.md")
    args = parser.parse_args(argv)
    load_start, begun = load_average(), time.perf_counter()
    ceilings = {c: measure_ceiling("python", seconds=3, connections=c) for c in CONCURRENCY}  # the httpx client's
    runs: list[EngineRun] = []
    tokens: list[str] = []
    context: dict[str, Any] = {}
    for engine in args.engines.split(","):
        result = bench_engine(engine.strip(), args.codes)
        if result is None:
            continue
        run, got, context = result
        runs.append(run)
        tokens += got
        print(run.engine, {k: round(v) for k, v in run.rates.items()})
    if not runs:
        return 1
    last = runs[-1]
    mine = tokens[-len(CONCURRENCY) * args.codes:]  # signed by the last engine's key
    verify = verify_rates(mine, context)
    print({k: round(v) for k, v in verify.items()}, last.engine)
    text = section(runs, verify, args.codes, (load_start, load_average()), time.perf_counter() - begun, len(mine),
                   ceilings)
    print(text)
    if args.write:
        write_section("sso", text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
