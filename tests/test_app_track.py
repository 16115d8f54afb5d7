"""The track in the dashboard (AppTest): the Track page's composition chart and table for the
chair and the coordinator, the second-year trainees on the Roster page, earlier applications
in the application dialog, and New cycle joining the current cycle's track."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app_pages import state
from selector.store import Store
from tests.test_app_pages import app_as, no_exceptions, page_titles, run_scenario, table, texts
from tests.test_app_whole_picture import select_row
from tests.track_helpers import finalise, two_years


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two years of a track (see tests/track_helpers.py); 2027 not yet final."""
    path = tmp_path_factory.mktemp("track") / "selector.db"
    two_years(Store(f"sqlite:///{path}")).close()
    return path


@pytest.fixture
def db(template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    path = tmp_path / "selector.db"
    shutil.copy(template, path)
    url = f"sqlite:///{path}"
    monkeypatch.setenv("SELECTOR_DB", url)
    return Store(url)


def tab_labels(at: AppTest) -> list[str]:
    return [t.label for t in at.tabs]


@pytest.mark.parametrize("who", ["chair", "coordinator"])
def test_the_track_page_shows_each_cohorts_composition(db: Store, who: str) -> None:
    finalise(db, "2027")
    at = app_as(db, who).switch_page("app_pages/track.py").run()
    no_exceptions(at)
    assert page_titles(at) == ["Track"]
    shown = texts(at).replace("\\", "")  # markdown escapes taken off
    assert "Track **DEI Leadership Track**" in shown
    assert "2026: 2 members from 2 specialties, 2 PGY levels, 2 programs" in shown
    data = table(at, "Field")  # the chart's data, as a table
    assert set(data["Cycle"]) == {"2026", "2027"}
    assert set(data["Field"]) == {"Specialty", "PGY", "Program"}
    assert data.groupby(["Cycle", "Field"])["Members"].sum().eq(2).all()
    sizes = next(d.value for d in at.dataframe if list(d.value.columns) == ["Cycle", "Members"])
    assert sizes.values.tolist() == [["2026", 2], ["2027", 2]]
    assert len(at.get("vega_lite_chart")) == 1


def test_the_track_page_says_when_no_cohort_is_final(db: Store) -> None:
    system = db.system_user()
    db.unfinalise(system, "2026")
    at = app_as(db, "chair").switch_page("app_pages/track.py").run()
    no_exceptions(at)
    assert any("No cycle of this track has a final cohort yet" in i.value for i in at.info)


def test_a_reviewer_has_no_track_page(db: Store) -> None:
    at = app_as(db, "r1")
    no_exceptions(at)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("app_pages/track.py")
    assert "Track" not in page_titles(at)


def test_the_roster_page_lists_the_second_years_beside_the_cohort(db: Store) -> None:
    at = app_as(db, "chair").switch_page("app_pages/selection.py").run()
    run_scenario(at, "A", 2, 2)
    no_exceptions(at)
    at.switch_page("app_pages/roster.py").run()
    no_exceptions(at)
    assert "Second-year trainees: the cohort of 2026" in [h.value for h in at.subheader]
    seconds = next(
        d.value
        for d in at.dataframe
        if "Program" in d.value.columns and "Score" not in d.value.columns
    )
    assert seconds["Applicant"].tolist() == ["A004", "A005"]
    assert seconds["Name"].tolist() == ["Testperson D", "Testperson E"]


def test_the_roster_page_of_a_first_cycle_has_no_second_years(db: Store) -> None:
    at = app_as(db, "chair")
    at.session_state[state.CYCLE] = "2026"
    at.switch_page("app_pages/selection.py").run()
    run_scenario(at, "A", 2, 2)
    at.switch_page("app_pages/roster.py").run()
    no_exceptions(at)
    assert not any("Second-year" in h.value for h in at.subheader)


def test_the_chair_sees_earlier_applications_in_the_dialog(db: Store) -> None:
    at = app_as(db, "chair").switch_page("app_pages/selection.py").run()
    run_scenario(at, "A", 2, 2)
    cohort = table(at, "Applicant")
    row = cohort["Name"].tolist().index("Testperson E")  # a member of 2026, back in 2027
    select_row(at, "cohort_A", row)
    no_exceptions(at)
    assert "Earlier applications (1)" in tab_labels(at)
    earlier = table(at, "Outcome")
    assert earlier[["Cycle", "Applicant", "Outcome"]].values.tolist() == [
        ["2026", "A005", "selected"]
    ]
    assert earlier["Score"].tolist() == [40.0]


def test_new_cycle_joins_the_track_of_the_current_cycle(db: Store) -> None:
    at = app_as(db, "coordinator")
    at.text_input(key="new_cycle_name").input("2028")
    at.button(key="create_cycle").click().run()
    no_exceptions(at)
    assert at.selectbox(key=state.CYCLE).value == "2028"
    made = db.cycle("2028")
    assert made.track == "DEI Leadership Track"
    assert made.config_text == db.cycle("2027").config_text
    assert db.previous_cycle("2028") == db.cycle("2027")
