"""docs/architecture.md's map of the package matches the tree: every module of shared/aduan has its
row, and every row names a module that exists, so a newcomer can trust it to find a rule."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ARCHITECTURE = ROOT / "docs" / "architecture.md"


def mapped(text: str) -> set[str]:
    """The paths the map's rows begin with (`| `shared/aduan/...py` | ...`)."""
    section = text.split("## The map", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `(shared/aduan/[\w/]+\.py)` \|", section, flags=re.MULTILINE))


def modules() -> set[str]:
    return {
        str(path.relative_to(ROOT))
        for path in (ROOT / "shared" / "aduan").rglob("*.py")
        if path.name != "__init__.py"
    }


def test_every_module_has_its_row_and_every_row_its_module() -> None:
    rows = mapped(ARCHITECTURE.read_text())
    assert sorted(modules() - rows) == [], "modules without a row in docs/architecture.md's map"
    assert sorted(rows - modules()) == [], "rows of the map naming no module"


def test_the_check_sees_a_missing_row() -> None:
    text = ARCHITECTURE.read_text()
    without = "\n".join(line for line in text.splitlines() if "`shared/aduan/domain/effects.py`" not in line)
    assert "shared/aduan/domain/effects.py" in modules() - mapped(without)
