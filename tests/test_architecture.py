"""The layering rules that import-linter cannot say: route modules stay leaves, private names stay
home, and `lint-imports` really fails on an import against the layers."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pracha

SRC = Path(pracha.__file__).resolve().parent
REPO = SRC.parent.parent


def _modules() -> dict[str, ast.Module]:
    found = {}
    for path in SRC.rglob("*.py"):
        parts = path.relative_to(SRC.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = ast.parse(path.read_text(encoding="utf-8"))
    return found


def _package(module: str) -> str:
    return ".".join(module.split(".")[:2])


def _imports(tree: ast.Module) -> list[tuple[str, list[str]]]:
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("pracha"):
            out.append((node.module, [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            out += [(a.name, []) for a in node.names if a.name.startswith("pracha")]
    return out


def _is_route_module(tree: ast.Module) -> bool:
    return any(isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)
               and getattr(node.value.func, "id", None) == "APIRouter" for node in tree.body)


MODULES = _modules()
ROUTE_MODULES = {name for name, tree in MODULES.items() if _is_route_module(tree)}


def test_route_modules_are_found() -> None:
    assert {"pracha.services.routes", "pracha.exchange.gateway", "pracha.ledger.routes"} <= ROUTE_MODULES


def test_no_module_imports_a_route_module_but_the_composition_root() -> None:
    wrong = []
    for name, tree in MODULES.items():
        if name == "pracha.web.app":
            continue
        for target, names in _imports(tree):
            targets = {target} | {f"{target}.{n}" for n in names}
            wrong += [f"{name} → {t}" for t in targets & ROUTE_MODULES if t != name]
    assert not wrong, "route modules are leaves; share helpers through a deps.py module:\n" + "\n".join(wrong)


def test_no_private_name_crosses_a_package() -> None:
    wrong = [f"{name} imports {target}.{n}" for name, tree in MODULES.items() for target, names in _imports(tree)
             for n in names if n.startswith("_") and not n.startswith("__") and _package(target) != _package(name)]
    assert not wrong, "\n".join(wrong)


def test_lint_imports_fails_on_an_import_against_the_layers(tmp_path: Path) -> None:
    """The README's experiment: make the ledger import the composition root, and the build fails."""
    shutil.copytree(SRC, tmp_path / "pracha", ignore=shutil.ignore_patterns("__pycache__", "templates", "static"))
    (tmp_path / "pyproject.toml").write_text((REPO / "pyproject.toml").read_text())
    lint = [str(Path(sys.executable).with_name("lint-imports")), "--no-cache"]
    kept = subprocess.run(lint, cwd=tmp_path, env={"PYTHONPATH": str(tmp_path)}, capture_output=True, text=True)
    assert kept.returncode == 0, kept.stdout
    log = tmp_path / "pracha" / "ledger" / "log.py"
    log.write_text(log.read_text() + "\nfrom pracha.web import app as _wrong  # noqa\n")
    broken = subprocess.run(lint, cwd=tmp_path, env={"PYTHONPATH": str(tmp_path)}, capture_output=True, text=True)
    assert broken.returncode == 1
    assert "pracha.ledger is not allowed to import pracha.web" in broken.stdout
