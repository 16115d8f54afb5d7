"""The track config: the shipped file loads; every fault names the file and the key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from selector.config import (
    DEFAULT_CONFIG_PATH,
    TrackConfig,
    dumps_config,
    load_config,
    loads_config,
    parse_config,
    read_config_text,
)
from selector.errors import ConfigError

MINIMAL = """
[cohort]
size = 10
[[criteria]]
id = "awareness"
label = "Awareness"
"""


def test_shipped_config_loads_and_follows_the_area_framework() -> None:
    cfg = load_config(DEFAULT_CONFIG_PATH)
    ids = [c.id for c in cfg.criteria]
    for word in ("awareness", "reflection", "empowerment", "action"):
        assert word in ids
    assert cfg.cohort.bounds == (10, 10)
    assert cfg.eligibility.min_pgy == 2 and cfg.eligibility.pgy1_by_approval
    assert cfg.diversity[0].field == "specialty"
    for c in cfg.criteria:  # every level of every criterion has an anchor text
        assert sorted(float(k) for k in c.anchors) == c.levels


def test_minimal_config_has_defaults() -> None:
    cfg = loads_config(MINIMAL)
    assert cfg.eligibility.min_pgy == 2
    assert cfg.diversity == []
    assert cfg.criteria[0].weight == 1.0 and (cfg.criteria[0].min, cfg.criteria[0].max) == (1, 5)
    assert cfg.max_total == 5 and cfg.min_total == 1


def test_range_cohort() -> None:
    cfg = loads_config(MINIMAL.replace("size = 10", "min_size = 8\nmax_size = 12"))
    assert cfg.cohort.bounds == (8, 12)


@pytest.mark.parametrize(
    ("text", "key", "fragment"),
    [
        (MINIMAL.replace("size = 10", "size = 10\nsise = 3"), "cohort.sise", "unknown key"),
        (MINIMAL.replace("size = 10", "size = 0"), "cohort.size", "greater than or equal"),
        (MINIMAL.replace("size = 10", "size = 10\nmin_size = 3"), "cohort", "not both"),
        (MINIMAL.replace("size = 10", "min_size = 9\nmax_size = 3"), "cohort", "above max_size"),
        (MINIMAL + "weight = -1\n", "criteria[0].weight", "greater than 0"),
        (MINIMAL + "min = 5\nmax = 1\n", "criteria[0]", "below max"),
        (MINIMAL.replace('id = "awareness"', 'id = "Bad Id"'), "criteria[0].id", "pattern"),
        (MINIMAL + '[[diversity]]\nfield = "specialty"\n', "diversity[0]", "needs max_per_value"),
        (MINIMAL + '[eligibility]\nmin_pgy = "two"\n', "eligibility.min_pgy", "integer"),
        ("[cohort]\nsize = 3\n", "criteria", "Field required"),
        (MINIMAL + '[[criteria]]\nid = "awareness"\nlabel = "Again"\n', "(top level)", "twice"),
        (MINIMAL + "[criteria.anchors]\n9 = 'too high'\n", "criteria[0]", "outside"),
    ],
)
def test_invalid_config_names_file_key_and_fault(text: str, key: str, fragment: str) -> None:
    with pytest.raises(ConfigError) as info:
        loads_config(text, "track.toml")
    message = str(info.value)
    assert message.startswith("track.toml")
    assert key in message
    assert fragment in message


def test_not_toml_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="not valid TOML"):
        loads_config("[cohort\nsize=", "x.toml")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "nope.toml")
    assert info.value.code == "config_missing"
    assert "nope.toml" in str(info.value)


def test_config_is_frozen() -> None:
    cfg = loads_config(MINIMAL)
    with pytest.raises(ValueError, match="frozen"):
        cfg.cohort.size = 3  # type: ignore[misc]


def test_json_schema_forbids_extra_keys() -> None:
    schema = TrackConfig.model_json_schema()
    assert schema["additionalProperties"] is False
    json.dumps(schema)  # serialisable for editors


def test_contradictions_name_rules_no_pool_can_satisfy() -> None:
    text = MINIMAL + (
        '[[diversity]]\nfield = "specialty"\nmax_per_value = 2\nmin_distinct = 11\n'
        'min_per_value = { "Pediatrics" = 3, "Surgery" = 9 }\n'
    )
    found = loads_config(text).contradictions()
    assert found == [
        "specialty: min_distinct 11 is more than the largest cohort (10)",
        "specialty: min_per_value asks for 12 in all, more than the largest cohort (10)",
        "specialty: min_per_value 'Pediatrics' = 3 is above max_per_value 2",
        "specialty: min_per_value 'Surgery' = 9 is above max_per_value 2",
    ]
    assert load_config(DEFAULT_CONFIG_PATH).contradictions() == []


def test_a_config_nested_too_deeply_or_too_large_is_a_config_error(tmp_path: Path) -> None:
    """Issue 8: tomllib recursed into a RecursionError; /dev/zero was read to the end."""
    with pytest.raises(ConfigError, match="nested too deeply"):
        loads_config("a = " + "[" * 100_000)
    with pytest.raises(ConfigError, match="the limit is 1024 KB"):
        read_config_text("/dev/zero")


def test_every_rule_has_a_stable_id_and_a_label() -> None:
    config = load_config(DEFAULT_CONFIG_PATH)
    assert config.rule_labels() == {
        "size": "a cohort of 10",
        "min_pgy": "PGY2 or beyond",
        "pgy1_approval": "PGY1 only with program director approval",
        "max_pgy1": "at most 1 PGY1",
        "max_per_value:specialty": "at most 2 per specialty",
        "min_distinct:specialty": "at least 5 specialties",
        "lock_in": "locked in by the chair",
        "lock_out": "locked out by the chair",
    }
    data = config.model_dump()
    data["cohort"] = {"min_size": 0, "max_size": 12}
    data["selection"]["min_score"] = 12.5
    data["diversity"] = [
        {"field": "program", "min_per_value": {"North": 2, "South": 0}},
        {"field": "program", "max_per_value": 3},
        {"field": "program", "max_per_value": 4},
    ]
    data["labels"] = {"min_per_value:program:North": "two from the North program"}
    labels = TrackConfig.model_validate(data).rule_labels()
    assert labels["size"] == "at most 12 in the cohort"
    assert labels["min_score"] == "aggregate score at least 12.5"
    assert labels["min_per_value:program:North"] == "two from the North program"
    assert "min_per_value:program:South" not in labels  # a floor of 0 is no rule
    assert labels["max_per_value:program"] == "at most 3 per program"
    assert labels["max_per_value:program#2"] == "at most 4 per program"


@pytest.mark.parametrize(
    ("labels", "fragment"),
    [
        ({"max_per_value:specialy": "x"}, "did you mean 'max_per_value:specialty'?"),
        ({"max_pgy1": " "}, "must be 1 to 120 characters"),
        ({"max_pgy1": "at most 2 per specialty"}, "has the same label as"),
    ],
)
def test_a_label_for_no_rule_or_an_empty_or_repeated_one_is_refused(
    labels: dict[str, str], fragment: str
) -> None:
    data = load_config(DEFAULT_CONFIG_PATH).model_dump()
    with pytest.raises(ConfigError) as err:
        parse_config({**data, "labels": labels}, "track.toml")
    assert fragment in str(err.value)
    assert err.value.location.file == "track.toml"


def test_labels_survive_the_toml_snapshot() -> None:
    data = load_config(DEFAULT_CONFIG_PATH).model_dump()
    config = parse_config({**data, "labels": {"max_per_value:specialty": "two per specialty"}})
    again = loads_config(dumps_config(config))
    assert again == config
    assert again.rule_labels()["max_per_value:specialty"] == "two per specialty"
