"""Stages (an interview round): the config, the shortlist, the combined score and the final
cohort, against brute force on small pools."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from selector.config import load_config, parse_config
from selector.errors import ConfigError, InputError
from selector.models import Applicant, Review
from selector.stages import NOT_SHORTLISTED, combined_scores, decide_stage
from tests.factories import make_applicants
from tests.test_selection_properties import Brute

REPO_CONFIG = Path(__file__).resolve().parent.parent / "rubrics" / "with_interview.toml"


def staged(**overrides: Any) -> dict[str, Any]:
    """A small staged config as a dict: screening (merit 0–10, shortlist of 4), interview
    (talk 1–5), a cohort of 2, weights 0.4 / 0.6."""
    data: dict[str, Any] = {
        "cohort": {"size": 2},
        "eligibility": {"min_pgy": 1, "pgy1_by_approval": False},
        "selection": {"tie_break_seed": "test"},
        "stages": [
            {
                "name": "screening",
                "size": 4,
                "criteria": [{"id": "merit", "label": "Merit", "min": 0, "max": 10}],
            },
            {
                "name": "interview",
                "criteria": [{"id": "talk", "label": "Talk", "min": 1, "max": 5}],
            },
        ],
        "combine": {"weights": {"screening": 0.4, "interview": 0.6}},
    }
    data.update(overrides)
    return data


def test_the_bundled_interview_config_loads_with_two_stages() -> None:
    config = load_config(REPO_CONFIG)
    assert [s.name for s in config.stages] == ["screening", "interview"]
    screening = config.stage_config("screening")
    assert screening.cohort.size == 20 and screening.diversity[0].max_per_value == 4
    assert config.criteria == screening.criteria  # the first stage's rubric is the cycle's
    interview = config.stage_config("interview")
    assert [c.id for c in interview.criteria] == ["motivation", "communication", "project_plan"]
    assert interview.cohort.size == 10 and interview.selection.standardize
    assert interview.review.reviewers_per_applicant == 2
    assert not screening.stages and not interview.stages


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["stages"][1].pop("criteria"), "stage 'interview' has no rubric"),
        (
            lambda d: d["combine"]["weights"].pop("interview"),
            "no weight for stage 'interview'",
        ),
        (
            lambda d: d["combine"]["weights"].update(intervew=1),
            "'intervew' is not a stage; did you mean 'interview'?",
        ),
        (lambda d: d["stages"][0].update(size=1), "a shortlist of 1 is smaller than the cohort"),
        (lambda d: d["stages"][0].pop("size"), "give the size of 'screening''s shortlist"),
        (lambda d: d["stages"][1].update(size=3), "the last stage decides the cohort"),
        (lambda d: d.pop("combine"), "give [combine] weights"),
        (lambda d: d["stages"][1].update(name="screening"), "appears twice"),
        (lambda d: d["stages"].pop(), "give two stages"),
        (lambda d: d["combine"]["weights"].update(screening=-1), "must be 0 or more"),
        (
            lambda d: d.update(criteria=[{"id": "other", "label": "O"}]),
            "leave out the top-level criteria",
        ),
        (lambda d: d["selection"].update(standardize=True), "set standardize in [combine]"),
    ],
)
def test_a_wrong_staged_config_is_refused_in_words(change: Any, message: str) -> None:
    data = staged()
    change(data)
    with pytest.raises(ConfigError) as caught:
        parse_config(data, "track.toml")
    assert message in str(caught.value)
    assert "track.toml" in str(caught.value)


def test_combine_without_stages_is_refused() -> None:
    data = staged()
    data.pop("stages")
    data["criteria"] = [{"id": "merit", "label": "Merit"}]
    with pytest.raises(ConfigError, match="no \\[\\[stages\\]\\]"):
        parse_config(data)


def test_a_staged_config_dumps_and_loads_back_equal() -> None:
    from selector.config import dumps_config, loads_config

    config = load_config(REPO_CONFIG)
    assert loads_config(dumps_config(config)) == config


def test_an_unknown_stage_is_named_with_the_known_ones() -> None:
    config = parse_config(staged())
    with pytest.raises(ConfigError, match=r"no stage 'interveiw'.*did you mean 'interview'"):
        config.stage_config("interveiw")


def reviews_for(merit: dict[str, list[float]], talk: dict[str, list[float]]) -> list[Review]:
    out = [Review(a, f"S{i}", {"merit": v}) for a, vs in merit.items() for i, v in enumerate(vs)]
    out += [
        Review(a, f"I{i}", {"talk": v}, stage="interview")
        for a, vs in talk.items()
        for i, v in enumerate(vs)
    ]
    return out


def test_the_combined_score_puts_each_stage_on_0_to_100_and_weighs_them() -> None:
    config = parse_config(staged())
    reviews = reviews_for({"A001": [10, 6], "A002": [5]}, {"A001": [3], "A003": [5]})
    table = combined_scores(["A001", "A002", "A003", "A004"], reviews, config, {"A001", "A002"})
    # A001: screening 8/10 → 80, interview (3 − 1) / 4 → 50: 0.4 × 80 + 0.6 × 50 = 62.
    assert table.scores == {"A001": 62.0}
    assert table.unscored["A002"] == "interview: no reviews"
    assert table.unscored["A003"] == NOT_SHORTLISTED
    assert table.unscored["A004"] == NOT_SHORTLISTED


def test_the_shortlist_is_decided_on_the_first_stage_alone() -> None:
    config = parse_config(staged())
    apps = make_applicants(6, pgy=2)
    merit = {a.applicant_id: [float(i)] for i, a in enumerate(apps)}
    talk = {a.applicant_id: [5.0 - i % 5] for i, a in enumerate(apps)}
    decision = decide_stage(apps, reviews_for(merit, talk), config, "screening")
    assert decision.selected == ["A006", "A005", "A004", "A003"]
    assert decision.config.cohort.size == 4
    assert decision.margins and decision.replacements  # explained like a cohort


def test_the_final_cohort_needs_a_shortlist_and_keeps_to_it() -> None:
    config = parse_config(staged())
    apps = make_applicants(6, pgy=2)
    merit = {a.applicant_id: [10.0] for a in apps}
    talk = {a.applicant_id: [5.0] for a in apps}
    reviews = reviews_for(merit, talk)
    with pytest.raises(InputError, match="no shortlist yet"):
        decide_stage(apps, reviews, config)
    decision = decide_stage(apps, reviews, config, shortlist={"A005", "A006", "A001"})
    assert set(decision.selected) <= {"A005", "A006", "A001"}
    assert decision.ineligible["A002"] == f"not scored: {NOT_SHORTLISTED}"
    assert decision.reason("A002").status == "unscored"
    assert NOT_SHORTLISTED in decision.reasons["A002"]
    assert decision.config.criteria[0].id == "talk"


def test_a_cycle_without_stages_refuses_a_stage_name() -> None:
    config = parse_config({"cohort": {"size": 1}, "criteria": [{"id": "merit", "label": "Merit"}]})
    with pytest.raises(ConfigError, match="it has no stages"):
        decide_stage([], [], config, "screening")


# ------------------------------------------------------------------------------------------
# Property: the final cohort is the brute-force optimum of the combined score among the
# shortlisted, and nobody outside the shortlist is selected.

SPECIALTIES = ("Surgery", "Pediatrics", "Neurology")


@st.composite
def staged_instances(draw: st.DrawFn) -> tuple[list[Applicant], list[Review], dict[str, Any]]:
    n = draw(st.integers(3, 8))
    specialties = draw(st.lists(st.sampled_from(SPECIALTIES), min_size=n, max_size=n))
    apps = make_applicants(n, pgy=2, specialty=specialties)
    reviews: list[Review] = []
    for a in apps:
        for r in range(draw(st.integers(0, 2))):
            reviews.append(Review(a.applicant_id, f"S{r}", {"merit": draw(st.integers(0, 10))}))
        for r in range(draw(st.integers(0, 2))):
            talk = {"talk": draw(st.integers(1, 5))}
            reviews.append(Review(a.applicant_id, f"I{r}", talk, stage="interview"))
    size = draw(st.integers(1, 3))
    shortlist = draw(st.integers(size, size + 3))
    data = staged(cohort={"size": size})
    data["stages"][0]["size"] = shortlist
    if draw(st.booleans()):
        data["diversity"] = [{"field": "specialty", "max_per_value": draw(st.integers(1, 2))}]
    w = draw(st.sampled_from([0.0, 0.25, 0.5, 1.0]))
    data["combine"] = {
        "weights": {"screening": w, "interview": 1.0 - w + 0.1},
        "standardize": draw(st.booleans()),
    }
    return apps, reviews, data


def combined_by_hand(
    reviews: list[Review], shortlist: set[str], data: dict[str, Any]
) -> dict[str, float]:
    """The combined score computed directly: each stage's mean total on 0–100, weighed."""
    w = data["combine"]["weights"]
    merit: dict[str, list[float]] = {}
    talk: dict[str, list[float]] = {}
    for r in reviews:
        if r.stage == "":
            merit.setdefault(r.applicant_id, []).append(r.scores["merit"])
        else:
            talk.setdefault(r.applicant_id, []).append(r.scores["talk"])
    out = {}
    for a in shortlist:
        if a in merit and a in talk:
            m = round(sum(merit[a]) / len(merit[a]), 4)
            t = round(sum(talk[a]) / len(talk[a]), 4)
            out[a] = round(w["screening"] * m * 10 + w["interview"] * (t - 1) * 25, 4)
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(staged_instances())
def test_the_final_cohort_is_the_brute_force_optimum_among_the_shortlisted(
    instance: tuple[list[Applicant], list[Review], dict[str, Any]],
) -> None:
    apps, reviews, data = instance
    config = parse_config(data)
    shortlist_decision = decide_stage(apps, reviews, config, "screening", explain=False)
    if shortlist_decision.status != "optimal":
        return
    shortlist = set(shortlist_decision.selected)
    final = decide_stage(apps, reviews, config, shortlist=shortlist, explain=False)
    assert set(final.selected) <= shortlist
    if not data["combine"]["standardize"]:
        expected = combined_by_hand(reviews, shortlist, data)
        assert final.scores == pytest.approx(expected, abs=1e-3)
    final_config = config.stage_config("interview")
    brute = Brute(apps, final.scores, final_config)
    best = brute.best()
    if best is None:
        assert final.status == "infeasible"
        return
    assert final.status == "optimal"
    assert brute.total(frozenset(final.selected)) == best
    assert frozenset(final.selected) == brute.chosen()


def test_the_final_cohort_s_robustness_resamples_each_stage() -> None:
    from selector.selection.staged import staged_robustness

    config = parse_config(staged())
    apps = make_applicants(6, pgy=2)
    # A001 and A002 are sure on both stages; A003 and A004 split their interviewers.
    merit = {a.applicant_id: [9.0, 9.0] for a in apps}
    talk = {
        "A001": [5.0, 5.0],
        "A002": [5.0, 5.0],
        "A003": [1.0, 4.0],
        "A004": [1.0, 4.0],
    }
    reviews = reviews_for(merit, talk)
    shortlist = {"A001", "A002", "A003", "A004"}
    decision = decide_stage(apps, reviews, config, shortlist=shortlist)
    assert decision.selected == ["A001", "A002"]
    found = staged_robustness(decision, reviews, config, draws=200, seed="s")
    assert found.secure == ["A001", "A002"]
    assert set(found.probability) == shortlist
    # Now A001's interviewers disagree too: it is no longer sure of its seat.
    split = [
        replace(r, scores={"talk": 1.0})
        if (r.applicant_id, r.reviewer) == ("A001", "I0") and r.stage == "interview"
        else r
        for r in reviews
    ]
    again = decide_stage(apps, split, config, shortlist=shortlist)
    shaky = staged_robustness(again, split, config, draws=200, seed="s")
    assert shaky.probability["A001"] < 0.95
    assert math.isclose(sum(shaky.probability.values()), 2.0, abs_tol=1e-6)


def test_a_shortlist_rule_no_pool_can_meet_and_an_unknown_field_are_reported() -> None:
    data = staged()
    data["stages"][0]["diversity"] = [{"field": "specialty", "min_distinct": 5}]
    config = parse_config(data)
    assert config.contradictions() == [
        "screening shortlist: specialty: min_distinct 5 is more than the largest cohort (4)"
    ]
    data["stages"][0]["diversity"] = [{"field": "Specialty", "max_per_value": 2}]
    with pytest.raises(ConfigError, match=r"stages\[0\]\.diversity\[0\]\.field.*'specialty'"):
        parse_config(data).require_known_fields()
