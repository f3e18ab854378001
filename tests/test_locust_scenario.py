"""The load scenario (bench/locust/locustfile.py) against a real `pracha serve`, the welfare registry
and the demo bank: one person of each kind walks through all their journeys once (PRACHA_LOCUST_TOUR: then Locust
stops, seconds on an idle machine); every kind of request runs, none fails.

SQLite only: the scenario speaks HTTP and checks answers, which are the same on both engines (the
services' tests run both); bench/locust/run.py runs it on PostgreSQL. Only the registry and the bank
the scenario calls are started, side by side with the server, to keep this short."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from bench.locust.prepare import prepare
from bench.locust.run import KINDS, run_locust, server_environment

from pracha.exchange.vocabulary import REGISTRIES
from pracha.migrate import upgrade
from tests import servers


@pytest.fixture
def platform(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Path, Path]]:
    """The scenario's data, then `pracha serve`, `pracha registry serve welfare` and `pracha bank serve`,
    started together; yields the portal's URL, the users file and the working directory."""
    port = servers.free_port()
    base = f"http://127.0.0.1:{port}"
    url = f"sqlite:///{tmp_path / 'pracha.db'}"
    env = {
        **server_environment(tmp_path / "var", base),
        "PRACHA_REGISTRY_AUTOSTART": "0",
        "PRACHA_DATABASE_URL": url,
        "PRACHA_WARM_UP": "false",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)  # prepare() reads the server's settings
    upgrade(url)
    users = prepare(base, url, tmp_path / "var", citizens=20, officers=3)
    welfare = int(env["PRACHA_REGISTRY_BASE_PORT"]) + REGISTRIES["welfare"].offset
    bank = env["PRACHA_BANK_URL"]
    pracha = servers.pracha_command()
    started = {
        base: [*pracha, "serve", "--host", "127.0.0.1", "--port", str(port)],
        f"http://127.0.0.1:{welfare}": [
            *pracha,
            "registry",
            "serve",
            "welfare",
            "--host",
            "127.0.0.1",
            "--port",
            str(welfare),
        ],
        bank: [*pracha, "bank", "serve", "--host", "127.0.0.1", "--port", bank.rsplit(":", 1)[1]],
    }
    with contextlib.ExitStack() as stack:
        children = {}
        for where, command in started.items():
            log = tmp_path / f"{where.rsplit(':', 1)[1]}.log"
            children[where] = (servers.start_process(command, {**os.environ}, tmp_path, log), log)
            stack.callback(servers.stop_process, children[where][0])
        for where, (child, log) in children.items():
            servers.wait_healthy(where, child, log)
        yield base, users, tmp_path


def test_every_kind_of_request_runs_without_failure(platform: tuple[str, Path, Path]) -> None:
    base, users, tmp = platform
    outcome = run_locust(
        base,
        users,
        5,
        120,
        tmp,
        spawn_rate=5,
        tour=True,
    )
    ran = {row.name: row for row in outcome.rows if row.name != "Aggregated"}
    assert KINDS - set(ran) == set(), "kinds that never ran"
    assert set(ran) - KINDS == set(), "kinds this test does not know"
    assert outcome.total.failures == 0, outcome.failures_sample
    assert outcome.exit_code == 0
