"""The two-year track: cycles join a track and start from the previous one; second-year
trainees (last cycle's accepted members) beside the new cohort on the roster and in the
report; the rule that keeps current trainees out; earlier applications by e-mail (never for a
reviewer); the composition of each cohort."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import openpyxl
import pytest

from selector import workflow
from selector.config import DEFAULT_CONFIG_PATH, loads_config
from selector.demo_accounts import DEMO_CYCLE
from selector.eligibility import CURRENT_TRAINEE, ineligibility_reason, ineligibility_rule
from selector.errors import InputError, PermissionDenied
from selector.models import Applicant, SecondYears
from selector.roster import roster_csv, roster_xlsx
from selector.store import Store
from tests.test_report import pdf_text
from tests.track_helpers import EXCLUDING, TWO, finalise, two_years

CONFIG = DEFAULT_CONFIG_PATH.read_text(encoding="utf-8")


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(f"sqlite:///{tmp_path / 'track.db'}")


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The two years of :func:`two_years`, made once per config and copied per test."""
    made: dict[str, Path] = {}
    for name, config in (("two", TWO), ("excluding", EXCLUDING)):
        path = tmp_path_factory.mktemp(name) / "track.db"
        two_years(Store(f"sqlite:///{path}"), config=config).close()
        made[name] = path
    return made


def copy_of(templates: dict[str, Path], name: str, tmp_path: Path) -> Store:
    shutil.copy(templates[name], tmp_path / "copy.db")
    return Store(f"sqlite:///{tmp_path / 'copy.db'}")


@pytest.fixture
def track(templates: dict[str, Path], tmp_path: Path) -> Store:
    return copy_of(templates, "two", tmp_path)


@pytest.fixture
def excluding(templates: dict[str, Path], tmp_path: Path) -> Store:
    return copy_of(templates, "excluding", tmp_path)


def id_of(store: Store, cycle: str, email: str) -> str:
    """The applicant id of an e-mail in a cycle."""
    system = store.system_user()
    found = [a for a in store.applicants(system, cycle) if a.email == email]
    assert len(found) == 1
    return found[0].applicant_id


# ---------------------------------------------------------------- cycles and tracks


def test_a_first_cycle_founds_a_track_named_by_its_config(store: Store) -> None:
    made = workflow.create_cycle(store, store.system_user(), "2026")
    assert made.track == "DEI Leadership Track"  # the bundled config's [track] name
    assert made.config_text == CONFIG
    assert store.tracks() == ["DEI Leadership Track"]


def test_a_new_cycle_starts_from_the_newest_of_its_track(store: Store) -> None:
    system = store.system_user()
    store.create_cycle(system, "2026", TWO)
    made = workflow.create_cycle(store, system, "2027")
    assert (made.track, made.config_text) == ("DEI Leadership Track", TWO)
    assert store.previous_cycle("2027") == store.cycle("2026")
    assert store.previous_cycle("2026") is None
    assert [c.name for c in store.track_cycles(made.track)] == ["2026", "2027"]


def test_from_names_the_cycle_to_start_from_and_a_config_overrides_its_rules(
    store: Store,
) -> None:
    system = store.system_user()
    store.create_cycle(system, "2026", TWO)
    store.create_cycle(system, "2027", CONFIG)
    made = workflow.create_cycle(store, system, "2028", from_cycle="2026")
    assert made.config_text == TWO and made.track == "DEI Leadership Track"
    other = workflow.create_cycle(store, system, "X1", EXCLUDING, track="Surgery track")
    assert other.track == "Surgery track" and other.config_text == EXCLUDING
    assert store.previous_cycle("X1") is None
    # The default base is then the newest real cycle: X1, in its own track.
    assert workflow.create_cycle(store, system, "X2").track == "Surgery track"
    assert store.previous_cycle("X2") == store.cycle("X1")
    with pytest.raises(InputError, match="no cycle named"):
        workflow.create_cycle(store, system, "2029", from_cycle="1999")


def test_the_demo_cycle_is_never_a_real_cycles_year_before(store: Store) -> None:
    system = store.system_user()
    demo = store.create_cycle(system, DEMO_CYCLE, TWO)
    assert demo.track == f"DEI Leadership Track ({DEMO_CYCLE})"
    made = workflow.create_cycle(store, system, "2027", from_cycle=DEMO_CYCLE)
    assert made.config_text == TWO and made.track == "DEI Leadership Track"
    assert store.previous_cycle("2027") is None
    assert workflow.second_years(store, system, "2027").cycle is None


def test_creating_a_cycle_needs_the_coordinator(track: Store) -> None:
    chair = track.user("chair@example.org")
    assert chair is not None
    with pytest.raises(PermissionDenied):
        workflow.create_cycle(track, chair, "2028")


# ---------------------------------------------------------------- second-year trainees


def test_second_years_are_last_cycles_final_cohort(track: Store) -> None:
    system = track.system_user()
    found = workflow.second_years(track, system, "2027")
    assert found.cycle == "2026"
    assert [a.applicant_id for a in found.members] == ["A004", "A005"]
    assert workflow.second_years(track, system, "2026").cycle is None
    assert workflow.current_trainees(track, system, "2027") == {
        "person4@example.org",
        "person5@example.org",
    }
    # The seam: the final run in force, and nothing once it is undone.
    assert [a.applicant_id for a in workflow.accepted_members(track, "2026")] == ["A004", "A005"]
    track.unfinalise(system, "2026", "test")
    assert workflow.second_years(track, system, "2027").members == ()


def test_once_offers_are_made_the_second_years_are_the_accepted_members(track: Store) -> None:
    system = track.system_user()
    workflow.create_offers(track, system, "2026")
    # Offers out, no answer yet: nobody has accepted a seat.
    assert workflow.second_years(track, system, "2027").members == ()
    workflow.record_answer(track, system, "2026", "A004", "accepted")
    workflow.record_answer(track, system, "2026", "A005", "declined")
    found = workflow.second_years(track, system, "2027")
    assert [a.applicant_id for a in found.members] == ["A004"]
    assert workflow.current_trainees(track, system, "2027") == {"person4@example.org"}


def test_a_reviewer_reads_no_second_years(track: Store) -> None:
    reviewer = track.user("r1@example.org")
    assert reviewer is not None
    with pytest.raises(PermissionDenied):
        workflow.second_years(track, reviewer, "2027")
    with pytest.raises(PermissionDenied):
        track.final_cohort(reviewer, "2026")


def test_the_roster_lists_the_second_years_beside_the_cohort(track: Store) -> None:
    system = track.system_user()
    target = track.cycle("2027")
    done = workflow.decide_cycle(track, system, "2027", target.config, target.config_text)
    seconds = workflow.second_years(track, system, "2027")
    book = openpyxl.load_workbook(io.BytesIO(roster_xlsx(done.decision, second_years=seconds)))
    assert book.sheetnames[:2] == ["Cohort", "Second-years"]
    sheet = [[c.value for c in row] for row in book["Second-years"].iter_rows()]
    assert sheet[0][-1] == "Cohort of"
    assert [(r[0], r[2], r[-1]) for r in sheet[1:]] == [
        ("A004", "person4@example.org", "2026"),
        ("A005", "person5@example.org", "2026"),
    ]
    rows = list(
        csv.DictReader(
            io.StringIO(roster_csv(done.decision, second_years=seconds).decode("utf-8-sig"))
        )
    )
    statuses = [(r["applicant_id"], r["status"], r["second_year_of"]) for r in rows]
    cohort = len(done.decision.selected)
    assert [s[1] for s in statuses[:cohort]] == ["selected"] * cohort
    assert statuses[cohort : cohort + 2] == [
        ("A004", "second-year", "2026"),
        ("A005", "second-year", "2026"),
    ]
    assert all(s[2] == "" for s in statuses if s[1] != "second-year")
    # Without a track's year before, the roster is as it was.
    first = openpyxl.load_workbook(io.BytesIO(roster_xlsx(done.decision)))
    assert "Second-years" not in first.sheetnames
    assert "second_year_of" not in roster_csv(done.decision).decode("utf-8-sig")


def test_the_roster_command_and_select_write_the_second_years(track: Store, tmp_path: Path) -> None:
    system = track.system_user()
    target = track.cycle("2027")
    out = tmp_path / "roster.xlsx"
    workflow.decide_cycle(track, system, "2027", target.config, target.config_text, roster=out)
    assert "Second-years" in openpyxl.load_workbook(out).sheetnames
    again = tmp_path / "again.csv"
    workflow.roster_of_final_run(track, system, "2027", again)
    assert again.read_text(encoding="utf-8-sig").count(",second-year,") == 2


def test_the_report_lists_the_second_years(track: Store) -> None:
    system = track.system_user()
    finalise(track, "2027")
    _, pdf = workflow.decision_report(track, system, "2027")
    text = pdf_text(pdf)
    assert "Second-year trainees (the cohort of 2026)" in text
    assert "Testperson D" in text and "Testperson E" in text
    _, first = workflow.decision_report(track, system, "2026")
    assert "Second-year trainees" not in pdf_text(first)


# ---------------------------------------------------------------- current trainees


def person(email: str, pgy: int = 3) -> Applicant:
    return Applicant("A1", "Someone", email, pgy, "Psychiatry")


def test_eligibility_keeps_a_current_trainee_out_only_under_the_rule() -> None:
    on, off = loads_config(EXCLUDING, "on"), loads_config(TWO, "off")
    trainees = frozenset({"trainee@example.org"})
    assert ineligibility_reason(person("Trainee@Example.ORG"), on, trainees) == CURRENT_TRAINEE
    assert ineligibility_rule(person("Trainee@Example.ORG"), on, trainees) == "current_trainee"
    assert ineligibility_reason(person("Trainee@Example.ORG"), off, trainees) is None
    assert ineligibility_reason(person("new@example.org"), on, trainees) is None
    assert on.rule_labels()["current_trainee"] == "not a current trainee of the track"
    assert "current_trainee" not in off.rule_labels()


def test_the_rule_keeps_a_trainee_who_reapplies_out_of_the_pool(excluding: Store) -> None:
    track = excluding
    system = track.system_user()
    trainee = id_of(track, "2027", "person5@example.org")  # applied as Person5@EXAMPLE.org
    target = track.cycle("2027")
    done = workflow.decide_cycle(track, system, "2027", target.config, target.config_text)
    decision = done.decision
    assert trainee not in decision.selected
    why = decision.why[trainee]
    assert why.status == "ineligible" and why.rules == ("current_trainee",)
    assert why.text == f"not selected: {CURRENT_TRAINEE}"
    rule = next(r for r in decision.rules if r.id == "current_trainee")
    assert rule.binding and rule.price is None
    # The run keeps the trainees and replays.
    assert workflow.verify_run(track, system, "2027").identical
    (run,) = [r for r in track.runs(system, "2027")]
    # The bootstrap never draws a trainee into the cohort either.
    again = workflow.decide_cycle(
        track, system, "2027", target.config, target.config_text, robustness=20, seed="s"
    )
    assert again.robustness is not None
    assert set(again.robustness.probability) == set(decision.selected) | {"A002"}
    assert run.inputs is not None
    assert run.inputs["trainees"] == ["person4@example.org", "person5@example.org"]


def test_without_the_rule_a_trainee_competes(track: Store) -> None:
    system = track.system_user()
    trainee = id_of(track, "2027", "person5@example.org")
    target = track.cycle("2027")
    done = workflow.decide_cycle(track, system, "2027", target.config, target.config_text)
    assert trainee in done.decision.selected  # the best score of 2027


def test_the_application_view_flags_a_current_trainee(excluding: Store) -> None:
    track = excluding
    chair = track.user("chair@example.org")
    assert chair is not None
    trainee = id_of(track, "2027", "person5@example.org")
    view = workflow.application_view(track, chair, "2027", trainee)
    assert f"not eligible: {CURRENT_TRAINEE}" in view.flags


# ---------------------------------------------------------------- earlier applications


@pytest.mark.parametrize("role", ["chair", "coordinator"])
def test_the_chair_and_coordinator_see_earlier_applications(track: Store, role: str) -> None:
    actor = track.user(f"{'coord' if role == 'coordinator' else 'chair'}@example.org")
    assert actor is not None
    trainee = id_of(track, "2027", "person5@example.org")
    view = workflow.application_view(track, actor, "2027", trainee)
    (earlier,) = view.earlier
    assert (earlier.cycle, earlier.applicant_id, earlier.outcome) == ("2026", "A005", "selected")
    assert earlier.score == 40.0 and earlier.reviews == 1
    other = id_of(track, "2027", "person2@example.org")
    (not_chosen,) = workflow.earlier_applications(track, actor, "2027", other)
    assert not_chosen.outcome.startswith("not selected") and not_chosen.score == 16.0
    newcomer = id_of(track, "2027", "person7@example.org")
    assert workflow.earlier_applications(track, actor, "2027", newcomer) == []
    # Nothing later than the cycle is earlier.
    assert workflow.earlier_applications(track, actor, "2026", "A005") == []


@pytest.mark.parametrize("blind", [True, False])
def test_a_reviewer_never_sees_earlier_applications(store: Store, blind: bool) -> None:
    track = two_years(store, config=TWO.replace("blind = false", f"blind = {str(blind).lower()}"))
    system = track.system_user()
    trainee = id_of(track, "2027", "person5@example.org")
    track.set_assignment(system, "2027", trainee, "r2@example.org", assigned=True)
    reviewer = track.user("r2@example.org")
    assert reviewer is not None
    shown = [a.applicant_id for a in track.applicants(reviewer, "2027")]
    (known_as,) = shown
    view = workflow.application_view(track, reviewer, "2027", known_as)
    assert view.earlier == ()
    with pytest.raises(PermissionDenied):
        workflow.earlier_applications(track, reviewer, "2027", known_as)
    with pytest.raises(PermissionDenied):
        track.earlier_applications(reviewer, "2027", trainee)


# ---------------------------------------------------------------- composition


def test_composition_counts_each_cohort_year_over_year(track: Store) -> None:
    system = track.system_user()
    finalise(track, "2027")
    found = workflow.composition(track, system)
    assert found.track == "DEI Leadership Track"
    first, second = found.to_json()["cycles"]
    assert first == {
        "cycle": "2026",
        "cohort": 2,
        "specialty": {"Family Medicine": 1, "Pediatrics": 1},
        "pgy": {"PGY3": 1, "PGY4": 1},
        "program": {"Program 1": 1, "Program 2": 1},
    }
    assert second["cycle"] == "2027" and second["cohort"] == 2
    assert sum(second["specialty"].values()) == 2
    assert len(found.rows()) == sum(
        len(c[f]) for c in (first, second) for f in ("specialty", "pgy", "program")
    )
    assert found.summary().startswith("Track DEI Leadership Track, cohort by cycle. 2026: 2")
    reviewer = track.user("r1@example.org")
    assert reviewer is not None
    with pytest.raises(PermissionDenied):
        workflow.composition(track, reviewer)
    with pytest.raises(InputError, match="no track named"):
        workflow.composition(track, system, "Nope")


def test_the_composition_summary_says_one_member_in_the_singular() -> None:
    from selector.workflow.track import CohortMix, Composition

    one = CohortMix(
        "2027", 1, {"specialty": {"Surgery": 1}, "pgy": {"PGY1": 1}, "program": {"P": 1}}
    )
    two = CohortMix(
        "2028",
        2,
        {"specialty": {"Surgery": 1, "Neurology": 1}, "pgy": {"PGY2": 2}, "program": {"P": 2}},
    )
    said = Composition("T", (one, two)).summary()
    assert "2027: 1 member from 1 specialty, 1 PGY level, 1 program;" in said
    assert "2028: 2 members from 2 specialties, 1 PGY level, 1 program." in said


def test_second_years_on_the_roster_cannot_run_as_formulas(track: Store) -> None:
    system = track.system_user()
    target = track.cycle("2027")
    done = workflow.decide_cycle(track, system, "2027", target.config, target.config_text)
    hostile = Applicant("A009", '=HYPERLINK("http://x")', "h@example.org", 3, "@SUM(1)", "+P")
    seconds = SecondYears("2026", (hostile,))
    book = openpyxl.load_workbook(io.BytesIO(roster_xlsx(done.decision, second_years=seconds)))
    row = [c.value for c in book["Second-years"][2]]
    assert row[1] == '\'=HYPERLINK("http://x")' and row[4] == "'@SUM(1)" and row[5] == "'+P"
    text = roster_csv(done.decision, second_years=seconds).decode("utf-8-sig")
    (line,) = [r for r in csv.reader(io.StringIO(text)) if r and r[0] == "A009"]
    assert line[1] == '\'=HYPERLINK("http://x")' and line[4] == "'@SUM(1)"
