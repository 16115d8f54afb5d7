"""How sure the cohort is: a bootstrap over reviewers.

Each draw resamples every scored applicant's counted reviews with replacement (an applicant
with three reviews gets three drawn from its own three, repeats allowed), averages them into a
new aggregate score and decides again under the same rules and locks. An applicant's
**selection probability** is the share of draws whose cohort holds it. Cohort members at or
above :data:`SECURE` are *secure*, the others *contested*; applicants outside the cohort
selected in at least :data:`NEAR` of the draws are the *near-misses*.

Within a draw, exact ties (equal totals) are broken at random, seeded per draw: every
applicant's score gets a random offset smaller, summed over any cohort, than one score unit
(10⁻⁴ points), so the offsets choose only among cohorts with the same total. The fixed
tie-break order would hide exactly this uncertainty.

Every draw has its own random stream, derived from the seed and the draw's number, so the same
seed gives the same probabilities, and the first n draws of a longer run are the n draws of a
shorter one. With ``standardize`` on, reviews are standardized once, on the original data, and
the standardized values are resampled.

Speed: draws are resampled in batches (their random streams exactly :func:`draw_rng`'s, the
states of many computed at once by :func:`draw_states`), and most are decided without a
solver: :mod:`selector.selection.fastpath` takes the greedy cohort by perturbed score when a
certificate proves it the unique optimum, which the solver would then return too. The others
go to one model, built and handed to HiGHS once, when a draw first needs it; such a draw
changes only the objective's costs (and, for the quality floor, which columns may be 1).
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from selector.errors import InputError, SelectorError
from selector.models import Review
from selector.selection.fastpath import FastPath
from selector.selection.model import UNITS, Candidate, build_model, group_key
from selector.selection.solve import TIME_LIMIT_S, read_status
from selector.solver import silence_highs_banner

if TYPE_CHECKING:
    import numpy as np

    from selector.selection.decision import Decision

#: Cohort members selected in at least this share of draws are secure.
SECURE = 0.95
#: Applicants outside the cohort selected in at least this share of draws are near-misses.
NEAR = 0.05
#: How close to 0 or 1 every value of the relaxation's optimum must be to count as integral.
INTEGRAL = 1e-6
#: The most draws one call may ask for.
MAX_DRAWS = 100_000
#: About how many resampled reviews one batch of draws holds in memory.
BATCH_CELLS = 2_000_000


@dataclass(frozen=True)
class Robustness:
    """The bootstrap's result: how often each selectable applicant was selected."""

    draws: int
    seed: str
    probability: dict[str, float]  # selectable, scored applicant → share of draws selected
    selected: list[str]  # the decision's cohort, in its order
    infeasible: int = 0  # draws in which no cohort kept the rules (they select nobody)
    seconds: float = field(default=0.0, compare=False)
    fast_draws: int = field(default=0, compare=False)  # draws decided without a solver
    lp_solves: int = field(default=0, compare=False)  # draws that went to the LP relaxation
    mip_solves: int = field(default=0, compare=False)  # draws whose relaxation was fractional

    @property
    def secure(self) -> list[str]:
        """Cohort members selected in at least :data:`SECURE` of the draws."""
        return [a for a in self.selected if self.probability.get(a, 0.0) >= SECURE]

    @property
    def contested(self) -> list[str]:
        """Cohort members selected in fewer than :data:`SECURE` of the draws."""
        return [a for a in self.selected if self.probability.get(a, 0.0) < SECURE]

    @property
    def near_misses(self) -> list[str]:
        """Applicants outside the cohort selected in at least :data:`NEAR` of the draws, most
        often selected first."""
        chosen = set(self.selected)
        found = [a for a, p in self.probability.items() if a not in chosen and p >= NEAR]
        return sorted(found, key=lambda a: (-self.probability[a], a))

    @property
    def uncertain(self) -> list[str]:
        """Everyone the bootstrap cannot separate: the contested members and the near-misses."""
        return sorted([*self.contested, *self.near_misses])

    def to_json(self) -> dict[str, Any]:
        return {
            "draws": self.draws,
            "seed": self.seed,
            "probability": self.probability,
            "secure": self.secure,
            "contested": self.contested,
            "near_misses": self.near_misses,
            "infeasible_draws": self.infeasible,
            "thresholds": {"secure": SECURE, "near_miss": NEAR},
            "seconds": round(self.seconds, 3),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any], selected: Sequence[str]) -> Robustness:
        """A recorded result back (``selected`` is the cohort of the decision it belongs to)."""
        return cls(
            draws=int(data["draws"]),
            seed=str(data["seed"]),
            probability={str(k): float(v) for k, v in data["probability"].items()},
            selected=list(selected),
            infeasible=int(data.get("infeasible_draws", 0)),
            seconds=float(data.get("seconds", 0.0)),
        )

    def summary(self, names: Mapping[str, str] | None = None) -> list[str]:
        """A few lines of plain text for the CLI."""
        names = names or {}

        def who(a: str) -> str:
            name = names.get(a)
            return (
                f"{a} ({name}) {self.probability.get(a, 0.0):.2f}"
                if name
                else (f"{a} {self.probability.get(a, 0.0):.2f}")
            )

        lines = [
            f"robustness: {self.draws} bootstrap draws over reviewers (seed {self.seed!r}): "
            f"{len(self.secure)} of {len(self.selected)} seats secure (selected in at least "
            f"{SECURE:.0%} of draws)"
        ]
        if self.contested:
            lines.append("  contested: " + ", ".join(who(a) for a in self.contested))
        if self.near_misses:
            lines.append("  near-misses: " + ", ".join(who(a) for a in self.near_misses))
        if self.infeasible:
            lines.append(f"  {self.infeasible} draw(s) had no cohort that keeps the rules")
        return lines


def new_seed() -> str:
    """A fresh random seed, for a run that was given none (it is recorded with the result)."""
    return secrets.token_hex(8)


def _entropy(seed: str) -> int:
    return int.from_bytes(hashlib.sha256(seed.encode("utf-8")).digest()[:16], "big")


def draw_rng(seed: str, draw: int) -> np.random.Generator:
    """The random stream of one draw: from the seed and the draw's number alone."""
    import numpy as np

    return np.random.default_rng(np.random.SeedSequence(entropy=_entropy(seed), spawn_key=(draw,)))


# numpy's SeedSequence (O'Neill's seed_seq mixing; its output is part of numpy's stream
# compatibility promise), written out once so that the seeds of many draws are mixed at once.
_INIT_A, _MULT_A, _INIT_B, _MULT_B = 0x43B0D7E5, 0x931E8875, 0x8B51F9DD, 0x58F38DED
_MIX_L, _MIX_R = 0xCA01F9DD, 0x4973F715
# PCG64's multiplier, for its seeding (two steps of its generator).
_PCG_MULT = 0x2360ED051FC65DA44385DF649FCCF645
_M128 = (1 << 128) - 1


def draw_states(seed: str, start: int, stop: int) -> list[dict[str, Any]]:
    """The PCG64 states of :func:`draw_rng` for draws ``start`` to ``stop - 1``, computed for
    all of them at once: ``Generator.bit_generator.state = s`` then draws exactly what
    ``draw_rng(seed, k)`` does (a test checks them against numpy's own)."""
    import numpy as np

    u32 = np.uint32
    constant = [_INIT_A]

    def hashmix(value: Any) -> Any:
        value = np.asarray(value, dtype=u32) ^ u32(constant[0])
        constant[0] = (constant[0] * _MULT_A) & 0xFFFFFFFF
        value = value * u32(constant[0])
        return value ^ (value >> u32(16))

    def mix(x: Any, y: Any) -> Any:
        result = u32(_MIX_L) * x - u32(_MIX_R) * y
        return result ^ (result >> u32(16))

    entropy = _entropy(seed)
    words = [(entropy >> (32 * k)) & 0xFFFFFFFF for k in range(4)]  # little-endian, padded
    with np.errstate(over="ignore"):
        pool = [hashmix(w) for w in words]
        for src in range(4):
            for dst in range(4):
                if src != dst:
                    pool[dst] = mix(pool[dst], hashmix(pool[src]))
        keys = np.arange(start, stop, dtype=u32)  # the spawn key: one word per draw
        for dst in range(4):
            pool[dst] = mix(pool[dst], hashmix(keys))
        out, constant_b = [], _INIT_B
        for k in range(8):
            value = np.broadcast_to(pool[k % 4], keys.shape) ^ u32(constant_b)
            constant_b = (constant_b * _MULT_B) & 0xFFFFFFFF
            value = value * u32(constant_b)
            out.append(value ^ (value >> u32(16)))
    halves = np.stack(out, axis=-1).astype(np.uint64)
    state = (halves[:, 0::2] | (halves[:, 1::2] << np.uint64(32))).tolist()
    found = []
    for s0, s1, i0, i1 in state:
        inc = (((i0 << 64) | i1) << 1 | 1) & _M128
        pcg = ((inc + ((s0 << 64) | s1)) * _PCG_MULT + inc) & _M128
        found.append(
            {
                "bit_generator": "PCG64",
                "state": {"state": pcg, "inc": inc},
                "has_uint32": 0,
                "uinteger": 0,
            }
        )
    return found


def review_values(reviews: Sequence[Review], decision: Decision) -> dict[str, list[float]]:
    """Each scored applicant's counted review values (weighted totals, standardized when the
    config says so), in reviewer order: what a draw resamples."""
    from selector.scoring import aggregate, standardized_totals

    table = aggregate(reviews, decision.config)
    values = standardized_totals(table.totals) if table.standardized else table.totals
    out: dict[str, list[float]] = defaultdict(list)
    for (applicant_id, _), v in sorted(values.items()):
        out[applicant_id].append(v)
    return dict(out)


def candidates(decision: Decision, *, floor: bool) -> list[Candidate]:
    """The selectable, scored applicants of a decision as the model sees them; with
    ``floor`` those below the quality floor are marked so (else the caller keeps the floor)."""
    from selector.eligibility import ineligibility_reason

    config = decision.config
    minimum = config.selection.min_score
    fields = sorted({d.field for d in config.diversity})
    out: list[Candidate] = []
    for aid, person in decision.applicants.items():
        if aid not in decision.scores or ineligibility_reason(person, config) is not None:
            continue
        if "current_trainee" in decision.why[aid].rules:  # kept out by the track's trainees
            continue
        keys = {f: group_key(person.value(f)) for f in fields}
        below = floor and minimum is not None and decision.scores[aid] < minimum
        units = round(decision.scores[aid] * UNITS)
        out.append(Candidate(aid, units, person.pgy == 1, below, keys))
    return out


class Bootstrap:
    """One model for every draw, built once; a draw changes the costs.

    ``candidates`` are the selectable, scored applicants of ``decision`` (below the quality
    floor or not: that changes with the draw, so the floor is kept by column bounds). With
    ``fast`` (the default) a draw is first decided without a solver when the greedy cohort
    can be proven the unique optimum (:mod:`selector.selection.fastpath`); the model is built
    and handed to HiGHS only when a draw first needs it."""

    def __init__(
        self, decision: Decision, values: Mapping[str, Sequence[float]], *, fast: bool = True
    ) -> None:
        import numpy as np

        if decision.status != "optimal":
            raise InputError(
                "robustness_infeasible", "no cohort keeps the rules: nothing to resample"
            )
        config = decision.config
        self.decision = decision
        self.cands = [c for c in candidates(decision, floor=False) if c.id in values]
        self.ids = [c.id for c in self.cands]
        ids = set(self.ids)
        self.include = [a for a in decision.include if a in ids]
        self.fast = FastPath(self.cands, config, self.include, decision.exclude) if fast else None
        self.fast_draws = 0  # draws decided by the fast path
        self.lp_solves = 0  # draws that went to the LP relaxation
        self.mip_solves = 0  # draws whose relaxation was fractional
        self.highs: Any = None
        self.relaxed: Any = None
        n = len(self.ids)
        hi = config.cohort.bounds[1]
        # Offsets below 1 / (seats + 1) units each: summed over any cohort, less than one unit.
        # A draw's cost is units + perm / scale: exactly (units·scale + perm) / scale.
        self.scale = max(n, 1) * ((hi if hi is not None else n) + 1)
        self.offset_scale = 1.0 / self.scale
        floor = config.selection.min_score
        self.floor_units = None if floor is None else floor * UNITS
        # Applicants grouped by their number of counted reviews: one array per group.
        by_count: dict[int, list[int]] = defaultdict(list)
        for k, a in enumerate(self.ids):
            by_count[len(values[a])].append(k)
        self.groups = [
            (m, np.array(rows), np.array([values[self.ids[k]] for k in rows], dtype=float))
            for m, rows in sorted(by_count.items())
        ]

    def _load_solver(self) -> None:
        """Build the model and hand it to HiGHS (once, when a draw first needs a solver)."""
        import highspy
        import numpy as np
        import pulp

        decision = self.decision
        model = build_model(self.cands, decision.config, self.include, decision.exclude)
        silence_highs_banner()
        api = pulp.HiGHS(msg=False, gapRel=0, timeLimit=TIME_LIMIT_S)
        api.createAndConfigureSolver(model.prob)  # PuLP writes the model into HiGHS, unsolved
        api.buildSolverModel(model.prob)
        self.highs = model.prob.solverModel
        # Its LP relaxation, on a second HiGHS object: with these rules it is mostly integral
        # already, and an integral optimum of the relaxation is an optimum of the program.
        lp = self.highs.getLp()
        lp.integrality_ = []
        self.relaxed = highspy.Highs()
        self.relaxed.setOptionValue("output_flag", False)
        self.relaxed.setOptionValue("time_limit", TIME_LIMIT_S)
        self.relaxed.passModel(lp)
        self.cols = np.array([model.x[a].index for a in self.ids], dtype=np.int32)

    def scores(self, rng: np.random.Generator) -> np.ndarray:
        """One draw's aggregate scores in units: each applicant's reviews resampled."""
        import numpy as np

        units = np.empty(len(self.ids), dtype=np.int64)
        for m, rows, table in self.groups:
            pick = rng.integers(0, m, size=(len(rows), m))
            means = np.take_along_axis(table, pick, axis=1).sum(axis=1) / m
            units[rows] = np.rint(np.round(means, 4) * UNITS).astype(np.int64)
        return units

    def batch(self, seed: str, start: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
        """Draws ``start`` to ``stop - 1`` at once: their scores in units and their tie-break
        permutations (one row per draw), exactly as :meth:`scores` and :meth:`decide` draw
        them from :func:`draw_rng`, with the resampling's arithmetic done for all at once."""
        import numpy as np

        n, count = len(self.ids), stop - start
        rng = np.random.Generator(np.random.PCG64())
        picks = [np.empty((count, len(rows), m), dtype=np.int64) for m, rows, _ in self.groups]
        perms = np.empty((count, n), dtype=np.int64)
        for j, state in enumerate(draw_states(seed, start, stop)):
            rng.bit_generator.state = state
            for (m, rows, _), pick in zip(self.groups, picks, strict=True):
                pick[j] = rng.integers(0, m, size=(len(rows), m))
            perms[j] = rng.permutation(n)
        units = np.empty((count, n), dtype=np.int64)
        for (m, rows, table), pick in zip(self.groups, picks, strict=True):
            means = np.take_along_axis(table[None, :, :], pick, axis=2).sum(axis=2) / m
            units[:, rows] = np.rint(np.round(means, 4) * UNITS).astype(np.int64)
        return units, perms

    def decide(self, units: np.ndarray, rng: np.random.Generator) -> np.ndarray | None:
        """The draw's cohort as a boolean array over ``ids`` (None when no cohort fits), exact
        ties broken by ``rng``."""
        return self.cohort(units, rng.permutation(len(self.ids)))

    def cohort(self, units: np.ndarray, perm: np.ndarray) -> np.ndarray | None:
        """The draw's cohort (None when no cohort fits) for its scores and tie-break
        permutation: the fast path's when it proves its cohort optimal, else the solver's."""
        return self.cohorts(units[None, :], perm[None, :])[0]

    def cohorts(self, units: np.ndarray, perms: np.ndarray) -> list[np.ndarray | None]:
        """Each draw's cohort, one row of ``units`` and ``perms`` per draw."""
        import numpy as np

        if self.floor_units is None:  # below the floor in a draw: fixed out in it
            out = np.zeros(units.shape, dtype=bool)
        else:
            out = units < self.floor_units
        found: list[np.ndarray | None] = [None] * len(units)
        proven = np.zeros(len(units), dtype=bool)
        if self.fast is not None:
            exact = units.astype(np.float64) * self.scale + perms
            chosen, proven = self.fast.cohorts(exact, out)
            self.fast_draws += int(np.count_nonzero(proven))
            for k in np.flatnonzero(proven).tolist():
                found[k] = chosen[k]
        for k in np.flatnonzero(~proven).tolist():
            found[k] = self._solve(units[k] + perms[k] * self.offset_scale, out[k])
        return found

    def _solve(self, costs: np.ndarray, out: np.ndarray) -> np.ndarray | None:
        """The LP relaxation first; the integer program when the relaxation is fractional."""
        import numpy as np

        if self.relaxed is None:
            self._load_solver()
        cols, n = self.cols, len(self.ids)
        upper = None if self.floor_units is None else np.where(out, 0.0, 1.0)

        def load(h: Any) -> None:
            h.changeColsCost(n, cols, -costs)  # PuLP handed HiGHS the maximisation negated
            if upper is not None:  # below the floor in this draw: the column is fixed at 0
                h.changeColsBounds(n, cols, np.zeros(n), upper)

        load(self.relaxed)
        self.lp_solves += 1
        self.relaxed.run()
        try:
            relaxed = read_status(highs=self.relaxed)
        except SelectorError:  # a warm start gone numerically astray: start afresh next time
            self.relaxed.clearSolver()
            relaxed = None
        if relaxed == "infeasible":
            return None  # no fractional cohort fits: no cohort does
        if relaxed == "optimal":
            values = np.asarray(self.relaxed.getSolution().col_value)
            if np.all(np.abs(values - np.rint(values)) <= INTEGRAL):
                return np.asarray(values[cols] > 0.5)
        self.mip_solves += 1
        load(self.highs)
        self.highs.run()
        if read_status(highs=self.highs) != "optimal":
            return None
        values = np.asarray(self.highs.getSolution().col_value)
        return np.asarray(values[cols] > 0.5)


def robustness(
    decision: Decision,
    reviews: Sequence[Review],
    *,
    draws: int,
    seed: str | None = None,
    fast: bool = True,
    bootstrap: Bootstrap | None = None,
) -> Robustness:
    """Resample the reviews ``draws`` times and decide again each time (see the module's
    docstring); ``seed`` None draws a fresh one, recorded in the result. ``fast`` False sends
    every draw to the solver (the same probabilities; for tests and the bench). ``bootstrap``
    is one that resamples otherwise (each stage's reviews: :mod:`selector.selection.staged`)."""
    import numpy as np

    if not 1 <= draws <= MAX_DRAWS:
        raise InputError("robustness_draws", f"draws must be between 1 and {MAX_DRAWS:,}")
    start = time.perf_counter()
    seed = new_seed() if seed is None else seed
    boot = bootstrap or Bootstrap(decision, review_values(reviews, decision), fast=fast)
    counts = np.zeros(len(boot.ids), dtype=np.int64)
    infeasible = 0
    # Draws in batches: the resampling of a batch is one array operation.
    width = max(1, sum(len(rows) * m for m, rows, _ in boot.groups))
    step = max(1, min(1000, BATCH_CELLS // width))
    for first in range(0, draws, step):
        last = min(draws, first + step)
        units, perms = boot.batch(seed, first, last)
        for chosen in boot.cohorts(units, perms):
            if chosen is None:
                infeasible += 1
            else:
                counts += chosen
    probability = {a: round(int(c) / draws, 4) for a, c in zip(boot.ids, counts, strict=True)}
    return Robustness(
        draws=draws,
        seed=seed,
        probability=dict(sorted(probability.items())),
        selected=list(decision.selected),
        infeasible=infeasible,
        seconds=time.perf_counter() - start,
        fast_draws=boot.fast_draws,
        lp_solves=boot.lp_solves,
        mip_solves=boot.mip_solves,
    )
