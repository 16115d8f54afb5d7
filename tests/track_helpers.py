"""A store with a track of two cycles, for the track's tests (core, CLI and pages).

2026: five applicants (person1..5), scored 1..5 by one reviewer; its final run chose A004
and A005 (a cohort of two). 2027 is made from 2026 (same track and rules) with person5
(now a trainee, e-mail in other case), person2 (not chosen in 2026) and two newcomers."""

from __future__ import annotations

from selector import workflow
from selector.config import DEFAULT_CONFIG_PATH
from selector.models import Review
from selector.store import Store
from tests.test_store import PEOPLE, intake, make_rows

CRITERIA = ("awareness", "reflection", "empowerment", "action", "leadership", "project")
#: The bundled rules with a cohort of two and one specialty enough.
TWO = (
    DEFAULT_CONFIG_PATH.read_text(encoding="utf-8")
    .replace("size = 10 ", "size = 2 ")
    .replace("min_distinct = 5", "min_distinct = 1")
)
#: The same, keeping current trainees out.
EXCLUDING = TWO.replace("max_pgy1 = 1 ", "exclude_current_trainees = true\nmax_pgy1 = 1 ")


def scores(value: float) -> dict[str, float]:
    return {c: value for c in (*CRITERIA, "commitment")}


def score_all(store: Store, cycle: str, values: dict[str, float]) -> None:
    """One complete review per applicant by rev One (``values``: applicant id → score)."""
    system = store.system_user()
    reviews = [Review(a, "r1@example.org", scores(v)) for a, v in values.items()]
    store.save_reviews(system, cycle, reviews)


def finalise(store: Store, cycle: str) -> list[str]:
    """Decide the cycle on its saved rules and record the run as final; the cohort."""
    system = store.system_user()
    target = store.cycle(cycle)
    done = workflow.decide_cycle(store, system, cycle, target.config, target.config_text)
    store.record_run(
        system,
        cycle,
        config_text=target.config_text,
        decision=done.decision,
        final=True,
        trainees=done.decision.trainees,
    )
    return sorted(done.decision.selected)


def two_years(store: Store, *, config: str = TWO, finalise_2027: bool = False) -> Store:
    """The track of 2026 and 2027 described in the module docstring."""
    system = store.system_user()
    for email, name, role, password, program in PEOPLE.values():
        store.add_user(system, email, name, role, password, program)
    store.create_cycle(system, "2026", config)
    store.import_applications(system, "2026", intake(make_rows(5)))
    score_all(store, "2026", {f"A00{i}": i for i in range(1, 6)})
    assert finalise(store, "2026") == ["A004", "A005"]
    workflow.create_cycle(store, system, "2027")
    rows = make_rows(7)
    rows[4]["Email"] = "Person5@EXAMPLE.org"
    keep = [rows[1], rows[4], rows[5], rows[6]]  # person2, person5, person6, person7
    store.import_applications(system, "2027", intake(keep))
    ids = [a.applicant_id for a in store.applicants(system, "2027")]
    score_all(store, "2027", dict(zip(ids, (2, 5, 4, 3), strict=True)))
    if finalise_2027:
        finalise(store, "2027")
    return store
