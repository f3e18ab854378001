"""The deployment files agree with docs/deploy.md and with the code, checked without any tool (no Docker,
no cluster): the YAML parses; every service of the doc's table is in the Compose file and in the
Kubernetes manifests; every PRACHA_* variable is a real setting; every `pracha` command line parses as
a real command of `pracha.cli`; the ports agree. scripts/check-deploy.sh adds the tools' own checks."""

from __future__ import annotations

import configparser
import re
import shlex
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import typer.main
import yaml
from sqlalchemy.engine import make_url

from pracha.cli import app as pracha_app
from pracha.config import Settings
from pracha.exchange.vocabulary import REGISTRIES, registry_port

REPO = Path(__file__).resolve().parents[1]
DEPLOY = REPO / "deploy"
DOC = (REPO / "docs" / "deploy.md").read_text()
PRACHA_IMAGE = "pracha:latest"
WEB_PORT, PGBOUNCER_PORT = 8000, 6432


def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    return data


def manifests() -> list[dict[str, Any]]:
    kustomization = yaml.safe_load((DEPLOY / "kustomization.yaml").read_text())
    docs: list[dict[str, Any]] = []
    for resource in kustomization["resources"]:
        docs.extend(d for d in yaml.safe_load_all((DEPLOY / resource).read_text()) if d)
    return docs


def documented() -> dict[str, tuple[str, str]]:
    """{service: (what it runs, its port)} from the doc's table."""
    table = DOC.split("<!-- services:start -->")[1].split("<!-- services:end -->")[0]
    rows = [line.split("|")[1:-1] for line in table.strip().splitlines()[2:]]
    return {cells[0].strip(): (cells[1].strip(), cells[2].strip()) for cells in rows}


def workloads() -> dict[str, dict[str, Any]]:
    """{name: pod spec} of every Deployment, StatefulSet and Job."""
    found = {}
    for doc in manifests():
        if doc["kind"] in ("Deployment", "StatefulSet", "Job"):
            found[doc["metadata"]["name"]] = doc["spec"]["template"]["spec"]
    return found


def services() -> dict[str, list[int]]:
    return {
        d["metadata"]["name"]: [p["port"] for p in d["spec"]["ports"]] for d in manifests() if d["kind"] == "Service"
    }


def pracha_commands() -> dict[str, list[list[str]]]:
    """Every `pracha` command line, by where it was found."""
    lines: dict[str, list[list[str]]] = {}
    for name, service in compose()["services"].items():
        if service.get("image") == PRACHA_IMAGE:
            lines.setdefault(f"compose:{name}", []).append(service["command"])
    for name, pod in workloads().items():
        for container in pod["containers"]:
            if container["image"] == PRACHA_IMAGE:
                lines.setdefault(f"k8s:{name}", []).append(container["args"])
    for name, (runs, _) in documented().items():
        for command in re.findall(r"`pracha ([^`]+)`", runs):
            lines.setdefault(f"doc:{name}", []).append(shlex.split(command))
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    cmd = re.search(r"^CMD (\[.*\])$", dockerfile, re.MULTILINE)
    assert cmd is not None and 'ENTRYPOINT ["pracha"]' in dockerfile
    lines["Dockerfile"] = [yaml.safe_load(cmd.group(1))]
    return lines


def option(args: list[str], name: str) -> str:
    return args[args.index(name) + 1]


def test_every_file_parses_and_the_kustomization_names_every_manifest() -> None:
    assert compose()["services"]
    listed = {DEPLOY / r for r in yaml.safe_load((DEPLOY / "kustomization.yaml").read_text())["resources"]}
    assert listed == set((DEPLOY / "k8s").glob("*.yaml"))
    for doc in manifests():
        assert {"apiVersion", "kind", "metadata"} <= doc.keys() and doc["metadata"]["name"]


def test_every_documented_service_is_in_compose_and_in_kubernetes() -> None:
    names = set(documented())
    assert names == set(compose()["services"])
    assert names <= set(workloads())
    for name in names - {"migrate", "worker"}:  # a Job and a worker take no traffic
        assert name in services(), f"no Kubernetes Service for {name}"


def test_compose_references_resolve() -> None:
    data = compose()
    for name, service in data["services"].items():
        for needed in service.get("depends_on", {}):
            assert needed in data["services"], f"{name} depends on an unknown {needed}"
        for mount in service.get("volumes", []):
            source = mount.split(":")[0]
            assert source.startswith(".") or source in data["volumes"], f"{name}: undeclared volume {source}"
            if source.startswith("."):
                assert (DEPLOY / source).exists() or "secrets" in source, f"{name}: {source} is missing"
        for secret in service.get("secrets", []):
            assert secret["source"] in data["secrets"]


def _pracha_variables() -> set[str]:
    names = set(re.findall(r"\bPRACHA_[A-Z_]+\b", DOC))
    for service in compose()["services"].values():
        names |= {k for k in service.get("environment", {}) if k.startswith("PRACHA_")}
    for doc in manifests():
        if doc["kind"] == "ConfigMap":
            names |= set(doc.get("data", {}))
    for pod in workloads().values():
        for container in pod["containers"]:
            names |= {e["name"] for e in container.get("env", []) if e["name"].startswith("PRACHA_")}
    names |= set(re.findall(r"\bPRACHA_[A-Z_]+\b", (DEPLOY / "Dockerfile").read_text()))
    return names


def test_every_pracha_variable_is_a_real_setting() -> None:
    variables = _pracha_variables()
    assert {"PRACHA_DATABASE_URL", "PRACHA_SECRET_KEY", "PRACHA_DATA_KEY_FILE"} <= variables
    unknown = {v for v in variables if v[len("PRACHA_") :].lower() not in Settings.model_fields}
    assert not unknown, f"not settings of pracha.config.Settings: {sorted(unknown)}"


def _parse(args: list[str]) -> Any:
    """Resolve `args` to a `pracha` command and parse its options as the CLI would (an unknown command or
    option, a bad value or a missing argument raises). Typer's own click: no click classes named here."""
    command: Any = typer.main.get_command(pracha_app)
    context, name, rest = command.context_class(command, info_name="pracha"), "pracha", list(args)
    while hasattr(command, "get_command"):  # a group
        assert rest, f"pracha {' '.join(args)}: a group without a command"
        name, rest = rest[0], rest[1:]
        sub = command.get_command(context, name)
        assert sub is not None, f"pracha {' '.join(args)}: no command {name!r}"
        command, context = sub, sub.context_class(sub, info_name=name, parent=context)
    command.make_context(name, rest, parent=context.parent)
    return command


def test_a_wrong_command_line_is_refused() -> None:
    for wrong in (["serve", "--bogus"], ["registry", "serve"], ["nope"], ["worker", "--metrics-port", "x"]):
        with pytest.raises(Exception):  # noqa: B017, PT011 - typer's vendored click errors, or our assert
            _parse(wrong)


@pytest.mark.parametrize("where", sorted(pracha_commands()))
def test_every_command_line_is_a_real_pracha_command(where: str) -> None:
    for args in pracha_commands()[where]:
        _parse(args)


def test_the_ports_agree() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    table, data, pods, ports = documented(), compose()["services"], workloads(), services()
    web = data["web"]["command"]
    assert int(option(web, "--port")) == WEB_PORT == int(table["web"][1])
    assert pods["web"]["containers"][0]["ports"][0]["containerPort"] == WEB_PORT and ports["web"] == [WEB_PORT]
    assert f"server web:{WEB_PORT}" in (DEPLOY / "nginx" / "pracha.conf").read_text()
    for name in REGISTRIES:
        service = f"registry-{name}"
        expected = registry_port(settings, name)
        assert int(option(data[service]["command"], "--port")) == expected == int(table[service][1])
        assert pods[service]["containers"][0]["ports"][0]["containerPort"] == expected == ports[service][0]
    bank = urlsplit(settings.bank_url).port
    assert int(option(data["bank"]["command"], "--port")) == bank == ports["bank"][0] == int(table["bank"][1])
    config = next(d for d in manifests() if d["kind"] == "ConfigMap" and d["metadata"]["name"] == "pracha-config")
    assert urlsplit(config["data"]["PRACHA_BANK_URL"]).port == bank
    assert urlsplit(data["web"]["environment"]["PRACHA_BANK_URL"]).port == bank


def test_pgbouncer_pools_transactions_for_the_web_and_the_worker_and_migrations_bypass_it() -> None:
    ini = configparser.ConfigParser()
    ini.read_string((DEPLOY / "pgbouncer" / "pgbouncer.ini").read_text())
    assert ini["pgbouncer"]["pool_mode"] == "transaction"
    assert int(ini["pgbouncer"]["listen_port"]) == PGBOUNCER_PORT == services()["pgbouncer"][0]
    assert int(ini["pgbouncer"]["max_prepared_statements"]) > 0  # psycopg 3 prepares statements
    data = compose()["services"]
    web_url = make_url(data["web"]["environment"]["PRACHA_DATABASE_URL"].replace("${POSTGRES_PASSWORD:?}", "x"))
    assert (web_url.host, web_url.port) == ("pgbouncer", PGBOUNCER_PORT)
    for direct in ("worker", "migrate"):  # LISTEN and DDL need a session of their own
        url = make_url(data[direct]["environment"]["PRACHA_DATABASE_URL"].replace("${POSTGRES_PASSWORD:?}", "x"))
        assert (url.host, url.port) == ("postgres", 5432)
        env = {e["name"]: e for e in workloads()[direct]["containers"][0]["env"]}
        assert env["PRACHA_DATABASE_URL"]["valueFrom"]["secretKeyRef"]["key"] == "database-url-direct"
    env = {e["name"]: e for e in workloads()["web"]["containers"][0]["env"]}
    assert env["PRACHA_DATABASE_URL"]["valueFrom"]["secretKeyRef"]["key"] == "database-url"


def test_web_processes_share_what_must_be_shared() -> None:
    """The same app secret and data key in every process; the automation in workers, not in web processes;
    readiness on /readyz, liveness on /healthz; the proxy passes X-Forwarded-* to --proxy-headers."""
    web = compose()["services"]["web"]
    assert "--proxy-headers" in web["command"]
    assert web["environment"]["PRACHA_AUTOMATION_IN_PROCESS"] == "false"
    assert web["environment"]["PRACHA_SECRET_KEY"].startswith("${")
    container = workloads()["web"]["containers"][0]
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert {e["name"] for e in container["env"]} >= {"PRACHA_SECRET_KEY", "PRACHA_DATABASE_URL"}
    proxy = (DEPLOY / "nginx" / "pracha.conf").read_text()
    assert "X-Forwarded-For" in proxy and "X-Forwarded-Proto" in proxy and "ssl_certificate" in proxy
