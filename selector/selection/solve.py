"""The solver adapter: HiGHS or CBC through PuLP, re-solves, and the one status check.

:func:`read_status` is the only place that reads a solver's answer; binaries are read as
``value > 0.5``. With HiGHS the model is handed over once and every re-solve changes column
and row bounds on the same HiGHS object; with CBC each re-solve goes through PuLP (a process
per solve). PuLP and highspy are imported when a model is solved, not when this module is.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from selector.errors import SelectorError
from selector.selection.model import Model, Rule
from selector.solver import silence_highs_banner

if TYPE_CHECKING:
    import pulp

SolverName = Literal["highs", "cbc"]

#: Longest time one solve may take before the engine gives up (a time-out is not optimal).
TIME_LIMIT_S = 120.0


def read_status(
    prob: pulp.LpProblem | None = None, highs: Any = None
) -> Literal["optimal", "infeasible"]:
    """The one place that reads a solver's answer: "optimal" or "infeasible".

    It checks the *solution* status: PuLP reports a time-out with a feasible point as status
    "Optimal", but the solution status then says "integer feasible", which is not optimal.
    Anything but a proven optimum or proven infeasibility raises.
    """
    if highs is not None:
        import highspy

        st = highs.getModelStatus()
        if st == highspy.HighsModelStatus.kOptimal:
            return "optimal"
        if st in (
            highspy.HighsModelStatus.kInfeasible,
            highspy.HighsModelStatus.kUnboundedOrInfeasible,
        ):
            return "infeasible"
        detail = highs.modelStatusToString(st)
    else:
        import pulp

        assert prob is not None
        if prob.sol_status == pulp.LpSolutionOptimal:
            return "optimal"
        if prob.status == pulp.LpStatusInfeasible or prob.sol_status == pulp.LpSolutionInfeasible:
            return "infeasible"
        detail = f"{pulp.LpStatus[prob.status]} / solution status {prob.sol_status}"
    raise SelectorError("solver_failed", f"the solver did not prove an optimum ({detail})")


@dataclass(frozen=True)
class Outcome:
    """An optimal cohort: who is in, and its exact total recomputed from the members."""

    chosen: frozenset[str]
    value: int  # exact total in units


class Solver:
    """Solves the model, and re-solves it with applicants fixed or rules relaxed.

    With HiGHS the model is handed to the solver once (through PuLP) and re-solves change
    column and row bounds on the same HiGHS object; with CBC each re-solve goes through PuLP.
    """

    def __init__(self, model: Model, name: SolverName) -> None:
        self.model = model
        self.name = name
        self.solves = 0
        self._highs: Any = None
        self._cols: dict[str, int] = {}
        self._rows: dict[str, tuple[int, float, float]] = {}
        self._count_rows: dict[frozenset[str], int] = {}

    def version(self) -> str:
        return solver_version(self.name)

    def _pulp_solver(self, mip: bool = True) -> Any:
        import pulp

        if self.name == "highs":
            return pulp.HiGHS(msg=False, mip=mip, gapRel=0, timeLimit=TIME_LIMIT_S)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            return pulp.PULP_CBC_CMD(msg=False, mip=mip, gapRel=0, timeLimit=TIME_LIMIT_S)

    def solve(
        self,
        fix: Mapping[str, int] | None = None,
        relax: Iterable[Rule] = (),
        count: tuple[Sequence[str], int] | None = None,
    ) -> Outcome | None:
        """The best cohort with the given applicants fixed in (1) or out (0), the given rules
        dropped and, with ``count`` (ids, n), exactly n of those ids in; None when no cohort
        fits."""
        import pulp

        fix = fix or {}
        relax = list(relax)
        self.solves += 1
        if self.name == "highs" and self._highs is not None:
            return self._solve_highs(fix, relax, count)
        prob = self.model.prob
        saved = dict(prob._constraints)
        for rule in relax:
            for row in rule.rows:
                del prob._constraints[row]
        if count is not None:
            ids, n = count
            prob.addConstraint(pulp.lpSum(self.model.x[a] for a in ids) == n, "class_count")
        for a, v in fix.items():
            self.model.x[a].bounds(v, v)
        try:
            if self.name == "highs":
                silence_highs_banner()
            prob.solve(self._pulp_solver())
            status = read_status(prob=prob)
            chosen = frozenset(a for a, var in self.model.x.items() if (var.varValue or 0) > 0.5)
        finally:
            prob._constraints = saved
            for a in fix:
                self.model.x[a].bounds(0, 1)
        if self.name == "highs" and not fix and not relax and count is None:
            self._keep_highs(prob)
        return self._outcome(chosen) if status == "optimal" else None

    def solve_plain(self) -> Outcome | None:
        """Solve the model as PuLP holds it now (its own objective and rows), without the
        HiGHS object kept for re-solves; for programs changed between solves."""
        self.solves += 1
        if self.name == "highs":
            silence_highs_banner()
        self.model.prob.solve(self._pulp_solver())
        if read_status(prob=self.model.prob) != "optimal":
            return None
        x = self.model.x
        return self._outcome(frozenset(a for a, var in x.items() if (var.varValue or 0) > 0.5))

    def _keep_highs(self, prob: pulp.LpProblem) -> None:
        self._highs = prob.solverModel
        self._cols = {a: var.index for a, var in self.model.x.items()}
        for name, c in prob._constraints.items():
            lb, ub = c.getLb(), c.getUb()
            self._rows[name] = (
                c.index,
                -math.inf if lb is None else lb,
                math.inf if ub is None else ub,
            )

    def _solve_highs(
        self, fix: Mapping[str, int], relax: list[Rule], count: tuple[Sequence[str], int] | None
    ) -> Outcome | None:
        h = self._highs
        for a, v in fix.items():
            h.changeColBounds(self._cols[a], v, v)
        restore = [self._rows[r] for rule in relax for r in rule.rows]
        for index, _, _ in restore:
            h.changeRowBounds(index, -math.inf, math.inf)
        if count is not None:
            ids, n = count
            key = frozenset(ids)
            if key not in self._count_rows:  # added once, left free between uses
                cols = sorted(self._cols[a] for a in ids)
                h.addRow(-math.inf, math.inf, len(cols), cols, [1.0] * len(cols))
                self._count_rows[key] = h.getNumRow() - 1
            h.changeRowBounds(self._count_rows[key], n, n)
            restore.append((self._count_rows[key], -math.inf, math.inf))
        try:
            h.run()
            status = read_status(highs=h)
            chosen: frozenset[str] = frozenset()
            if status == "optimal":
                values = h.getSolution().col_value
                chosen = frozenset(a for a, k in self._cols.items() if values[k] > 0.5)
        finally:
            for a in fix:
                h.changeColBounds(self._cols[a], 0, 1)
            for index, lb, ub in restore:
                h.changeRowBounds(index, lb, ub)
        return self._outcome(chosen) if status == "optimal" else None

    def _outcome(self, chosen: frozenset[str]) -> Outcome:
        return Outcome(chosen, sum(self.model.cands[a].units for a in chosen))

    def lp_bounds(self) -> tuple[dict[str, int], dict[str, int]]:
        """Upper bounds, from the LP relaxation's reduced costs, on the optimum with each
        applicant forced in and forced out (exact integers; safe by half a unit)."""
        import pulp

        silence_highs_banner()
        prob = self.model.prob
        prob.solve(pulp.HiGHS(msg=False, mip=False, timeLimit=TIME_LIMIT_S))
        if read_status(prob=prob) != "optimal":
            raise SelectorError("solver_failed", "the LP relaxation has no optimum")
        lp_opt = sum(
            self.model.cands[a].units * (v.varValue or 0.0) for a, v in self.model.x.items()
        )
        ub_in: dict[str, int] = {}
        ub_out: dict[str, int] = {}
        for a, var in self.model.x.items():
            value, dj = var.varValue or 0.0, abs(var.dj or 0.0)
            ub_in[a] = math.floor(lp_opt - dj * (1 - value) + 0.5)
            ub_out[a] = math.floor(lp_opt - dj * value + 0.5)
        return ub_in, ub_out


def solver_version(name: SolverName) -> str:
    """The solver's name and version, as recorded with every decision."""
    if name == "highs":
        import highspy

        silence_highs_banner()
        return str(highspy.Highs().version())
    import pulp

    return f"CBC bundled with PuLP {pulp.__version__}"
