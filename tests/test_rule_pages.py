# ruff: noqa: F811  (the pytest fixtures db and template come from test_app_pages)
"""Issue 10, rules that cannot be mistyped, on the dashboard: the Track config page checks as
`check-config` does; the scenario editor shows every rule, marks a stale result and refuses to
finalise it; A vs B says when the locks differ."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from app_pages import state
from selector.config import CONTRADICTIONS_HEADING
from selector.store import Store
from tests.test_app_pages import (  # noqa: F401 (fixtures)
    CONFIG,
    app_as,
    db,
    no_exceptions,
    run_scenario,
    table,
    template,
)

PSYCHIATRY_FLOOR = CONFIG.replace(
    "min_distinct = 5", 'min_distinct = 5\nmin_per_value = { "Psychiatry" = 1 }'
)


def config_page(db: Store, text: str) -> AppTest:
    at = app_as(db, "coordinator").switch_page("app_pages/track_config.py").run()
    at.text_area(key="config_text_2026").input(text).run()
    no_exceptions(at)
    return at


def test_track_config_refuses_what_check_config_refuses_in_its_words(db: Store) -> None:
    """Before: min_distinct 12 with a cohort of 10 was "Valid." and saved."""
    at = config_page(db, CONFIG.replace("min_distinct = 5", "min_distinct = 12"))
    assert not any("Valid" in s.value for s in at.success)
    assert any(CONTRADICTIONS_HEADING[1:] in e.value for e in at.error)
    assert any(
        "min_distinct 12 is more than the largest cohort (10)" in m.value.replace("\\", "")
        for m in at.markdown
    )
    assert at.button(key="save_config").disabled


def test_track_config_refuses_an_unknown_rule_field(db: Store) -> None:
    at = config_page(db, CONFIG.replace('field = "specialty"', 'field = "Specialty"'))
    assert any("did you mean 'specialty'?" in e.value for e in at.error)
    assert at.button(key="save_config").disabled


def test_track_config_accepts_a_column_of_the_cycle(db: Store) -> None:
    at = config_page(db, CONFIG.replace('field = "specialty"', 'field = "Why DEI"'))
    assert not at.error, [e.value for e in at.error]
    assert not at.button(key="save_config").disabled


def test_the_scenario_editor_shows_every_rule_of_the_config(db: Store) -> None:
    """Before: a saved min_per_value for Psychiatry was not in the editor (but applied)."""
    db.update_cycle_config(db.system_user(), "2026", PSYCHIATRY_FLOOR)
    at = app_as(db, "chair").switch_page("app_pages/selection.py").run()
    no_exceptions(at)
    rules = table(at, "min_per_value")
    assert rules["min_per_value"].tolist() == ["Psychiatry: 1"]
    assert rules["field"].tolist() == ["specialty"]


def stale_warnings(at: AppTest) -> list[str]:
    """The page's warnings besides the one about open reviews (the template has some)."""
    return [
        w.value
        for w in at.warning
        if "Reviews are still open" not in w.value and "Decided on the reviews" not in w.value
    ]


def test_a_result_decided_before_the_locks_changed_is_stale_and_not_finalised(db: Store) -> None:
    at = app_as(db, "chair").switch_page("app_pages/selection.py").run()
    run_scenario(at, "A", 5, 5)
    assert not stale_warnings(at)
    first = table(at, "Applicant")["Applicant"].tolist()[0]
    at.multiselect(key="lock_out_2026").set_value([first]).run()
    assert any("locks changed" in w.value for w in at.warning)
    at.switch_page("app_pages/roster.py").run()
    assert any("cannot be finalised" in w.value for w in at.warning)
    at.button(key="finalise").click().run()
    assert any("cannot be finalised" in e.value for e in at.error)
    assert not any(r.final for r in db.runs(db.system_user(), "2026"))


def test_a_result_decided_before_the_rules_changed_is_stale(db: Store) -> None:
    at = app_as(db, "chair").switch_page("app_pages/selection.py").run()
    run_scenario(at, "A", 5, 5)
    at.number_input(key="A_min_pgy").set_value(3).run()
    assert any("rules changed" in w.value for w in at.warning)
    at.button(key="run_A").click().run()
    no_exceptions(at)
    assert not stale_warnings(at)
    assert at.session_state[state.SCENARIOS]["2026"]["A"]["stale"] is None


def test_the_editor_stays_open_after_a_run(db: Store) -> None:
    at = app_as(db, "chair").switch_page("app_pages/selection.py").run()
    run_scenario(at, "A", 5, 5)
    assert all(e.proto.expandable.expanded for e in at.get("expandable"))


def test_a_vs_b_says_when_the_locks_differ(db: Store) -> None:
    at = app_as(db, "chair").switch_page("app_pages/selection.py").run()
    run_scenario(at, "A", 5, 5)
    first = table(at, "Applicant")["Applicant"].tolist()[0]
    at.multiselect(key="lock_out_2026").set_value([first]).run()
    run_scenario(at, "B", 5, 5)
    at.segmented_control(key="selection_view").set_value("A vs B").run()
    no_exceptions(at)
    assert any(f"locked out only in B: {first}" in w.value for w in at.warning)
