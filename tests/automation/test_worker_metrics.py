"""`pracha worker --metrics-port`: a worker process shows the task failures it counted (they happen in
its process, not the web server's) in the Prometheus text format."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from pracha.automation import tasks
from pracha.db import make_engine, make_sessionmaker
from tests.servers import free_port, stop_process


def _failures(url: str) -> float | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback
            text = response.read().decode()
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "pracha_automation_task_failures_total" and \
                    sample.labels == {"kind": "no-such-kind", "outcome": "failed"}:
                return sample.value
    return None


def test_a_worker_serves_the_failures_it_counted(tmp_path: Path, sqlite_template: Path) -> None:
    shutil.copy(sqlite_template, tmp_path / "pracha.db")
    url = f"sqlite:///{tmp_path / 'pracha.db'}"
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session:
        tasks.enqueue(session, "no-such-kind", "worker-metrics", max_attempts=1)  # no handler: it fails
        session.commit()
    engine.dispose()
    port = free_port()
    env = {**os.environ, "PYTHAINLP_OFFLINE": "1", "PRACHA_DATABASE_URL": url, "PRACHA_VAR_DIR": str(tmp_path / "var"),
           "PRACHA_SECRET_KEY": "test-secret", "PRACHA_AUTOMATION_POLL_SECONDS": "0.2"}
    with (tmp_path / "worker.log").open("wb") as out:
        worker = subprocess.Popen([sys.executable, "-m", "pracha.cli", "worker", "--metrics-port", str(port)],  # noqa: S603
                                  env=env, stdout=out, stderr=out, cwd=tmp_path)
    try:
        deadline, seen = time.monotonic() + 90, None
        while time.monotonic() < deadline and seen != 1.0 and worker.poll() is None:
            seen = _failures(f"http://127.0.0.1:{port}/metrics")
            time.sleep(0.1)
        assert seen == 1.0, (tmp_path / "worker.log").read_text()
    finally:
        stop_process(worker)
