"""The import contracts of pyproject.toml ([tool.importlinter], run by `make lint`) hold on the tree,
and each fails on a copy of the tree broken on purpose, so that none can pass without checking."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    """Run the contracts on the packages under `tree` (a copy of shared/ and infra/)."""
    environment = {**os.environ, "PYTHONPATH": f"{tree / 'shared'}{os.pathsep}{tree / 'infra'}"}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(ROOT / "pyproject.toml")],
        cwd=tree,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for folder in ("shared", "infra"):
        shutil.copytree(ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def add_import(tree: Path, module: str, line: str) -> None:
    path = tree / module
    text = path.read_text()
    head, rest = text.split("from __future__ import annotations\n", 1)
    path.write_text(f"{head}from __future__ import annotations\n\n{line}\n{rest}")


def test_the_tree_keeps_every_contract(tree: Path) -> None:
    result = lint_imports(tree)
    assert result.returncode == 0, result.stdout
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        ("shared/aduan/domain/models.py", "import boto3", "The domain is pure"),
        ("shared/aduan/domain/deadlines.py", "from aduan.aws import clients", "The domain is pure"),
        ("shared/aduan/domain/views.py", "import aws_lambda_powertools", "The domain is pure"),
        (
            "shared/aduan/routing.py",
            "from aduan.aws.complaint_store import DynamoComplaintStore",
            "Use cases",
        ),
        ("shared/aduan/escalation.py", "from aduan.doors.runtime import Runtime", "Use cases"),
        ("shared/aduan/aws/queues.py", "from aduan import routing", "Adapters import no use case"),
        ("shared/aduan/intake.py", "import aduan_local.stack", "The Lambda layer ships alone"),
        (
            "shared/aduan/domain/tracking.py",
            "from aduan.domain import views",
            "No module imports in a circle",
        ),
        ("infra/aduan_local/httpapi.py", "from aduan_local import gateway", "No module imports in a circle"),
    ],
)
def test_a_broken_import_breaks_its_contract(tree: Path, module: str, line: str, broken: str) -> None:
    add_import(tree, module, line)
    result = lint_imports(tree)
    assert result.returncode != 0
    broken_lines = [text for text in result.stdout.splitlines() if text.endswith("BROKEN")]
    assert any(text.startswith(broken) for text in broken_lines), result.stdout
