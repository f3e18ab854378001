"""Start the five demo registries and the demo bank as child processes of `pracha serve` (setting
`registry_autostart`), and stop them when it stops. Each child is `pracha registry serve NAME` (or
`pracha bank serve`) on its own port and database."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from urllib.parse import urlsplit

from pracha.config import Settings
from pracha.exchange.vocabulary import registry_port, registry_url
from pracha.registries import NAMES

STARTUP_SECONDS = 60.0


def start_registries(settings: Settings, *, wait: bool = True) -> list[subprocess.Popen[bytes]]:
    """Start every registry not already answering on its port, with the portal's var_dir (so they share the
    mediator's key) and catalogue; wait until they are healthy."""
    children = []
    env = os.environ | {"PRACHA_VAR_DIR": str(settings.var_dir.resolve()),
                        "PRACHA_CATALOG_DIR": str(settings.catalog_dir.resolve()),
                        "PRACHA_PUBLIC_BASE_URL": settings.public_base_url}
    urls = {name: registry_url(settings, name) for name in NAMES} | {"bank": settings.bank_url.rstrip("/")}
    for name in NAMES:
        if _healthy(urls[name]):
            continue
        command = [sys.executable, "-m", "pracha.cli", "registry", "serve", name,
                   "--port", str(registry_port(settings, name))]
        children.append(subprocess.Popen(command, env=env))  # noqa: S603 -- our own command, no shell
    if not _healthy(urls["bank"]):
        command = [sys.executable, "-m", "pracha.cli", "bank", "serve",
                   "--port", str(urlsplit(settings.bank_url).port or 8201)]
        children.append(subprocess.Popen(command, env=env))  # noqa: S603 -- our own command, no shell
    if wait:
        deadline = time.monotonic() + STARTUP_SECONDS
        pending = list(urls)
        while pending and time.monotonic() < deadline:
            pending = [n for n in pending if not _healthy(urls[n])]
            if any(child.poll() is not None for child in children):
                break
            time.sleep(0.2)
        if pending:
            print(f"Demo registries not answering: {', '.join(pending)}", file=sys.stderr)
    return children


def stop_registries(children: list[subprocess.Popen[bytes]]) -> None:
    for child in children:
        if child.poll() is None:
            child.terminate()
    for child in children:
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/healthz", timeout=1) as response:  # noqa: S310 -- our own loopback URL
            return bool(response.status == 200)
    except OSError:
        return False
