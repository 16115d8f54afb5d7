"""Packaging stays true (issue 9): every package under selector/ is in pyproject's list, and
the version is written once. CI also builds the wheel and runs it (.ci/wheel_smoke.sh)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import selector

ROOT = Path(__file__).resolve().parent.parent


def test_every_package_is_listed_for_the_wheel() -> None:
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(("selector", *p.parent.relative_to(ROOT / "selector").parts)).rstrip(".")
        for p in (ROOT / "selector").rglob("__init__.py")
    }
    assert found <= listed
    assert listed - found == {"selector.rubrics"}  # mapped from rubrics/ (package-dir)


def test_the_version_is_written_once() -> None:
    from importlib.metadata import version

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert "version" not in project and project["dynamic"] == ["version"]
    assert version("selector") == selector.__version__
