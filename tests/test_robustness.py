"""The bootstrap over reviewers: probabilities that reproduce, respect every rule, treat equal
applicants equally and break exact ties at random."""

from __future__ import annotations

import json
import math
import random
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from app_pages import state
from selector.cli import main
from selector.errors import InputError
from selector.models import Review
from selector.selection import UNITS, decide
from selector.selection.lottery import lot_order
from selector.selection.model import Candidate, build_model
from selector.selection.robustness import Bootstrap, review_values, robustness
from selector.selection.solve import Solver
from selector.store import Store
from tests.factories import make_applicants, make_config
from tests.test_app_pages import (
    CONFIG,
    PEOPLE,
    app_as,
    db,
    no_exceptions,
    run_scenario,
    scores,
    table,
    template,
)

__all__ = ["db", "template"]  # the page fixtures, used by name

ROOT = Path(__file__).resolve().parent.parent


def _reviews(scores: dict[str, list[float]]) -> list[Review]:
    """One review per listed score, by reviewers R1, R2, …"""
    return [
        Review(a, f"R{k + 1}", {"merit": s}) for a, row in scores.items() for k, s in enumerate(row)
    ]


def _within(p: float, q: float, draws: int) -> bool:
    """Two shares of the same draws differ by no more than sampling error (4 sigma)."""
    return abs(p - q) <= 4 * math.sqrt(max(p + q, 0.05) / draws)


def test_agreeing_reviewers_give_one_or_zero() -> None:
    people = make_applicants(12, seed=3, pgy=3)
    config = make_config(
        cohort={"size": 4},
        diversity=[{"field": "specialty", "max_per_value": 1}],
    )
    # Every reviewer agrees on every applicant: resampling cannot move a score.
    reviews = _reviews({a.applicant_id: [50.0 + i] * 3 for i, a in enumerate(people)})
    d = decide(people, reviews, config)
    found = robustness(d, reviews, draws=30, seed="agree")
    assert set(found.probability) == {a.applicant_id for a in people}
    for a, p in found.probability.items():
        assert p == (1.0 if a in d.selected else 0.0)
    assert found.secure == d.selected and found.contested == [] and found.near_misses == []


def test_same_seed_same_probabilities_and_prefix() -> None:
    people = make_applicants(15, seed=1, pgy=3)
    config = make_config(cohort={"size": 5})
    rng = random.Random(7)
    reviews = _reviews(
        {a.applicant_id: [float(rng.randint(30, 90)) for _ in range(3)] for a in people}
    )
    d = decide(people, reviews, config)
    one = robustness(d, reviews, draws=60, seed="fixed")
    two = robustness(d, reviews, draws=60, seed="fixed")
    assert one == two and one.seed == "fixed"
    assert one.to_json()["probability"] == two.to_json()["probability"]
    assert any(0 < p < 1 for p in one.probability.values())  # the reviews do disagree
    # Each draw has its own stream: the first 30 draws of 60 are the 30 draws of a run of 30.
    short = robustness(d, reviews, draws=30, seed="fixed")
    for a, p in one.probability.items():
        assert 0 <= round(p * 60) - round(short.probability[a] * 30) <= 30
    assert robustness(d, reviews, draws=60, seed="other") != one
    fresh = robustness(d, reviews, draws=5)
    assert fresh.seed and fresh.seed != "fixed"  # a fresh seed, recorded


def test_identical_reviews_equal_probabilities() -> None:
    people = make_applicants(10, seed=2, pgy=3, specialty="Surgery")
    config = make_config(cohort={"size": 4})
    rng = random.Random(11)
    scores = {a.applicant_id: [float(rng.randint(40, 80)) for _ in range(3)] for a in people}
    scores["A001"] = scores["A002"] = [45.0, 70.0, 62.0]  # the same reviews
    reviews = _reviews(scores)
    d = decide(people, reviews, config)
    draws = 600
    found = robustness(d, reviews, draws=draws, seed="twins")
    p, q = found.probability["A001"], found.probability["A002"]
    assert 0.05 < p < 0.95  # contested, so the test can tell
    assert _within(p, q, draws), (p, q)


def test_exact_ties_are_broken_at_random() -> None:
    """Two applicants with one identical review each compete for the last seat: the fixed
    tie-break always picks the same one; the bootstrap gives each about half."""
    people = make_applicants(4, seed=0, pgy=3)
    config = make_config(cohort={"size": 2})
    reviews = _reviews({"A001": [90.0], "A002": [60.0], "A003": [60.0], "A004": [10.0]})
    d = decide(people, reviews, config)
    assert "A001" in d.selected and len(set(d.selected) & {"A002", "A003"}) == 1
    found = robustness(d, reviews, draws=400, seed="tie")
    assert found.probability["A001"] == 1.0 and found.probability["A004"] == 0.0
    assert 0.35 < found.probability["A002"] < 0.65
    assert found.probability["A002"] + found.probability["A003"] == pytest.approx(1.0)


def test_locks_floor_and_eligibility_hold_in_every_draw() -> None:
    people = make_applicants(8, seed=4, pgy=3)
    config = make_config(cohort={"size": 3}, selection={"tie_break_seed": "t", "min_score": 40})
    reviews = _reviews(
        {
            "A001": [20.0, 90.0, 30.0],  # below the floor in some draws
            "A002": [95.0, 90.0, 99.0],  # locked out
            "A003": [10.0, 80.0, 70.0],  # locked in
            "A004": [60.0, 65.0, 55.0],
            "A005": [30.0, 35.0, 20.0],  # always below the floor
            "A006": [58.0, 61.0, 60.0],
            "A007": [70.0, 40.0, 50.0],
            "A008": [52.0, 51.0, 50.0],
        }
    )
    d = decide(people, reviews, config, include=["A003"], exclude=["A002"])
    assert d.status == "optimal"
    found = robustness(d, reviews, draws=200, seed="locks")
    assert found.probability["A002"] == 0.0
    assert found.probability["A005"] == 0.0
    # A003 is locked in; in a draw that puts it below the floor no cohort fits (none chosen).
    assert found.probability["A003"] + found.infeasible / found.draws == pytest.approx(1.0)
    assert found.infeasible > 0
    assert 0 < found.probability["A001"] < 1


@pytest.mark.parametrize("fast", [True, False])
def test_each_draw_is_optimal(fast: bool) -> None:
    """The cost-changed model (relaxation first, the program when it is fractional), and the
    fast path where it proves its cohort, give the same optimum as a model built and solved
    afresh with the draw's scores."""
    people = make_applicants(30, seed=5)
    config = make_config(
        cohort={"size": 6},
        eligibility={"min_pgy": 1, "pgy1_by_approval": False, "max_pgy1": 1},
        diversity=[{"field": "specialty", "max_per_value": 2, "min_distinct": 3}],
    )
    rng = random.Random(3)
    reviews = _reviews(
        {a.applicant_id: [float(rng.randint(20, 99)) for _ in range(3)] for a in people}
    )
    d = decide(people, reviews, config)
    boot = Bootstrap(d, review_values(reviews, d), fast=fast)
    gen = np.random.default_rng(0)
    for _ in range(25):
        units = gen.integers(20 * UNITS, 99 * UNITS, size=len(boot.ids))
        chosen = boot.decide(units, gen)
        assert chosen is not None
        got = sum(int(u) for u, c in zip(units, chosen, strict=True) if c)
        people_by_id = {a.applicant_id: a for a in people}
        cands = [
            Candidate(
                a,
                int(u),
                people_by_id[a].pgy == 1,
                False,
                {"specialty": people_by_id[a].specialty.casefold()},
            )
            for a, u in zip(boot.ids, units, strict=True)
        ]
        best = Solver(build_model(cands, config, [], []), "highs").solve()
        assert best is not None and best.value == got
    assert boot.lp_solves + boot.fast_draws == 25
    assert boot.fast_draws > 0 if fast else boot.lp_solves == 25


def test_refused_without_a_cohort_and_for_bad_draws() -> None:
    people = make_applicants(3, seed=0, pgy=3)
    config = make_config(cohort={"size": 5})
    reviews = _reviews({a.applicant_id: [50.0] for a in people})
    d = decide(people, reviews, config)
    assert d.status == "infeasible"
    with pytest.raises(InputError, match="nothing to resample"):
        robustness(d, reviews, draws=10)
    ok = decide(people, reviews, make_config(cohort={"size": 2}))
    with pytest.raises(InputError, match="draws"):
        robustness(ok, reviews, draws=0)


def test_cli_robustness(capsys: pytest.CaptureFixture[str]) -> None:
    args = [
        "select",
        "--applications",
        str(ROOT / "data" / "demo_applications.xlsx"),
        "--scores",
        str(ROOT / "data" / "demo_scores.csv"),
        "--config",
        str(ROOT / "rubrics" / "dei_leadership.toml"),
        "--robustness",
        "40",
        "--seed",
        "cli",
    ]
    assert main([*args, "--json"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert main([*args, "--json"]) == 0
    second = json.loads(capsys.readouterr().out)
    rob = first["robustness"]
    assert rob["draws"] == 40 and rob["seed"] == "cli"
    assert rob["probability"] == second["robustness"]["probability"]
    assert set(rob["secure"]) | set(rob["contested"]) == set(first["selected"])
    assert main(args) == 0
    text = capsys.readouterr().out
    assert "robustness: 40 bootstrap draws over reviewers (seed 'cli')" in text
    assert f"{len(rob['secure'])} of {len(first['selected'])} seats secure" in text
    assert main([*args[:-4], "--robustness", "0"]) == 2
    assert "draws must be between 1 and 100,000" in capsys.readouterr().err
    plain = [a for a in args if a not in ("--robustness", "40", "--seed", "cli")]
    assert main([*plain, "--json"]) == 0
    assert "robustness" not in json.loads(capsys.readouterr().out)


# ---------------------------------------------------------------- the Selection page's section


def test_selection_page_shows_robustness_once_per_result(db: Store) -> None:
    at = app_as(db, "chair").switch_page("app_pages/selection.py").run()
    run_scenario(at, "A", 5, 5)
    no_exceptions(at)
    assert "How sure is this cohort?" in [h.value for h in at.header]
    metrics = {m.label: m.value for m in at.metric}
    secure, of = metrics["Secure seats"].split(" of ")
    assert of == "5" and 0 <= int(secure) <= 5
    rows = table(at, "Probability")
    decision = at.session_state[state.SCENARIOS]["2026"]["A"]["decision"]
    assert set(rows.loc[rows["In cohort"], "Applicant"]) == set(decision.selected)
    assert rows["Probability"].between(0, 1).all()
    assessed, found = at.session_state[state.ROBUSTNESS][("2026", "A")]
    assert assessed is decision and found.draws == 200
    at.run()  # another rerun: the same result, not assessed again
    assert at.session_state[state.ROBUSTNESS][("2026", "A")][1] is found


# ------------------------------------------------------------------------------ the lottery


def _lottery_case() -> tuple[list[Any], list[Review], Any]:
    people = make_applicants(16, seed=8, pgy=3)
    config = make_config(
        cohort={"size": 5},
        diversity=[{"field": "specialty", "max_per_value": 2}],
        selection={"tie_break_seed": "t", "near_ties": "lottery"},
    )
    rng = random.Random(4)
    reviews = _reviews(
        {a.applicant_id: [float(rng.randint(40, 90)) for _ in range(3)] for a in people}
    )
    return people, reviews, config


def test_lottery_draws_the_contested_seats_and_keeps_every_rule() -> None:
    from selector.workflow import settle

    people, reviews, config = _lottery_case()
    optimum = decide(people, reviews, config)
    decision, found, lottery = settle(optimum, reviews, 300, "lot")
    assert found is not None and lottery is not None and lottery.seats > 0
    assert lottery.seed == found.seed == "lot" and found.draws == 300
    assert lottery.kept == found.secure
    assert set(lottery.pool) == set(found.contested) | set(found.near_misses)
    assert lottery.seats == len(found.contested) and len(lottery.drawn) == lottery.seats
    assert set(decision.selected) == set(lottery.kept) | set(lottery.drawn)
    assert set(lottery.drawn) <= set(lottery.pool)
    specialty = Counter(p.specialty for p in people if p.applicant_id in decision.selected)
    assert max(specialty.values()) <= 2 and len(decision.selected) == 5
    # The lot is the pool in the seeded hash order; the drawn come in that order.
    assert lottery.order == lot_order(lottery.pool, "lot")
    assert lottery.drawn == [a for a in lottery.order if a in lottery.drawn]
    for a in lottery.drawn:
        assert decision.reasons[a].startswith("selected by lot among")
    assert decision.total_score == pytest.approx(sum(decision.scores[a] for a in decision.selected))
    again, _, same = settle(optimum, reviews, 300, "lot")
    assert same == lottery and again.selected == decision.selected
    _, _, other = settle(optimum, reviews, 300, "another seed")
    assert other is not None and other.order != lottery.order


def test_no_lottery_unless_the_config_asks() -> None:
    from selector.workflow import settle

    people, reviews, config = _lottery_case()
    plain = config.model_copy(
        update={"selection": config.selection.model_copy(update={"near_ties": None})}
    )
    d = decide(people, reviews, plain)
    decision, found, lottery = settle(d, reviews, None, None)
    assert decision is d and found is None and lottery is None


def test_lottery_run_is_recorded_and_replays(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'lot.db'}"
    monkeypatch.setenv("SELECTOR_DB", url)
    config = tmp_path / "lottery.toml"
    text = (ROOT / "rubrics" / "dei_leadership.toml").read_text(encoding="utf-8")
    config.write_text(
        text.replace("standardize = false", 'standardize = false\nnear_ties = "lottery"')
    )
    data = ROOT / "data"
    assert main(["import", str(data / "demo_applications.xlsx"), "--cycle", "2026", "--json"]) == 0
    assert main(["scores", "import", str(data / "demo_scores.csv"), "--create-reviewers"]) == 0
    capsys.readouterr()
    args = ["select", "--config", str(config), "--robustness", "100", "--seed", "replay"]
    assert main([*args, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    lot = out["lottery"]
    assert lot["seed"] == "replay" and lot["seats"] == len(lot["drawn"]) > 0
    assert set(out["selected"]) == set(lot["kept"]) | set(lot["drawn"])
    (run,) = Store(url).runs(Store.system_user(), "2026")
    assert run.decision["lottery"] == lot
    assert main(["runs", "verify", "--latest"]) == 0
    capsys.readouterr()
    roster = tmp_path / "lot.xlsx"
    assert main([*args, "--out", str(roster)]) == 0
    capsys.readouterr()
    import openpyxl

    rules = list(openpyxl.load_workbook(roster)["Rules"].iter_rows(values_only=True))
    assert ("lottery seed", "replay") in rules
    assert {v for k, v in rules if k == "drawn by lot"} == set(lot["drawn"])


# ------------------------------------------------- the lottery on the dashboard (one code path)


def _chair(db: Store) -> Any:
    email, _, _, password, _ = PEOPLE["chair"]
    return db.authenticate(email, password)


def _lottery_cycle(db: Store) -> Any:
    """The page tests' cycle with the lottery's rules and a second review per applicant that
    disagrees with the first (one review each would leave the bootstrap nothing to
    resample): the chair and the cycle."""
    chair = _chair(db)
    system = db.system_user()
    db.save_reviews(
        system,
        "2026",
        [
            Review(a, "r1@example.org", scores(1 + (3 * int(a[1:])) % 5))
            for a, email in db.assignments(system, "2026")
            if email == "r1@example.org"
        ],
    )
    return chair, db.update_cycle_config(chair, "2026", LOTTERY_CONFIG)


#: The page tests' rules with a lottery for the seats they cannot separate, a cohort of 5.
LOTTERY_CONFIG = CONFIG.replace("[selection]\n", '[selection]\nnear_ties = "lottery"\n', 1).replace(
    "[cohort]\nsize = 10 ", "[cohort]\nsize = 5 ", 1
)


def test_scenario_finalised_with_a_lottery_records_it_and_verify_replays(db: Store) -> None:
    from selector import workflow

    assert 'near_ties = "lottery"' in LOTTERY_CONFIG and "size = 5 " in LOTTERY_CONFIG
    chair, cycle = _lottery_cycle(db)
    applicants, reviews = db.selection_inputs(chair, "2026")
    done = workflow.decide_scenario(cycle, applicants, reviews, cycle.config)
    lot = done.lottery
    assert lot is not None and done.robustness is not None and lot.seats > 0
    assert (
        lot.seed == done.robustness.seed == workflow.scenario_seed(done.decision, done.input_hash)
    )
    assert set(done.decision.selected) == set(lot.kept) | set(lot.drawn)
    # the same scenario run again draws the same lot (the seed is the data's and the locks')
    again = workflow.decide_scenario(cycle, applicants, reviews, cycle.config)
    assert again.lottery == lot and again.decision.selected == done.decision.selected
    notice = workflow.lottery_notice(done.decision, lot)
    assert notice and f"{lot.seats} of {len(done.decision.selected)} seats were drawn" in notice
    assert all(done.decision.applicants[a].name in notice for a in lot.pool)

    seen = workflow.open_reviews(db, chair, "2026")
    run_id = workflow.finalise_scenario(
        db,
        chair,
        cycle,
        done.config,
        done.decision,
        done.input_hash,
        confirmed_open=seen,
        robustness=done.robustness,
        lottery=done.lottery,
    )
    (run,) = db.runs(chair, "2026")
    assert run.id == run_id and run.final
    assert run.decision["lottery"] == lot.to_json()
    assert run.decision["robustness"]["draws"] == done.robustness.draws
    result = workflow.verify_run(db, chair, "2026", run_id)
    assert result.differences == []
    assert main(["runs", "verify", "--latest", "--cycle", "2026"]) == 0  # the CLI's face


def test_selection_page_says_which_seats_were_drawn_by_lot(db: Store) -> None:
    _lottery_cycle(db)
    at = app_as(db, "chair").switch_page("app_pages/selection.py").run()
    run_scenario(at, "A", 5, 5)
    no_exceptions(at)
    scenario = at.session_state[state.SCENARIOS]["2026"]["A"]
    lot, decision = scenario["lottery"], scenario["decision"]
    assert lot is not None and lot.seats > 0
    # the notice as read (the page escapes Markdown in it: it quotes applicants' names)
    (notice,) = [i.value.replace("\\", "") for i in at.info if "drawn by lot" in i.value]
    assert f"{lot.seats} of 5 seats were drawn by lot" in notice
    for a in lot.pool:
        assert a in notice and decision.applicants[a].name in notice
    assert "Drawn: " + ", ".join(f"{a} {decision.applicants[a].name}" for a in lot.drawn) in notice
    # the page's robustness is the bootstrap the lot was drawn from, not another one
    found = scenario["robustness"]
    assert {m.label: m.value for m in at.metric}["Contested seats"] == str(len(found.contested))
    assert any(f"{found.draws} bootstrap draws" in c.value for c in at.caption)
    at.switch_page("app_pages/roster.py").run()
    no_exceptions(at)
    assert any(f"{lot.seats} of 5 seats were drawn by lot" in i.value for i in at.info)
