"""Every dashboard page under Streamlit's AppTest, on a temporary SQLite database.

A module-level template database (cycle 2026, four accounts, 12 applicants, assignments and
reviews) is copied for each test, which points ``$SELECTOR_DB`` at its copy.
"""

from __future__ import annotations

import dataclasses
import shutil
import time
import tomllib
from pathlib import Path

import pandas as pd
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
    parts += [t.value for t in at.text]
    return "\n".join(str(p) for p in parts)


def table(at: AppTest, column: str) -> pd.DataFrame:
    """The first table on the page that has ``column``."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


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


SSO_SECRETS = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "test-cookie-secret",
    "client_id": "test-client",
    "client_secret": "test-secret",
    "server_metadata_url": "https://login.example.org/.well-known/openid-configuration",
}


def test_single_sign_on_button_only_when_configured(db: Store) -> None:
    at = app_as(db, None)
    assert not [b for b in at.button if str(b.key).startswith("sso_login")]
    at = AppTest.from_file(str(APP), default_timeout=30)
    at.secrets["auth"] = SSO_SECRETS
    at.user = {"is_logged_in": False}
    at.run()
    no_exceptions(at)
    assert at.button(key="sso_login_default").label == "Sign in with single sign-on"


@pytest.mark.parametrize(
    ("email", "title"), [("Chair@Example.org", "Committee"), ("stranger@example.org", "selector")]
)
def test_single_sign_on_matches_the_account_by_email(db: Store, email: str, title: str) -> None:
    at = AppTest.from_file(str(APP), default_timeout=30)
    at.secrets["auth"] = SSO_SECRETS
    at.user = {"is_logged_in": True, "email": email}
    at.run()
    no_exceptions(at)
    assert page_titles(at) == [title]
    if title == "selector":
        assert any("has no account" in e.value for e in at.error)


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


# ------------------------------------------------------------------------------ coordinator


def test_upload_shows_validation_preview_and_imports(db: Store) -> None:
    at = app_as(db, "coordinator")
    csv = export_csv(14, bad_rows=1)
    at.file_uploader(key="upload_file").set_value(("export.csv", csv, "text/csv")).run()
    no_exceptions(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Accepted"] == "14"
    assert metrics["Rejected"] == "1"
    rejected = at.dataframe[0].value
    assert rejected["Row"].tolist() == [16]  # the header is row 1
    assert rejected["Name"].tolist() == ["Broken 0"]
    assert [t.label for t in at.tabs][:2] == ["New (2)", "Changed (0)"]
    assert len(db.applicants(db.system_user(), "2026")) == 12  # nothing written yet

    at.button(key="confirm_import").click().run()
    no_exceptions(at)
    assert any("Imported: 2 new" in s.value for s in at.success)
    assert len(db.applicants(db.system_user(), "2026")) == 14


def test_column_mapping_reads_the_file_again(db: Store) -> None:
    at = app_as(db, "coordinator")
    at.file_uploader(key="upload_file").set_value(("export.csv", export_csv(), "text/csv")).run()
    assert at.selectbox(key="map_pgy").value == "PGY"
    at.selectbox(key="map_pgy").set_value("ID")
    at.button(key="apply_mapping").click().run()
    no_exceptions(at)
    assert at.session_state[state.MAPPING] == {"pgy": "ID"}
    metrics = {m.label: m.value for m in at.metric}
    assert (metrics["Accepted"], metrics["Rejected"]) == ("10", "2")
    assert at.dataframe[0].value["Row"].tolist() == [12, 13]


def test_a_field_without_a_column_can_be_mapped_by_hand(db: Store) -> None:
    at = app_as(db, "coordinator")
    csv = export_csv().replace(b"Email", b"Contact", 1)
    at.session_state[state.MAPPING] = {"name": "Contact"}  # a wrong guess: no e-mails left
    at.file_uploader(key="upload_file").set_value(("export.csv", csv, "text/csv")).run()
    no_exceptions(at)
    assert any("no column found" in e.value for e in at.error)
    at.selectbox(key="manual_map_field").set_value("name")
    at.text_input(key="manual_map_header").input("Name")
    at.button(key="manual_map_apply").click().run()
    no_exceptions(at)
    assert {m.label: m.value for m in at.metric}["Accepted"] == "12"


def test_new_cycle_starts_with_the_current_rules_and_is_selected(db: Store) -> None:
    at = app_as(db, "coordinator")
    at.text_input(key="new_cycle_name").input("2027")
    at.button(key="create_cycle").click().run()
    no_exceptions(at)
    assert at.selectbox(key=state.CYCLE).value == "2027"
    assert "Cycle **2027**" in texts(at)
    assert db.cycle("2027").config_text == db.cycle("2026").config_text
    at.text_input(key="new_cycle_name").input("2027")
    at.button(key="create_cycle").click().run()
    assert any("already exists" in e.value for e in at.error)


def test_unreadable_upload_is_one_message_not_a_traceback(db: Store) -> None:
    at = app_as(db, "coordinator")
    at.file_uploader(key="upload_file").set_value(("export.csv", b"\x00\x01", "text/csv")).run()
    no_exceptions(at)
    assert at.error


def test_track_config_validates_before_saving(db: Store) -> None:
    at = app_as(db, "coordinator").switch_page("app_pages/track_config.py").run()
    no_exceptions(at)
    area = at.text_area(key="config_text_2026")
    area.input(CONFIG.replace("size = 10", "size = 0")).run()
    assert any("cohort.size" in e.value for e in at.error)
    assert at.button(key="save_config").disabled

    at.text_area(key="config_text_2026").input(CONFIG.replace("size = 10", "size = 9")).run()
    assert not at.button(key="save_config").disabled
    at.button(key="save_config").click().run()
    no_exceptions(at)
    assert db.cycle("2026").config.cohort.size == 9


def test_reviewers_page_assigns_and_adds_accounts(db: Store) -> None:
    at = app_as(db, "coordinator").switch_page("app_pages/reviewers.py").run()
    no_exceptions(at)
    table = at.dataframe[0].value
    assert set(table["E-mail"]) == {p[0] for p in PEOPLE.values()}
    at.number_input(key="assign_k").set_value(1)
    at.button(key="assign").click().run()
    no_exceptions(at)
    assert any("assignments" in s.value for s in at.success)

    at.text_input(key="new_user_email").input("r3@example.org")
    at.text_input(key="new_user_name").input("Rio Reviewer")
    at.selectbox(key="new_user_role").select("reviewer")  # issue 10: no role preselected
    at.text_input(key="new_user_password").input("pw-rev3-333")
    at.button(key="add_user").click().run()
    no_exceptions(at)
    assert db.user("r3@example.org") is not None


# ------------------------------------------------------------------------------ reviewer


def r1_queue(db: Store) -> list[str]:
    r1 = db.user("r1@example.org")
    assert r1 is not None
    return [a.applicant_id for a in db.applicants(r1, "2026")]


def test_reviewer_sees_only_their_queue_and_scores_save_at_once(db: Store) -> None:
    queue = r1_queue(db)
    at = app_as(db, "r1")
    no_exceptions(at)
    assert at.radio(key="queue").options == [f"○ {a} · Testperson {a[1:]}" for a in queue]
    first = at.radio(key="queue").value
    assert first == queue[0]
    for i, criterion in enumerate(CRITERIA):
        at.radio(key=f"score_{first}_{criterion}").set_value(3).run()
        saved = db.review(db.system_user(), "2026", first, "r1@example.org")
        assert (saved is not None) == (i == len(CRITERIA) - 1)  # saved once all are scored
    assert saved is not None and saved.scores == scores(3)
    at.radio(key=f"score_{first}_action").set_value(5).run()  # later changes save at once
    saved = db.review(db.system_user(), "2026", first, "r1@example.org")
    assert saved is not None and saved.scores["action"] == 5
    at.button(key="next_applicant").click().run()
    assert at.radio(key="queue").value == queue[1]


def test_draft_survives_switching_applicants(db: Store) -> None:
    queue = r1_queue(db)
    at = app_as(db, "r1")
    at.radio(key=f"score_{queue[0]}_awareness").set_value(4).run()
    at.radio(key="queue").set_value(queue[1]).run()
    assert at.radio(key=f"score_{queue[1]}_awareness").value is None
    at.radio(key="queue").set_value(queue[0]).run()
    no_exceptions(at)
    assert at.radio(key=f"score_{queue[0]}_awareness").value == 4
    assert db.review(db.system_user(), "2026", queue[0], "r1@example.org") is None


def test_reviewer_does_not_see_another_reviewers_scores(db: Store) -> None:
    system = db.system_user()
    shared = next(
        a for a in r1_queue(db) if db.review(system, "2026", a, "r2@example.org") is not None
    )
    at = app_as(db, "r1")
    at.radio(key="queue").set_value(shared).run()
    assert all(at.radio(key=f"score_{shared}_{c}").value is None for c in CRITERIA)


def test_a_refused_save_is_shown_not_lost_silently(db: Store) -> None:
    queue = r1_queue(db)
    at = app_as(db, "r1")
    for criterion in CRITERIA[:-1]:
        at.radio(key=f"score_{queue[0]}_{criterion}").set_value(3).run()
    db.withdraw_applicant(db.system_user(), "2026", queue[0])  # meanwhile, by the coordinator
    at.radio(key=f"score_{queue[0]}_{CRITERIA[-1]}").set_value(3).run()
    no_exceptions(at)
    assert any(e.value.startswith("Not saved:") and "withdrawn" in e.value for e in at.error)
    assert queue[0] not in at.radio(key="queue").options[0]


def test_declaring_a_conflict_removes_the_applicant(db: Store) -> None:
    queue = r1_queue(db)
    at = app_as(db, "r1")
    at.button(key=f"conflict_{queue[0]}").click().run()
    assert queue[0] in r1_queue(db)  # not before it is confirmed
    at.button(key=f"conflict_confirm_{queue[0]}").click().run()
    no_exceptions(at)
    assert queue[0] not in r1_queue(db)
    assert queue[0] not in at.radio(key="queue").options[0]


def test_blind_cycle_hides_identity_from_the_reviewer(db: Store) -> None:
    system = db.system_user()
    db.create_cycle(system, "Blind", CONFIG, blind=True)
    db.import_applications(system, "Blind", read_applications(export_csv(4), filename="x.csv"))
    db.assign(system, "Blind", k=2)
    at = app_as(db, "r1")  # the newest cycle is the default
    no_exceptions(at)
    assert at.selectbox(key=state.CYCLE).value == "Blind"
    shown = texts(at) + "".join(at.radio(key="queue").options)
    assert "Blind review" in shown
    assert "Testperson" not in shown and "@example.org" not in shown


def test_answers_show_as_written_so_no_image_loads_in_the_reviewers_browser(db: Store) -> None:
    system = db.system_user()
    answer = '![x](https://evil.example/t.png) <img src="https://evil.example/p.png">'
    quoted = '"' + answer.replace('"', '""') + '"'
    csv = f"{HEADER}\n1,Testperson 001,person1@example.org,2,Neurology,Program 1,{quoted}\n"
    db.create_cycle(system, "Markup", CONFIG)
    db.import_applications(system, "Markup", read_applications(csv.encode(), filename="x.csv"))
    db.set_assignment(system, "Markup", "A001", "r1@example.org", True)
    at = app_as(db, "r1")
    no_exceptions(at)
    assert answer in [t.value for t in at.text]  # shown literally, as plain text
    markup = [m.value for m in at.markdown] + [c.value for c in at.caption]
    assert not any("](https://" in m or "<img" in m for m in markup)
    assert at.get("imgs") == []


# ------------------------------------------------------------------------------ chair


def test_committee_shows_progress_calibration_and_reliability(db: Store) -> None:
    at = app_as(db, "chair")
    no_exceptions(at)
    assert page_titles(at) == ["Committee"]
    metrics = {m.label for m in at.metric}
    assert {"ICC(1)", "Krippendorff's α", "Applicants with 2+ reviews"} <= metrics
    assert "assigned reviews complete" in at.get("progress")[0].proto.text


def run_scenario(at: AppTest, name: str, lo: int, hi: int) -> AppTest:
    at.number_input(key=f"{name}_min_size").set_value(lo)
    at.number_input(key=f"{name}_max_size").set_value(hi)
    return at.button(key=f"run_{name}").click().run()


def test_selection_runs_two_scenarios_and_compares_them(db: Store) -> None:
    at = app_as(db, "chair").switch_page("app_pages/selection.py").run()
    no_exceptions(at)
    assert any("Run a scenario" in i.value for i in at.info)

    run_scenario(at, "A", 5, 5)
    no_exceptions(at)
    assert at.segmented_control(key="selection_view").value == "A"
    cohort = table(at, "Applicant")
    assert len(cohort) == 5
    assert cohort["Score"].is_monotonic_decreasing
    assert all(cohort["Why"].str.contains("if it declines"))  # who takes the seat, in words
    # Rules by their labels in plain words, not config keys; every not-selected applicant
    # has a status and a reason.
    prices = table(at, "Binds")
    assert "at most 2 per specialty" in prices["Rule"].tolist()
    assert not any("max_per_value" in rule for rule in prices["Rule"])
    out = table(at, "Status")
    assert not out.empty and all(out["Why"].str.len() > 0)

    run_scenario(at, "B", 6, 6)
    no_exceptions(at)
    at.segmented_control(key="selection_view").set_value("A vs B").run()
    no_exceptions(at)
    metrics = {m.label: m.value for m in at.metric}
    assert int(metrics["In both"]) + int(metrics["Only in B"]) == 6
    assert db.cycle("2026").config.cohort.size == 10  # the saved config is untouched


def test_infeasible_scenario_shows_diagnosis_and_relaxation(db: Store) -> None:
    at = app_as(db, "chair").switch_page("app_pages/selection.py").run()
    run_scenario(at, "A", 12, 12)  # more than the scored applicants
    no_exceptions(at)
    assert any("no cohort satisfies the rules" in e.value for e in at.error)
    at.button(key="relax_A").click().run()
    no_exceptions(at)
    decision = at.session_state[state.SCENARIOS]["2026"]["A"]["decision"]
    assert decision.status == "optimal"


def test_locks_are_kept_across_pages_and_respected(db: Store) -> None:
    at = app_as(db, "chair").switch_page("app_pages/selection.py").run()
    run_scenario(at, "A", 5, 5)
    first = table(at, "Applicant")["Applicant"].tolist()[0]
    at.multiselect(key="lock_out_2026").set_value([first]).run()
    at.switch_page("app_pages/committee.py").run()
    at.switch_page("app_pages/selection.py").run()
    assert at.multiselect(key="lock_out_2026").value == [first]
    at.button(key="run_A").click().run()
    no_exceptions(at)
    assert first not in table(at, "Applicant")["Applicant"].tolist()


def confirm_finalise(at: AppTest) -> AppTest:
    """Finalise on the Roster page: the button, then the confirmation (open reviews ticked)."""
    at.button(key="finalise").click().run()
    at.checkbox(key="confirm_open_reviews").check().run()
    return at.button(key="finalise_confirm").click().run()


def test_roster_downloads_and_finalises_into_the_audit_log(db: Store) -> None:
    at = app_as(db, "chair").switch_page("app_pages/roster.py").run()
    no_exceptions(at)
    assert any("Run a scenario" in i.value for i in at.info)
    at.switch_page("app_pages/selection.py").run()
    run_scenario(at, "A", 5, 5)
    selected = table(at, "Applicant")["Applicant"].tolist()
    at.switch_page("app_pages/roster.py").run()
    no_exceptions(at)
    assert len(at.get("download_button")) == 3  # xlsx, csv and the decision report
    assert table(at, "Applicant")["Applicant"].tolist() == selected
    confirm_finalise(at)
    no_exceptions(at)
    runs = db.runs(db.system_user(), "2026")
    assert runs[0].final and runs[0].decision["selected"] == selected
    assert "size = 5" in runs[0].config_text  # the scenario's rules, not the saved ones
    assert any(e.action == "run.final" for e in db.audit_log(db.system_user(), "2026"))


def test_demo_database_shows_demo_accounts_that_log_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SELECTOR_DB", f"sqlite:///{tmp_path / 'empty.db'}")
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    no_exceptions(at)
    assert "Demo data" in texts(at)
    at.button(key="demo_login_chair@example.org").click().run()
    no_exceptions(at)
    assert page_titles(at) == ["Committee"]


def test_server_settings_cap_uploads_and_hide_error_details() -> None:
    settings = tomllib.loads((APP.parent / ".streamlit" / "config.toml").read_text("utf-8"))
    assert 0 < settings["server"]["maxUploadSize"] <= 50  # MB
    assert settings["runner"]["magicEnabled"] is False
    assert settings["client"]["showErrorDetails"] in ("type", "none")
    assert settings["logger"]["enableRich"] is False  # rich prints the exception's text


FORMULA = '=HYPERLINK("http://x")'


def test_tables_neutralise_formulas_for_their_csv_download(db: Store) -> None:
    csv = export_csv(2) + f'3,"{FORMULA.replace(chr(34), chr(34) * 2)}",bad,PGY-0,,,x\n'.encode()
    at = upload(app_as(db, "coordinator"), csv)
    no_exceptions(at)
    rejected = table(at, "Problems")
    assert rejected["Name"].tolist() == ["'" + FORMULA]
    assert rejected["Row"].tolist() == [4]  # numbers stay numbers


def test_safe_frame_neutralises_text_cells_and_headers() -> None:
    from app_pages._common import safe_frame

    frame = pd.DataFrame({"Name": [FORMULA, "+cmd|' /C calc'!A0", "@SUM(1)", "Ada"],
                          "@head": [1, -2, 3, 4]})  # fmt: skip
    safe = safe_frame(frame)
    assert safe["Name"].tolist() == ["'" + FORMULA, "'+cmd|' /C calc'!A0", "'@SUM(1)", "Ada"]
    assert list(safe.columns) == ["Name", "'@head"] and safe["'@head"].tolist() == [1, -2, 3, 4]
    assert frame["Name"][0] == FORMULA  # the caller's frame is left alone


def test_an_unexpected_error_shows_and_logs_no_applicant_data(
    db: Store,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    from sqlalchemy.exc import IntegrityError

    def crash(*args: object, **kwargs: object) -> None:
        params = ("E1234ABCD", "Probo Marsh", "probo@example.org")
        raise IntegrityError("INSERT INTO applicants ...", params, Exception("UNIQUE failed"))

    monkeypatch.setattr(Store, "import_applications", crash)
    at = upload(app_as(db, "coordinator"), export_csv(14))
    at.button(key="confirm_import").click().run()
    no_exceptions(at)
    assert any("IntegrityError" in e.value for e in at.error)
    shown = texts(at) + caplog.text + "".join(capfd.readouterr())
    assert "IntegrityError" in caplog.text
    assert "Probo" not in shown and "probo@" not in shown


# ------------------------------------------------------------------------------ review fixes


def upload(at: AppTest, data: bytes | None, name: str = "export.csv") -> AppTest:
    """Put ``data`` in the Upload page's file picker (None removes the file) and run."""
    value = None if data is None else (name, data, "text/csv")
    return at.file_uploader(key="upload_file").set_value(value).run()


def tab_labels(at: AppTest) -> list[str]:
    return [t.label for t in at.tabs]


def test_a_changed_export_with_the_same_name_and_size_is_read_again(db: Store) -> None:
    at = upload(app_as(db, "coordinator"), export_csv())
    assert tab_labels(at)[:2] == ["New (0)", "Changed (0)"]
    changed = export_csv().replace(b"Testperson 001", b"Testperson 0X1")
    assert len(changed) == len(export_csv())
    upload(at, changed)
    no_exceptions(at)
    assert tab_labels(at)[:2] == ["New (0)", "Changed (1)"]


def test_removing_and_uploading_the_file_again_reads_it_afresh(db: Store) -> None:
    at = upload(app_as(db, "coordinator"), export_csv())
    at.selectbox(key="map_pgy").set_value("ID")
    at.button(key="apply_mapping").click().run()
    assert at.session_state[state.MAPPING] == {"pgy": "ID"}
    upload(at, None)
    no_exceptions(at)
    assert at.session_state[state.INTAKE] is None
    assert at.session_state[state.UPLOAD_NAME] is None
    assert at.session_state[state.MAPPING] == {}
    upload(at, export_csv())
    no_exceptions(at)
    assert {m.label: m.value for m in at.metric}["Accepted"] == "12"  # the guessed mapping


def test_a_mapping_does_not_carry_over_to_another_file(db: Store) -> None:
    at = upload(app_as(db, "coordinator"), export_csv())
    at.selectbox(key="map_pgy").set_value("ID")
    at.button(key="apply_mapping").click().run()
    assert {m.label: m.value for m in at.metric}["Rejected"] == "2"
    upload(at, export_csv(13), name="newer.csv")
    no_exceptions(at)
    assert at.session_state[state.MAPPING] == {}
    assert {m.label: m.value for m in at.metric}["Accepted"] == "13"


def test_the_preview_follows_the_cycle_for_the_same_file(db: Store) -> None:
    at = upload(app_as(db, "coordinator"), export_csv())
    assert tab_labels(at)[0] == "New (0)"
    at.text_input(key="new_cycle_name").input("2027")
    at.button(key="create_cycle").click().run()
    no_exceptions(at)
    assert at.selectbox(key=state.CYCLE).value == "2027"
    assert tab_labels(at)[0] == "New (12)"  # compared with the new, empty cycle
    assert at.button(key="confirm_import").label == "Import 12 applications into 2027"


def test_a_session_ends_when_its_login_is_disabled(db: Store) -> None:
    at = app_as(db, "chair")
    assert page_titles(at) == ["Committee"]
    assert db.disable_login(db.system_user(), "chair@example.org")
    at.run()
    no_exceptions(at)
    assert at.session_state[state.USER] is None
    assert page_titles(at) == ["selector"]
    assert "login was disabled" in texts(at)


def test_a_single_sign_on_session_needs_no_password_but_an_account(db: Store) -> None:
    db.add_user(db.system_user(), "sso-chair@example.org", "Sol Chair", "chair", None)
    at = AppTest.from_file(str(APP), default_timeout=30)
    at.secrets["auth"] = SSO_SECRETS
    at.user = {"is_logged_in": True, "email": "sso-chair@example.org"}
    at.run()
    assert page_titles(at) == ["Committee"]
    at.run()  # the account has no password: single sign-on is its only way in
    no_exceptions(at)
    assert page_titles(at) == ["Committee"]


def test_a_lock_on_a_withdrawn_applicant_does_not_block_a_run(db: Store) -> None:
    at = app_as(db, "chair").switch_page("app_pages/selection.py").run()
    run_scenario(at, "A", 5, 5)
    first = table(at, "Applicant")["Applicant"].tolist()[0]
    at.multiselect(key="lock_in_2026").set_value([first]).run()
    db.withdraw_applicant(db.system_user(), "2026", first)
    at.run()
    assert at.multiselect(key="lock_in_2026").value == []
    at.button(key="run_A").click().run()
    no_exceptions(at)
    assert not at.error, [e.value for e in at.error]
    decision = at.session_state[state.SCENARIOS]["2026"]["A"]["decision"]
    assert decision.status == "optimal" and first not in decision.selected


def test_locks_are_kept_per_cycle(db: Store) -> None:
    system = db.system_user()
    db.create_cycle(system, "Other", CONFIG)
    db.import_applications(system, "Other", read_applications(export_csv(4), filename="x.csv"))
    at = app_as(db, "chair").switch_page("app_pages/selection.py").run()
    at.selectbox(key=state.CYCLE).set_value("2026").run()
    at.multiselect(key="lock_in_2026").set_value(["A010"]).run()
    at.selectbox(key=state.CYCLE).set_value("Other").run()
    no_exceptions(at)
    assert at.multiselect(key="lock_in_Other").value == []
    at.button(key="run_A").click().run()
    no_exceptions(at)
    assert not any("locked applicant" in e.value for e in at.error)
    at.selectbox(key=state.CYCLE).set_value("2026").run()
    assert at.multiselect(key="lock_in_2026").value == ["A010"]
    run_scenario(at, "A", 5, 5)
    no_exceptions(at)
    assert "A010" in at.session_state[state.SCENARIOS]["2026"]["A"]["decision"].selected


def test_a_relaxation_that_releases_locks_updates_the_pickers(db: Store) -> None:
    at = app_as(db, "chair").switch_page("app_pages/selection.py").run()
    locked_out = [a.applicant_id for a in db.applicants(db.system_user(), "2026")][:8]
    at.multiselect(key="lock_out_2026").set_value(locked_out).run()
    run_scenario(at, "A", 5, 5)  # 4 applicants left for a cohort of 5
    assert any("no cohort satisfies the rules" in e.value for e in at.error)
    at.button(key="relax_A").click().run()
    no_exceptions(at)
    decision = at.session_state[state.SCENARIOS]["2026"]["A"]["decision"]
    assert decision.status == "optimal"
    kept = at.session_state[state.LOCKS]["2026"]["exclude"]
    assert len(kept) < len(locked_out)
    assert at.multiselect(key="lock_out_2026").value == kept == decision.exclude


def test_finalise_refuses_when_the_data_changed_since_the_run(db: Store) -> None:
    at = app_as(db, "chair").switch_page("app_pages/selection.py").run()
    run_scenario(at, "A", 5, 5)
    system = db.system_user()
    review = next(r for r in db.reviews(system, "2026") if not r.conflict)
    criterion = next(iter(review.scores))
    changed = {**review.scores, criterion: 1.0 if review.scores[criterion] != 1.0 else 2.0}
    db.save_review(system, "2026", dataclasses.replace(review, scores=changed))
    at.switch_page("app_pages/roster.py").run()
    confirm_finalise(at)
    assert any("run it again" in e.value for e in at.error)
    assert not any(r.final for r in db.runs(system, "2026"))


def test_streamlits_own_log_of_an_uncaught_error_loses_the_text() -> None:
    import logging

    import app_pages._common  # noqa: F401  (installs the filter)

    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    logger = logging.getLogger("streamlit.error_util")
    logger.addHandler(handler)
    try:
        row = "Probo Marsh <probo@example.org>"
        try:
            raise ValueError(row)  # the frames show this line of code, never the value
        except ValueError as exc:
            logger.error("Uncaught app execution", exc_info=exc)
    finally:
        logger.removeHandler(handler)
    (record,) = records
    text = logging.Formatter().format(record)
    assert "ValueError" in text and "Uncaught app execution" in text and "Probo" not in text


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("stray.xlsx", "claims 1,048,576 rows × 16,384 columns"),
        ("bomb.xlsx", "inflates to more than 100 MB"),
    ],
)
def test_a_hostile_workbook_is_one_message_and_the_server_goes_on(
    db: Store, name: str, said: str
) -> None:
    """Issue 8: the 1.9 KB stray-cell workbook aborted the Streamlit server for every user."""
    from tests.hostile_files import shared_strings_bomb, stray_cell

    data = stray_cell("XFD1048576") if name == "stray.xlsx" else shared_strings_bomb()
    at = upload(app_as(db, "coordinator"), data, name=name)
    assert not at.exception
    assert any(said in e.value for e in at.error)
    upload(at, export_csv())  # the same session reads the next file
    assert not at.exception
    assert not at.error
