"""Rules that cannot be mistyped: a rule's field is a canonical field or a column of the
cycle, checked by one function in `check-config`, `select`, the scenario editor and the
Track config page alike (issue 10)."""

from __future__ import annotations

from pathlib import Path

import pytest

from selector import workflow
from selector.cli import main
from selector.config import loads_config, near_match, rule_field_problem
from selector.errors import ConfigError
from selector.selection import decide
from tests.factories import make_applicants, make_config, make_reviews
from tests.test_cli_select import CONFIG, args, files  # noqa: F401 (a fixture)

SPECIALTY_CAPITALISED = CONFIG.format(cap=1, distinct=2).replace(
    'field = "specialty"', 'field = "Specialty"'
)


@pytest.mark.parametrize(
    ("field", "columns", "fragment"),
    [
        ("Specialty", None, "did you mean 'specialty'?"),
        (" specialty ", None, "did you mean 'specialty'?"),
        ("specialtyy", None, "did you mean 'specialty'?"),
        ("3", None, "'3' is not a canonical field"),
        ("Regoin", {"Region"}, "did you mean 'Region'?"),
        ("Region", None, "'Region' is not a canonical field"),
    ],
)
def test_an_unknown_field_is_named_with_its_near_match(
    field: str, columns: set[str] | None, fragment: str
) -> None:
    problem = rule_field_problem(field, columns)
    assert problem is not None and fragment in problem


@pytest.mark.parametrize(("field", "columns"), [("specialty", None), ("Region", {"Region"})])
def test_a_canonical_field_or_a_column_is_known(field: str, columns: set[str] | None) -> None:
    assert rule_field_problem(field, columns) is None


def test_near_match_is_none_when_nothing_is_close() -> None:
    assert near_match("3", ["specialty", "program"]) is None


def test_decide_refuses_a_rule_on_a_field_no_applicant_has() -> None:
    """Before: "Specialty" read as an answer column nobody has, the rule cost 0 and four
    residents of one specialty got in."""
    apps = make_applicants(6, pgy=3, specialty=["Internal Medicine"] * 4 + ["Surgery"] * 2)
    config = make_config(cohort={"size": 4}, diversity=[{"field": "Specialty", "max_per_value": 2}])
    with pytest.raises(ConfigError, match="did you mean 'specialty'"):
        decide(apps, make_reviews(apps, config), config)


def test_decide_accepts_a_rule_on_an_answer_column() -> None:
    apps = make_applicants(4, pgy=3, answers=lambda i: {"Region": "North" if i < 2 else "South"})
    config = make_config(cohort={"size": 2}, diversity=[{"field": "Region", "max_per_value": 1}])
    assert decide(apps, make_reviews(apps, config), config).status == "optimal"


def test_check_config_refuses_an_unknown_field_with_a_suggestion(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "track.toml"
    path.write_text(SPECIALTY_CAPITALISED)
    assert main(["check-config", str(path)]) == 2
    err = capsys.readouterr().err
    assert "diversity[0].field" in err and "'Specialty'" in err
    assert "did you mean 'specialty'?" in err


def test_check_config_knows_the_columns_of_an_applications_file(
    files: dict[str, Path],  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    apps = files["dir"] / "with_region.csv"
    apps.write_text(
        "Applicant ID,Name,Email,PGY,Specialty,Region\nA1,A One,a1@example.org,3,Surgery,North\n"
    )
    config = files["dir"] / "region.toml"
    config.write_text(CONFIG.format(cap=2, distinct=2).replace('"specialty"', '"Region"'))
    assert main(["check-config", str(config)]) == 2
    assert "'Region' is not a canonical field" in capsys.readouterr().err
    assert main(["check-config", str(config), "--applications", str(apps)]) == 0


def test_select_exits_2_naming_an_unknown_rule_field(
    files: dict[str, Path],  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    files["config"].write_text(SPECIALTY_CAPITALISED)
    assert main(args(files, "--json")) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1 and "'Specialty'" in err and "did you mean 'specialty'" in err
    assert str(files["config"]) in err


def test_the_scenario_editor_refuses_an_unknown_field() -> None:
    base = loads_config(CONFIG.format(cap=2, distinct=2))
    form = {
        "min_size": 3,
        "max_size": 3,
        "min_pgy": 2,
        "max_pgy1": 1,
        "min_score": None,
        "standardize": False,
    }
    apps = make_applicants(3, pgy=3)
    with pytest.raises(ConfigError, match="did you mean 'specialty'"):
        workflow.scenario_config(
            "A",
            base,
            form,
            [{"field": "Specialty", "max_per_value": 2, "min_distinct": None}],
            columns=set(),
        )
    assert (
        workflow.scenario_config(
            "A",
            base,
            form,
            [{"field": "specialty", "max_per_value": 2, "min_distinct": None}],
            columns=set(),
        )
        .diversity[0]
        .field
        == "specialty"
    )
    del apps


@pytest.mark.parametrize(
    ("review", "fragment"),
    [
        ('avoid_own = ["Program"]', "did you mean 'program'?"),
        ('avoid_own = ["site"]', "not one of program, specialty"),
        ('avoid_own_program = false\navoid_own = ["program"]', "avoid_own_program is false"),
    ],
)
def test_avoid_own_names_known_fields(review: str, fragment: str) -> None:
    with pytest.raises(ConfigError, match=fragment):
        loads_config(CONFIG.format(cap=2, distinct=2) + f"\n[review]\n{review}\n")


def test_avoid_own_defaults_to_the_program() -> None:
    assert make_config().review.own_fields == ("program",)
    assert make_config(review={"avoid_own_program": False}).review.own_fields == ()
    both = make_config(review={"avoid_own": ["program", "specialty"]})
    assert both.review.own_fields == ("program", "specialty")
