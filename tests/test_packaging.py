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


def test_every_data_file_is_shipped() -> None:
    """Every file under selector/ that is not Python (the report's fonts and their licence,
    the specialties list, the migrations' ini) matches a package-data pattern."""
    here = ROOT / "selector"
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"
    ]["selector"]
    shipped = {p for pattern in patterns for p in here.glob(pattern)}
    data = {
        p
        for p in here.rglob("*")
        if p.is_file() and p.suffix not in {".py", ".pyc"} and "__pycache__" not in p.parts
    }
    assert {here / "fonts" / "DejaVuSans.ttf", here / "fonts" / "LICENSE"} <= shipped
    # the template of a new migration serves `alembic revision` in a checkout, not the wheel
    assert data - shipped == {here / "migrations" / "script.py.mako"}
