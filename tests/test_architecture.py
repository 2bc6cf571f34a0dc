"""The import contracts of pyproject.toml ([tool.importlinter]): the packages keep them, and a
back-import breaks them with a message naming the contract and the offending import.

`lint-imports` runs on a copy of the packages in a temporary directory (it reads the packages
of its working directory first), so an import planted there never touches the tree."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
CONTRACTS = {c["id"]: c["name"] for c in CONFIG["contracts"]}
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

# Top-level folders that are not part of the layered application.
NOT_LAYERED = {"tests", "bench"}


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of the root packages and pyproject.toml."""
    for name in CONFIG["root_packages"]:
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def plant(tree: Path, module: str, statement: str) -> None:
    path = tree.joinpath(*module.split(".")).with_suffix(".py")
    with path.open("a", encoding="utf-8") as f:
        f.write(f"\n{statement}  # planted by tests/test_architecture.py\n")


def lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-logo", "--no-cache"],
        cwd=tree,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def broken(output: str) -> set[str]:
    """The names of the contracts the summary reports as broken (lint-imports wraps long lines)."""
    flat = " ".join(output.split())
    return {name for name in CONTRACTS.values() if f"{' '.join(name.split())} BROKEN" in flat}


def test_every_top_level_package_is_a_root_package_of_the_contracts() -> None:
    """A package left out of `root_packages` would not be checked at all (e.g. `reads` once it exists)."""
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")} - NOT_LAYERED

    assert packages == set(CONFIG["root_packages"])


def test_the_packages_keep_every_import_contract(tree: Path) -> None:
    """The tree as it is: no import points up a layer, across siblings or out of the domain."""
    result = lint_imports(tree)

    assert result.returncode == 0, result.stdout + result.stderr
    assert broken(result.stdout) == set()


def test_a_domain_module_importing_the_api_breaks_the_layers(tree: Path) -> None:
    """`ledger` is the bottom layer: an import of `api` from it fails with the contract and the line named."""
    plant(tree, "ledger.values", "import api")

    result = lint_imports(tree)

    assert result.returncode == 1
    assert CONTRACTS["layers"] in broken(result.stdout)
    assert "ledger is not allowed to import api" in result.stdout
    assert "ledger.values -> api" in result.stdout


def test_the_api_importing_the_demo_breaks_the_layers(tree: Path) -> None:
    """`api` and `demo` are independent entrances: neither may import the other."""
    plant(tree, "api.errors", "import demo.dataset")

    result = lint_imports(tree)

    assert result.returncode == 1
    assert CONTRACTS["layers"] in broken(result.stdout)
    assert "api.errors -> demo.dataset" in result.stdout


def test_the_domain_importing_a_web_library_breaks_the_domain_contract(tree: Path) -> None:
    """The domain imports no FastAPI, pydantic, psycopg, orjson, structlog, jinja2 or fpdf."""
    plant(tree, "ledger.values", "import pydantic")

    result = lint_imports(tree)

    assert result.returncode == 1
    assert CONTRACTS["domain-pure"] in broken(result.stdout)
    assert "ledger.values -> pydantic" in result.stdout


def test_a_compliance_rule_importing_the_report_breaks_the_audit_rooms(tree: Path) -> None:
    """Inside audit the report sits above the compliance rules and integrity, not below."""
    plant(tree, "audit.compliance.result", "import audit.report.labels")

    result = lint_imports(tree)

    assert result.returncode == 1
    assert CONTRACTS["audit-rooms"] in broken(result.stdout)
    assert "audit.compliance.result -> audit.report.labels" in result.stdout
