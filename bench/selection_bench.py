"""Benchmark of the selection engine against its floor, the bare integer program.

Run: ``python bench/selection_bench.py`` (200 to 50,000 applicants, cohorts of 10 and 100;
``--quick``: 2,000 and 20,000 applicants, cohort 10 only). Synthetic pools (three reviews
per applicant on the shipped rubric's 1–5 scales) with the shipped DEI track rules scaled to
the cohort size (at most 2 per specialty per 10 seats, at least 5 specialties per 10 seats
(at most 20), at most one PGY1 per 10 seats).

For each (pool, cohort) it prints, in seconds:

* ``optimum``: ``decide(..., explain=False)``: the cohort with its documented tie-break;
* ``full``: ``decide(...)``: the cohort, margins, replacements, rule prices and reasons;
* ``floor``: the bare ILP: aggregate scores and eligibility in plain Python, then the same
  constraints written straight into ``highspy`` (one binary per eligible applicant, no PuLP,
  no class reduction, no tie-break, no explanations) and solved once: the least work that
  answers "pick N maximising the total score under the rules";
* the ratios ``optimum / floor`` and ``full / floor``, and whether both found the same optimum;
* the goal (issue 11): the full decision within 5× the floor at every size and cohort.

Each figure is the best of ``--repeat`` runs (default 3): the machine is shared, and the
fastest run is the one least disturbed by the others.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from selector.config import DEFAULT_CONFIG_PATH, TrackConfig, load_config
from selector.models import Applicant, Review
from selector.selection import decide
from selector.solver import silence_highs_banner

SPECIALTIES = [f"Specialty {k:02d}" for k in range(24)]
GOALS = {(200, "full"): 1.0, (2000, "full"): 10.0, (10000, "optimum"): 1.0}
#: The full decision (every explanation) within this many times the bare ILP (issue 11).
FULL_RATIO_GOAL = 5.0


def pool(n: int, cohort: int, seed: int = 1) -> tuple[list[Applicant], list[Review], TrackConfig]:
    """n applicants with three reviews each, and the DEI config scaled to the cohort size."""
    rng = random.Random(seed)
    base = load_config(DEFAULT_CONFIG_PATH)
    scale = cohort // 10
    config = base.model_copy(
        update={
            "cohort": base.cohort.model_copy(update={"size": cohort}),
            "eligibility": base.eligibility.model_copy(update={"max_pgy1": scale}),
            "diversity": [
                base.diversity[0].model_copy(
                    update={"max_per_value": 2 * scale, "min_distinct": min(5 * scale, 20)}
                )
            ],
        }
    )
    weights = [1.0 / (k + 1) for k in range(len(SPECIALTIES))]  # a few big specialties
    apps, reviews = [], []
    for i in range(n):
        aid = f"B{i:05d}"
        apps.append(
            Applicant(
                aid,
                f"Bench Resident {i}",
                f"bench{i}@example.org",
                rng.choice([1, 2, 2, 3, 3, 4]),
                rng.choices(SPECIALTIES, weights)[0],
                pgy1_approved=rng.random() < 0.5,
            )
        )
        for r in range(3):
            reviews.append(
                Review(aid, f"R{r}", {c.id: float(rng.randint(1, 5)) for c in config.criteria})
            )
    return apps, reviews, config


def bare_ilp(
    apps: list[Applicant], reviews: list[Review], config: TrackConfig
) -> tuple[float, float]:
    """The floor: the same rules as one ILP in highspy, solved once.

    Returns (total score of the optimum, seconds spent in the solver alone). Handles the rules
    the bench uses and the rest of the config's (cohort range, min_per_value, min_score), so it
    stays "the same constraints" if the bench's rules change; no locks.
    """
    import highspy

    weights = {c.id: c.weight for c in config.criteria}
    sums: dict[str, list[float]] = defaultdict(list)
    for r in reviews:
        sums[r.applicant_id].append(math.fsum(weights[c] * s for c, s in r.scores.items()))
    score = {a: round(math.fsum(t) / len(t), 4) for a, t in sums.items()}
    rules, floor = config.eligibility, config.selection.min_score
    cands = [
        a
        for a in apps
        if a.applicant_id in score
        and (a.pgy1_approved if a.pgy == 1 and rules.pgy1_by_approval else a.pgy >= rules.min_pgy)
        and (floor is None or score[a.applicant_id] >= floor)
    ]
    n = len(cands)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", 0.0)
    inf = highspy.kHighsInf
    h.addVars(n, [0.0] * n, [1.0] * n)
    h.changeColsIntegrality(n, list(range(n)), [highspy.HighsVarType.kInteger] * n)
    h.changeColsCost(n, list(range(n)), [score[a.applicant_id] for a in cands])
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)

    def row(lo: float, hi: float, cols: list[int], coefs: list[float] | None = None) -> None:
        h.addRow(lo, hi, len(cols), cols, coefs or [1.0] * len(cols))

    lo, hi = config.cohort.bounds
    row(lo, inf if hi is None else hi, list(range(n)))
    if rules.max_pgy1 is not None:
        row(-inf, rules.max_pgy1, [i for i, a in enumerate(cands) if a.pgy == 1])
    for d in config.diversity:
        groups: dict[str, list[int]] = defaultdict(list)
        for i, a in enumerate(cands):
            text = str(a.value(d.field) or "").strip().casefold()
            if text:
                groups[text].append(i)
        if d.max_per_value is not None:
            for cols in groups.values():
                row(-inf, d.max_per_value, cols)
        for value, need in d.min_per_value.items():
            row(need, inf, groups.get(value.strip().casefold(), []))
        if d.min_distinct is not None:
            first = h.getNumCol()
            h.addVars(len(groups), [0.0] * len(groups), [1.0] * len(groups))
            ys = list(range(first, first + len(groups)))
            h.changeColsIntegrality(len(ys), ys, [highspy.HighsVarType.kInteger] * len(ys))
            for y, cols in zip(ys, groups.values(), strict=True):  # y ≤ Σ x over the value
                row(-inf, 0, [y, *cols], [1.0] + [-1.0] * len(cols))
            row(d.min_distinct, inf, ys)
    t = time.perf_counter()
    h.run()
    solve = time.perf_counter() - t
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return math.nan, solve
    x = h.getSolution().col_value
    chosen = [a.applicant_id for i, a in enumerate(cands) if x[i] > 0.5]
    return round(math.fsum(score[a] for a in chosen), 4), solve


def timed(fn, *args, repeat: int = 1, **kwargs):  # type: ignore[no-untyped-def]
    """The result and the fastest of ``repeat`` runs, in seconds."""
    best = math.inf
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn(*args, **kwargs)
        best = min(best, time.perf_counter() - t)
    return out, best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="2,000 and 20,000, cohort 10 only")
    parser.add_argument("--solver", default="highs", choices=["highs", "cbc"])
    parser.add_argument("--sizes", type=int, nargs="*", help="pool sizes (default: all)")
    parser.add_argument("--cohorts", type=int, nargs="*", help="cohort sizes (default: 10 100)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (the fastest)")
    args = parser.parse_args()
    silence_highs_banner()
    sizes = args.sizes or ([2000, 20000] if args.quick else [200, 2000, 10000, 20000, 50000])
    cohorts = args.cohorts or ([10] if args.quick else [10, 100])
    r = args.repeat
    print(f"solver: {args.solver}; seconds; floor = bare highspy ILP, one solve")
    print(
        f"{'pool':>6} {'cohort':>6} {'optimum':>8} {'full':>8} {'floor':>7} {'(solve)':>8}"
        f" {'opt/floor':>9} {'full/floor':>10} {'solves':>6}  same optimum  goal"
    )
    for n in sizes:
        for cohort in cohorts:
            apps, reviews, config = pool(n, cohort)
            (total, solve), floor = timed(bare_ilp, apps, reviews, config, repeat=r)
            quick, t_opt = timed(
                decide, apps, reviews, config, solver=args.solver, explain=False, repeat=r
            )
            full, t_full = timed(decide, apps, reviews, config, solver=args.solver, repeat=r)
            goals = []
            for what, seconds in (("optimum", t_opt), ("full", t_full)):
                goal = GOALS.get((n, what))
                if goal is not None:
                    goals.append(f"{what} < {goal:g} s {'ok' if seconds < goal else 'MISSED'}")
            within = t_full <= FULL_RATIO_GOAL * floor
            goals.append(f"full ≤ {FULL_RATIO_GOAL:g}× floor {'ok' if within else 'MISSED'}")
            same = quick.total_score == total == full.total_score
            print(
                f"{n:>6} {cohort:>6} {t_opt:>8.2f} {t_full:>8.2f} {floor:>7.2f} {solve:>8.2f}"
                f" {t_opt / floor:>8.1f}× {t_full / floor:>9.1f}× "
                f"{int(full.timings['solves']):>6}  {'yes' if same else 'NO'}"
                f"{'' if same else f' ({total} vs {quick.total_score})'}  {'; '.join(goals)}",
                flush=True,
            )


if __name__ == "__main__":
    main()
