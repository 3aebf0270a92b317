"""The layers import in one direction only (DESIGN.md: Layout)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

FORBIDDEN = {
    "domain": {"sqlalchemy", "fastapi", "psycopg", "adapters", "api", "projections", "ledger_rules"},
    "ledger_rules": {"sqlalchemy", "fastapi", "psycopg", "adapters", "api", "projections"},
    "projections": {"fastapi", "adapters", "api"},
}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_only_inner_layers(package: str) -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_modules(path) & FORBIDDEN[package])
        for path in (ROOT / package).rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_domain_uses_only_eventsourcing_domain() -> None:
    for path in (ROOT / "domain").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("eventsourcing"):
                assert node.module in {"eventsourcing.domain", "eventsourcing.utils"}, (path, node.module)


def test_detector_sees_a_forbidden_import(tmp_path: Path) -> None:
    sample = tmp_path / "bad.py"
    sample.write_text("import sqlalchemy\nfrom adapters.store import x\n", encoding="utf-8")
    assert imported_modules(sample) == {"sqlalchemy", "adapters"}
