"""docs/architecture.md stays true: every module under selector/ is named there (issue 9), so a
newcomer finds each concept by its file name."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "selector"


def _modules() -> list[str]:
    """Each module as the doc names it: ``xlsx.py``, ``store/users.py``; a package by its
    folder (``intake/``) rather than its ``__init__.py``."""
    names = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] == "migrations" or relative.name == "__main__.py":
            continue
        if relative.name == "__init__.py":
            if relative.parent == Path("."):
                continue
            names.append(f"{relative.parent.as_posix()}/")
        else:
            names.append(relative.as_posix())
    return names


def test_every_module_is_in_the_architecture_doc() -> None:
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    missing = [m for m in _modules() if f"`{m}" not in doc]
    assert not missing, f"add to docs/architecture.md: {missing}"


def test_the_module_list_is_not_empty() -> None:
    modules = _modules()
    assert "xlsx.py" in modules and "store/" in modules and "selection/model.py" in modules
