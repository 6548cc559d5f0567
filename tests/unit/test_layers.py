"""The import contracts of `make lint` (pyproject.toml, [tool.importlinter]) hold on the package,
and they do catch what they are for: an upward import, a cycle and an Airflow import, each put
into a copy of the package, break them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "include" / "kinerja"
LINT_IMPORTS = str(Path(sys.executable).with_name("lint-imports"))


def _lint_imports(package_parent: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """`lint-imports` with the project's contracts, importing `kinerja` from `package_parent`."""
    env = {**os.environ, "PYTHONPATH": str(package_parent)}
    return subprocess.run(
        [LINT_IMPORTS, "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
        check=False,
    )


def _copy_with(tmp_path: Path, module: str, line: str) -> Path:
    parent = tmp_path / "src"
    shutil.copytree(PACKAGE, parent / "kinerja", ignore=shutil.ignore_patterns("__pycache__", "reference"))
    target = parent / "kinerja" / module
    target.write_text(target.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")
    return parent


def test_contracts_hold_on_the_package(tmp_path: Path) -> None:
    result = _lint_imports(ROOT / "include", tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        ("cells.py", "import kinerja.reports.year  # noqa", "kinerja.cells is not allowed"),
        ("catalog/loader.py", "import kinerja.schema.model  # noqa", "kinerja.catalog is not allowed"),
        ("intake/check.py", "import kinerja.notify.plan  # noqa", "kinerja.intake is not allowed"),
        ("reports/year.py", "import airflow.sdk  # noqa", "airflow"),
    ],
    ids=["upward", "cycle-catalog-schema", "intake-to-notify", "airflow"],
)
def test_a_violation_breaks_the_lint(tmp_path: Path, module: str, line: str, broken: str) -> None:
    result = _lint_imports(_copy_with(tmp_path, module, line), tmp_path)
    assert result.returncode != 0
    assert broken in result.stdout, result.stdout + result.stderr
