"""The selection engine: rules, locks, the JSON contract, explanations and diagnosis."""

from __future__ import annotations

import json
from dataclasses import replace
from types import SimpleNamespace
from typing import Any

import pulp
import pytest

from selector.config import DEFAULT_CONFIG_PATH, load_config
from selector.errors import InputError, SelectorError
from selector.models import Applicant
from selector.selection import Decision, apply_relaxations, decide
from selector.selection.solve import read_status as _status
from tests.factories import make_applicants, make_config, make_reviews

SPECS = ["Surgery", "Surgery", "Surgery", "Pediatrics", "Pediatrics", "Neurology"]


def pick(
    apps: list[Applicant], scores: dict[str, float], config: Any = None, **kw: Any
) -> Decision:
    config = config or make_config()
    return decide(apps, make_reviews(apps, config, scores=scores), config, **kw)


def six(**overrides: Any) -> tuple[list[Applicant], dict[str, float]]:
    apps = make_applicants(6, **{"pgy": 3, "specialty": SPECS, **overrides})
    scores = {a.applicant_id: float(s) for a, s in zip(apps, [90, 80, 70, 60, 50, 40], strict=True)}
    return apps, scores


def test_top_scores_without_rules() -> None:
    apps, scores = six()
    d = pick(apps, scores)
    assert d.status == "optimal"
    assert d.selected == ["A001", "A002", "A003"]
    assert d.total_score == 240.0
    assert d.unconstrained == {"selected": ["A001", "A002", "A003"], "total_score": 240.0}


def test_diversity_cap_and_its_price() -> None:
    apps, scores = six()
    config = make_config(diversity=[{"field": "specialty", "max_per_value": 1}])
    d = pick(apps, scores, config)
    assert d.selected == ["A001", "A004", "A006"]
    assert d.rule_prices == {"at most 1 per specialty": 50.0}  # 240 unconstrained
    # A002 (Surgery) needs more than A001's seat: forced in, A001 leaves → 80+60+40 = 180.
    assert d.margins["A002"] == 10.0
    assert d.margins["A001"] == 10.0  # without A001, A002 takes Surgery: 180 vs 190
    assert d.replacements == {"A001": "A002", "A004": "A005", "A006": None}


def test_min_distinct_and_min_per_value() -> None:
    apps, scores = six()
    rule = {"field": "specialty", "min_distinct": 3, "min_per_value": {"pediatrics": 2}}
    d = pick(apps, scores, make_config(cohort={"size": 4}, diversity=[rule]))
    assert d.selected == ["A001", "A004", "A005", "A006"]


def test_pgy1_cap_and_approval() -> None:
    apps, scores = six(pgy=[1, 1, 1, 3, 3, 3], pgy1_approved=[True, True, False, True, True, True])
    config = make_config(eligibility={"min_pgy": 2, "max_pgy1": 1})
    d = pick(apps, scores, config)
    assert d.ineligible == {"A003": "PGY1 without program director approval"}
    assert d.selected == ["A001", "A004", "A005"]
    assert "A003" not in d.margins


def test_quality_floor() -> None:
    apps, scores = six()
    config = make_config(selection={"min_score": 65, "tie_break_seed": "t"})
    d = pick(apps, scores, config)
    assert d.selected == ["A001", "A002", "A003"]
    assert d.ineligible["A004"] == "aggregate score 60 is below the quality floor 65"
    assert d.margins["A004"] is None
    tight = make_config(cohort={"size": 4}, selection={"min_score": 65})
    d = pick(apps, scores, tight)
    assert d.status == "infeasible"
    assert 'lower the floor of "aggregate score at least 65" from 65 to 60' in d.diagnosis[-1]


def test_unscored_are_reported_and_never_selected() -> None:
    apps, scores = six()
    del scores["A001"]
    d = pick(apps, scores)
    assert "A001" not in d.selected
    assert d.unscored == {"A001": "no reviews"}
    assert d.ineligible["A001"] == "not scored: no reviews"
    assert d.reasons["A001"] == "not selected: not scored: no reviews"


def test_locks() -> None:
    apps, scores = six()
    d = pick(apps, scores, include=["A006"], exclude=["A001"])
    assert d.selected == ["A002", "A003", "A006"]
    assert d.margins["A006"] is None and d.margins["A001"] is None
    assert d.rule_prices == {"locked in by the chair": 20.0, "locked out by the chair": 20.0}
    assert d.reasons["A006"] == (
        "selected: locked in by the chair; if it declines, nobody outside the cohort can take "
        "the seat and keep every rule"
    )
    assert d.reasons["A001"] == "not selected: locked out by the chair"
    assert d.why["A006"].status == "selected" and d.why["A006"].rules == ("lock_in",)
    assert d.why["A001"].status == "locked_out" and d.why["A001"].rules == ("lock_out",)
    # A004 outscores no member but A006, which is locked in: that lock is what stops it.
    assert d.why["A004"].rules == ("lock_in",)
    assert "A006 (Test Resident 006) 40.00 is locked in by the chair" in d.reasons["A004"]
    assert d.replacements["A006"] is None  # a locked-in member keeps its seat


@pytest.mark.parametrize(
    ("include", "exclude", "code"),
    [(["A999"], [], "lock_unknown"), (["A001"], ["A001"], "lock_conflict")],
)
def test_bad_locks_are_input_errors(include: list[str], exclude: list[str], code: str) -> None:
    apps, scores = six()
    with pytest.raises(InputError) as err:
        pick(apps, scores, include=include, exclude=exclude)
    assert err.value.code == code


def test_duplicate_applicant_is_an_input_error() -> None:
    apps, scores = six()
    with pytest.raises(InputError):
        pick([*apps, apps[0]], scores)


def test_locking_in_an_ineligible_applicant_is_diagnosed() -> None:
    apps, scores = six(pgy=[3, 3, 3, 3, 3, 1], pgy1_approved=False)
    config = make_config(eligibility={"min_pgy": 2})
    d = pick(apps, scores, config, include=["A006"])
    assert d.status == "infeasible"
    assert d.diagnosis[0] == (
        "A006 is locked in but cannot be selected: PGY1 without program director approval"
    )
    assert d.relaxations[0]["text"] == 'release the lock on A006 ("locked in by the chair")'


def test_diagnosis_of_the_shipped_rules() -> None:
    config = load_config(DEFAULT_CONFIG_PATH)
    apps = make_applicants(12, pgy=3, specialty=[f"S{i % 4}" for i in range(12)])
    d = decide(apps, make_reviews(apps, config, seed=1), config)
    assert d.status == "infeasible"
    assert "only 4 specialties have selectable applicants; the rules ask for 5" in d.diagnosis
    assert "at most 2 per specialty over 4 specialties gives 8 places; the cohort needs 10" in (
        d.diagnosis
    )
    texts = [r["text"] for r in d.relaxations]
    assert texts == [
        'raise the limit of "at most 2 per specialty" from 2 to 3',
        'lower the minimum of "at least 5 specialties" from 5 to 4',
    ]
    assert d.total_score is None and d.selected == [] and d.margins == {}
    relaxed, _, _ = apply_relaxations(config, [], [], d.relaxations)
    assert decide(apps, make_reviews(apps, config, seed=1), relaxed).status == "optimal"


def test_combined_clash_gets_a_relaxation() -> None:
    apps, scores = six(pgy=[1, 1, 1, 1, 3, 3], pgy1_approved=True)
    config = make_config(
        cohort={"size": 3},
        eligibility={"min_pgy": 2, "max_pgy1": 1},
        diversity=[{"field": "specialty", "min_per_value": {"Surgery": 2}}],
    )
    d = pick(apps, scores, config)
    assert d.status == "infeasible"
    assert d.diagnosis[0] == (
        "no single rule is impossible on its own; the rules clash in combination"
    )
    assert len(d.relaxations) == 1
    # Raising the PGY1 cap admits 90+80+50; lowering the Surgery floor only 90+50+40.
    assert d.relaxations[0]["text"] == 'raise the limit of "at most 1 PGY1" from 1 to 2'


def test_json_contract() -> None:
    apps, scores = six(pgy=[3, 3, 3, 3, 3, 1], pgy1_approved=False)
    d = pick(apps, scores, make_config(eligibility={"min_pgy": 2}))
    out = json.loads(json.dumps(d.to_json()))
    for key in (
        "status",
        "selected",
        "total_score",
        "scores",
        "ineligible",
        "replacements",
        "margins",
        "rule_prices",
        "tie_break",
        "diagnosis",
    ):
        assert key in out
    assert out["status"] == "optimal"
    assert out["ineligible"] == {"A006": "PGY1 without program director approval"}
    assert set(out["replacements"]) == set(out["selected"])
    assert "'test'" in out["tie_break"]
    assert set(out["reasons"]) == {a.applicant_id for a in apps}


def test_range_cohort_takes_only_what_pays() -> None:
    apps, scores = six()
    scores = {a: s - 70 for a, s in scores.items()}  # only A001 and A002 are positive
    config = make_config(
        cohort={"min_size": 1, "max_size": 4},
        criteria=[{"id": "merit", "label": "Merit", "min": -100, "max": 100}],
    )
    d = pick(apps, scores, config)
    # A003 adds 0: both cohorts are optimal, and the tie-break prefers including it.
    assert d.selected == ["A001", "A002", "A003"]
    assert d.total_score == 30.0


def test_the_tie_break_is_the_documented_order() -> None:
    apps = make_applicants(6, pgy=3, specialty="Surgery")
    scores = {a.applicant_id: 50.0 for a in apps}
    chosen = set()
    for seed in ("a", "b", "c", "d"):
        config = make_config(selection={"tie_break_seed": seed})
        d = pick(apps, scores, config)
        import hashlib

        expected = sorted(
            scores, key=lambda a, s=seed: hashlib.sha256(f"{s}:{a}".encode()).hexdigest()
        )[:3]
        assert set(d.selected) == set(expected)
        assert all(d.margins[a] == 0.0 for a in scores)
        chosen.add(tuple(d.selected))
    assert len(chosen) > 1  # the seed matters


def test_a_time_out_is_not_optimal() -> None:
    timed_out = SimpleNamespace(
        status=pulp.LpStatusOptimal, sol_status=pulp.LpSolutionIntegerFeasible
    )
    with pytest.raises(SelectorError) as err:
        _status(prob=timed_out)  # type: ignore[arg-type]
    assert err.value.code == "solver_failed"
    done = SimpleNamespace(status=pulp.LpStatusOptimal, sol_status=pulp.LpSolutionOptimal)
    assert _status(prob=done) == "optimal"  # type: ignore[arg-type]


def test_no_solver_banner_on_stdout(capfd: pytest.CaptureFixture[str]) -> None:
    apps, scores = six()
    pick(apps, scores)
    assert capfd.readouterr().out == ""


def test_answer_fields_can_carry_rules() -> None:
    apps = make_applicants(
        6, pgy=3, answers=lambda i: {"Region": ["North", "north ", "South"][i % 3]}
    )
    scores = {a.applicant_id: float(100 - i) for i, a in enumerate(apps)}
    config = make_config(diversity=[{"field": "Region", "max_per_value": 1}])
    d = pick(apps, scores, config)
    assert d.status == "infeasible"  # North and north are one value: two values, three seats
    assert "only 2 values of Region" not in " ".join(d.diagnosis)
    assert any(
        "at most 1 per Region over 2 values of Region gives 2 places" in t for t in d.diagnosis
    )


def test_the_model_reads_like_the_math() -> None:
    """Every constraint is named after its rule; the objective is the total score."""
    from selector.selection.model import Candidate as _Cand
    from selector.selection.model import build_model as _build

    cands = [
        _Cand(f"A00{i}", 10_000 * (i + 1), i == 0, False, {"specialty": s})
        for i, s in enumerate(["surgery", "surgery", "surgery", "pediatrics"])
    ]
    config = make_config(
        eligibility={"min_pgy": 1, "max_pgy1": 0},
        diversity=[{"field": "specialty", "max_per_value": 2, "min_distinct": 2}],
    )
    model = _build(cands, config, ["A003"], ["A002"])
    names = {c.name for c in model.prob.constraints()}
    assert {
        "cohort_min_size",
        "cohort_max_size",
        "max_pgy1",
        "max_per_specialty_surgery",
        "min_distinct_specialty",
        "lock_in_A003",
        "lock_out_A002",
    } <= names
    assert (
        str(model.prob.objective) == "10000*x_00000 + 20000*x_00001 + 30000*x_00002 + 40000*x_00003"
    )


def test_explain_false_gives_the_same_cohort() -> None:
    apps = make_applicants(30, seed=3, pgy=3)
    config = make_config(cohort={"size": 5}, diversity=[{"field": "specialty", "max_per_value": 1}])
    reviews = make_reviews(apps, config, seed=4)
    full = decide(apps, reviews, config)
    quick = decide(apps, reviews, config, explain=False)
    assert quick.selected == full.selected and quick.margins == {}


def test_blank_values_count_toward_no_value() -> None:
    apps = make_applicants(
        5, pgy=3, answers=lambda i: {"Region": ["", "", "East", "East", "West"][i]}
    )
    scores = {a.applicant_id: float(100 - i) for i, a in enumerate(apps)}
    config = make_config(
        cohort={"size": 4},
        diversity=[{"field": "Region", "max_per_value": 1, "min_distinct": 2}],
    )
    d = pick(apps, scores, config)
    # Both blanks are in (no cap applies to them); one East and West make two regions.
    assert d.selected == ["A001", "A002", "A003", "A005"]


def test_rule_kinds_and_relaxations_are_typed_and_keep_their_json() -> None:
    """Issue 9: nine rule kinds; a Relaxation's JSON is the contract's object and reads back."""
    from selector.selection import Relaxation, RuleKind

    assert len(RuleKind) == 9
    apps, scores = six(pgy=[3, 3, 3, 3, 3, 1], pgy1_approved=False)
    d = pick(apps, scores, make_config(eligibility={"min_pgy": 2}), include=["A006"])
    blocked = d.relaxations[0]
    assert isinstance(blocked, Relaxation) and blocked.kind is RuleKind.INCLUDE
    assert blocked.to_json() == {
        "rule": "include",
        "value": "A006",
        "from": "locked in",
        "to": "free",
        "id": "lock_in",
        "label": "locked in by the chair",
        "text": 'release the lock on A006 ("locked in by the chair")',
    }
    config = load_config(DEFAULT_CONFIG_PATH)
    many = make_applicants(12, pgy=3, specialty=[f"S{i % 4}" for i in range(12)])
    d = decide(many, make_reviews(many, config, seed=1), config)
    for r in d.relaxations:
        assert Relaxation.from_json(r.to_json()) == r
        keys = ["rule", "field", "value", "index", "from", "to", "id", "label", "text"]
        assert list(r.to_json()) == keys


def test_the_diagnosis_states_check_configs_contradictions_in_its_words() -> None:
    apps, scores = six()
    config = make_config(diversity=[{"field": "specialty", "min_distinct": 4}])
    d = pick(apps, scores, config)
    assert d.status == "infeasible"
    assert config.contradictions() == [
        "specialty: min_distinct 4 is more than the largest cohort (3)"
    ]
    assert config.contradictions()[0] in d.diagnosis


def test_a_fractional_lp_falls_back_to_branch_and_bound() -> None:
    """Each pair of three applicants shares a value capped at 1 (specialty, program, region):
    the LP relaxation takes half of each (1.5 applicants' worth), no whole cohort more than
    one. The solver must notice the LP is not whole and solve the integer program."""
    from selector.selection.model import Candidate, build_model
    from selector.selection.solve import Solver

    config = make_config(
        cohort={"min_size": 0, "max_size": 3},
        diversity=[{"field": f, "max_per_value": 1} for f in ("specialty", "program", "Region")],
    )
    keys = {
        "A1": {"specialty": "s1", "program": "p1", "Region": "r1"},
        "A2": {"specialty": "s1", "program": "p2", "Region": "r2"},
        "A3": {"specialty": "s2", "program": "p1", "Region": "r2"},
    }
    cands = [Candidate(a, 10_000, False, False, k) for a, k in keys.items()]
    engine = Solver(build_model(cands, config, [], []), "highs")
    best = engine.solve()
    assert best is not None and best.value == 10_000 and len(best.chosen) == 1
    assert engine.mip_solves == 1
    both = engine.solve(fix={"A1": 1, "A2": 1})
    assert both is None  # they share a specialty
    apps = make_applicants(
        3,
        pgy=3,
        specialty=["s1", "s1", "s2"],
        program=["p1", "p2", "p1"],
        answers=[{"Region": "r1"}, {"Region": "r2"}, {"Region": "r2"}],
    )
    d = pick(apps, {"A001": 50.0, "A002": 50.0, "A003": 50.0}, config)
    assert len(d.selected) == 1
    others = [a for a in ("A001", "A002", "A003") if a not in d.selected]
    assert all(d.margins[a] == 0.0 for a in others)  # any one of them is as good


def test_the_decision_carries_what_a_page_shows() -> None:
    """Labels by id, each applicant's status and sentence, and names beside ids; a decision on
    pseudonymised applicants (blind review) names nobody."""
    apps, scores = six()
    config = make_config(diversity=[{"field": "specialty", "max_per_value": 1}])
    d = pick(apps, scores, config)
    assert d.rule_label("max_per_value:specialty") == "at most 1 per specialty"
    assert d.shown("A002") == "A002 (Test Resident 002)"
    assert d.why["A002"].status == "not_selected"
    assert d.why["A002"].rules == ("max_per_value:specialty",)
    assert d.reasons["A002"].startswith(
        "not selected: it outscores 2 members (the lowest A006 (Test Resident 006) 40.00), "
        "but taking a seat from any of them breaks a rule: Surgery already has 1 of 1 seats: "
        "A001 (Test Resident 001) 90.00 (at most 1 per specialty)"
    )
    assert "if it declines, A002 (Test Resident 002) 80.00 takes the seat" in d.reasons["A001"]
    blind = [
        replace(a, applicant_id=f"K{i}", name=f"Applicant K{i}", email="")
        for i, a in enumerate(apps)
    ]
    ids = {a.applicant_id: b.applicant_id for a, b in zip(apps, blind, strict=True)}
    d = pick(blind, {ids[a]: s for a, s in scores.items()}, config)
    assert d.shown("K1") == "K1"
    assert not any("Test Resident" in text or "Applicant K" in text for text in d.reasons.values())


def test_a_copy_with_another_cohort_keeps_its_reasons_true() -> None:
    """A decision copied with a different cohort (as a lottery draws one) says so in JSON."""
    from dataclasses import replace as copy_with

    apps, scores = six()
    d = pick(apps, scores)
    drawn = copy_with(
        d,
        selected=["A001", "A002", "A004"],
        reasons={**d.reasons, "A004": "selected by lot", "A003": "not drawn"},
    )
    out = drawn.to_json()["reasons"]
    assert out["A004"] == {"status": "selected", "rules": [], "text": "selected by lot"}
    assert out["A003"] == {"status": "not_selected", "rules": [], "text": "not drawn"}
    assert out["A001"] == d.why["A001"].to_json()
