"""Every dashboard page under Streamlit's AppTest, on a temporary SQLite database.

A module-level template database (cycle 2026, four accounts, 12 applicants, assignments and
reviews) is copied for each test, which points ``$SELECTOR_DB`` at its copy.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app_pages import state
from selector.config import DEFAULT_CONFIG_PATH, load_config
from selector.intake import read_applications
from selector.models import Review
from selector.store import Store

APP = Path(__file__).resolve().parent.parent / "app.py"
CONFIG = DEFAULT_CONFIG_PATH.read_text(encoding="utf-8")
CRITERIA = [c.id for c in load_config(DEFAULT_CONFIG_PATH).criteria]
SPECIALTIES = (
    "Pediatrics",
    "Family Medicine",
    "Psychiatry",
    "Emergency Medicine",
    "Surgery",
    "Neurology",
    "Internal Medicine",
)
HEADER = "ID,Name,Email,PGY,Specialty,Program,Why DEI"

PEOPLE = {
    "coordinator": ("coord@example.org", "Cody Coordinator", "coordinator", "pw-coord-1", ""),
    "chair": ("chair@example.org", "Charlie Chair", "chair", "pw-chair-1", ""),
    "r1": ("r1@example.org", "Rae Reviewer", "reviewer", "pw-rev1-11", "Program 1"),
    "r2": ("r2@example.org", "Ray Reviewer", "reviewer", "pw-rev2-22", "Program 2"),
}


def export_csv(n: int = 12, *, bad_rows: int = 0) -> bytes:
    """An applications export with ``n`` synthetic applicants and ``bad_rows`` broken ones."""
    lines = [HEADER]
    for i in range(1, n + 1):
        specialty = SPECIALTIES[i % len(SPECIALTIES)]
        lines.append(
            f"{i},Testperson {i:03d},person{i}@example.org,{2 + i % 3},{specialty},"
            f"Program {i % 3},essay {i}"
        )
    for j in range(bad_rows):
        lines.append(f"{n + j + 1},Broken {j},not-an-email,PGY-zero,,Program 1,essay")
    return ("\n".join(lines) + "\n").encode()


def scores(value: int) -> dict[str, float]:
    return {c: float(value) for c in CRITERIA}


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Cycle 2026 with 12 applicants, 2 reviewers each (r1 and r2); r2 has reviewed all."""
    path = tmp_path_factory.mktemp("template") / "selector.db"
    store = Store(f"sqlite:///{path}")
    system = store.system_user()
    store.create_cycle(system, "2026", CONFIG)
    for email, name, role, password, program in PEOPLE.values():
        store.add_user(system, email, name, role, password, program)
    store.import_applications(system, "2026", read_applications(export_csv(), filename="x.csv"))
    store.assign(system, "2026", k=2)
    reviews = [
        Review(applicant_id, "r2@example.org", scores(1 + int(applicant_id[1:]) % 5))
        for applicant_id, email in store.assignments(system, "2026")
        if email == "r2@example.org"
    ]
    store.save_reviews(system, "2026", reviews)
    store.close()
    return path


@pytest.fixture
def db(template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    path = tmp_path / "selector.db"
    shutil.copy(template, path)
    url = f"sqlite:///{path}"
    monkeypatch.setenv("SELECTOR_DB", url)
    return Store(url)


def app_as(db: Store, who: str | None) -> AppTest:
    """The app, run once, with ``who`` (a PEOPLE key) logged in, or nobody."""
    at = AppTest.from_file(str(APP), default_timeout=30)
    if who is not None:
        email, _, _, password, _ = PEOPLE[who]
        at.session_state[state.USER] = db.authenticate(email, password)
        at.session_state[state.LAST_SEEN] = time.time()
    return at.run()


def page_titles(at: AppTest) -> list[str]:
    return [t.value for t in at.title]


def texts(at: AppTest) -> str:
    """Everything the page wrote, as one string to search in."""
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [e.value for e in at.error] + [w.value for w in at.warning]
    parts += [s.value for s in at.success] + [i.value for i in at.info]
    return "\n".join(str(p) for p in parts)


def no_exceptions(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


# ------------------------------------------------------------------------------ login


def test_logged_out_sees_only_the_login_page(db: Store) -> None:
    at = app_as(db, None)
    no_exceptions(at)
    assert page_titles(at) == ["selector"]
    assert at.text_input(key="login_email") is not None
    with pytest.raises(ValueError):
        at.switch_page("app_pages/upload.py")


def test_wrong_password_is_refused_right_one_logs_in_with_role_pages(db: Store) -> None:
    at = app_as(db, None)
    at.text_input(key="login_email").input("coord@example.org")
    at.text_input(key="login_password").input("wrong-password")
    at.button(key="login_submit").click().run()
    assert "Unknown e-mail or wrong password." in texts(at)
    assert at.session_state[state.USER] is None

    at.text_input(key="login_password").input("pw-coord-1")
    at.button(key="login_submit").click().run()
    no_exceptions(at)
    assert at.session_state[state.USER].email == "coord@example.org"
    assert page_titles(at) == ["Upload applications"]


def test_session_times_out_after_inactivity(db: Store) -> None:
    at = app_as(db, "coordinator")
    assert page_titles(at) == ["Upload applications"]
    at.session_state[state.LAST_SEEN] = time.time() - 31 * 60
    at.run()
    assert at.session_state[state.USER] is None
    assert page_titles(at) == ["selector"]
    assert "timed out" in texts(at)


def test_log_out_button_ends_the_session(db: Store) -> None:
    at = app_as(db, "chair")
    at.button(key="logout").click().run()
    assert at.session_state[state.USER] is None
    assert page_titles(at) == ["selector"]


def test_no_demo_banner_with_real_data(db: Store) -> None:
    at = app_as(db, None)
    assert "Demo data" not in texts(at)
    assert not [b for b in at.button if str(b.key).startswith("demo_login_")]


# ------------------------------------------------------------------------------ role gates


@pytest.mark.parametrize(
    ("who", "allowed", "refused"),
    [
        ("coordinator", "app_pages/track_config.py", "app_pages/selection.py"),
        ("reviewer", "app_pages/my_reviews.py", "app_pages/committee.py"),
        ("chair", "app_pages/roster.py", "app_pages/upload.py"),
    ],
)
def test_navigation_holds_only_the_roles_pages(
    db: Store, who: str, allowed: str, refused: str
) -> None:
    at = app_as(db, "r1" if who == "reviewer" else who)
    at.switch_page(allowed).run()
    no_exceptions(at)
    with pytest.raises(ValueError, match="navigation page"):
        at.switch_page(refused)


@pytest.mark.parametrize(
    ("page", "who"),
    [
        ("selection.py", "r1"),
        ("roster.py", "r1"),
        ("committee.py", "coordinator"),
        ("upload.py", "chair"),
        ("my_reviews.py", "chair"),
        ("track_config.py", "r2"),
    ],
)
def test_each_page_checks_the_role_itself(db: Store, page: str, who: str) -> None:
    """Run a page file directly (as if the navigation let it through): it refuses."""
    at = AppTest.from_file(str(APP.parent / "app_pages" / page), default_timeout=30)
    email, _, _, password, _ = PEOPLE[who]
    at.session_state[state.USER] = db.authenticate(email, password)
    at.session_state[state.LAST_SEEN] = time.time()
    at.run()
    no_exceptions(at)
    assert any("This page is for the" in e.value for e in at.error)
    assert not at.title
