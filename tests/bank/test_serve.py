"""`pracha bank serve` and `pracha bank fill-statement` as real processes: one payment however many
banking apps send the same payload at once, and a 100,000-line statement streamed."""

from __future__ import annotations

import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from tests.bank.conftest import Receiver, signed_by_pracha
from tests.servers import pracha_command, process

LINES = 100_000


def serve_bank(receiver: Receiver, tmp_path: Path, database: str) -> object:
    return process(["bank", "serve", "--database", database],
                   {"PRACHA_VAR_DIR": str(receiver.var_dir), "PRACHA_PUBLIC_BASE_URL": receiver.url},
                   tmp_path, "bank")


def test_one_payload_paid_once_under_concurrent_requests(receiver: Receiver, tmp_path: Path) -> None:
    payload = receiver.payable("CR69-RACE", "PRACE")
    with serve_bank(receiver, tmp_path, f"sqlite:///{tmp_path / 'bank.db'}") as url:  # type: ignore[attr-defined]
        assert httpx.get(f"{url}/healthz").json() == {"status": "ok", "bank": "demo-bank"}
        with ThreadPoolExecutor(max_workers=8) as pool:
            answers = list(pool.map(lambda _: httpx.post(f"{url}/pay", json={"payload": payload}, timeout=30),
                                    range(8)))
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [201] + [409] * 7, [a.text for a in answers]
    assert {a.json()["error"] for a in answers if a.status_code == 409} == {"already_paid"}
    assert len(receiver.callbacks) == 1 and receiver.refused == []


def test_fill_statement_and_stream_100000_lines(receiver: Receiver, tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'bank.db'}"
    started = time.perf_counter()
    filled = subprocess.run([*pracha_command(), "bank", "fill-statement", "--date", "2026-12-05", "--lines",
                             str(LINES), "--database", database], capture_output=True, text=True, timeout=300,
                            env={"PRACHA_VAR_DIR": str(receiver.var_dir), "PATH": "/usr/bin:/bin"})
    fill_seconds = time.perf_counter() - started
    assert filled.returncode == 0, filled.stderr
    assert f"Added {LINES} lines" in filled.stdout
    with serve_bank(receiver, tmp_path, database) as url:  # type: ignore[attr-defined]
        path = "/statements/2026-12-05"
        started = time.perf_counter()
        with httpx.stream("GET", url + path, headers=signed_by_pracha(receiver.var_dir, "GET", url + path),
                          timeout=60) as response:
            assert response.status_code == 200
            lines = list(response.iter_lines())
        fetch_seconds = time.perf_counter() - started
    assert lines[0] == "transaction_id,paid_at,biller_id,ref1,ref2,amount,type"
    assert len(lines) == LINES + 1
    times = [line.split(",")[1] for line in lines[1:]]
    assert times == sorted(times) and times[0] == "2026-12-04T17:00:00Z" and times[-1] < "2026-12-05T17:00:00Z"
    print(f"\nfill-statement {LINES} lines: {fill_seconds:.2f} s; statement fetched in {fetch_seconds:.2f} s")
    assert fetch_seconds < 15  # generous on a busy 2-core machine; measured figures in the report


def test_fill_statement_refuses_a_bad_day(tmp_path: Path) -> None:
    result = subprocess.run([*pracha_command(), "bank", "fill-statement", "--date", "5/12/2569", "--lines", "1",
                             "--database", f"sqlite:///{tmp_path / 'bank.db'}"], capture_output=True, text=True,
                            timeout=120, env={"PRACHA_VAR_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 2 and "Not a day" in result.stdout
