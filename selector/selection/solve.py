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


#: How far from a whole number an LP value may be and still be read as that number.
INTEGRAL_TOLERANCE = 1e-6


class Solver:
    """Solves the model, and re-solves it with applicants fixed or rules relaxed.

    With HiGHS the model is written into one HiGHS object once, and every solve changes column
    and row bounds on it. Each solve runs the LP relaxation first: when its optimum is whole
    (every binary and slack a whole number; the spread rule's indicators follow from the
    applicants chosen) and its value within half a unit of that whole point's, that point is a
    proven optimum of the integer program and no branch and bound runs; otherwise the integer
    program is solved. The answer is exact either way. With CBC each solve goes through PuLP.
    """

    def __init__(self, model: Model, name: SolverName) -> None:
        self.model = model
        self.name = name
        self.solves = 0
        self.mip_solves = 0  # solves that needed branch and bound (HiGHS)
        self._highs: Any = None
        self._cols: dict[str, int] = {}
        self._rows: dict[str, tuple[int, float, float]] = {}
        self._count_rows: dict[frozenset[str], int] = {}
        self._integer: list[int] = []  # integer columns
        self._checked: list[int] = []  # integer columns that must come out whole
        self._costs: list[float] = []
        self._mip_highs: Any = None
        self._x_cols: Any = None

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
        if self.name == "highs":
            if self._highs is None:
                self._build_highs()
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
            prob.solve(self._pulp_solver())
            status = read_status(prob=prob)
            chosen = frozenset(a for a, var in self.model.x.items() if (var.varValue or 0) > 0.5)
        finally:
            prob._constraints = saved
            for a in fix:
                self.model.x[a].bounds(0, 1)
        return self._outcome(chosen) if status == "optimal" else None

    def solve_plain(self) -> Outcome | None:
        """Solve the model as PuLP holds it now (its own objective and rows), through PuLP;
        for programs changed between solves. The variables' values are PuLP's."""
        self.solves += 1
        if self.name == "highs":
            silence_highs_banner()
        self.model.prob.solve(self._pulp_solver())
        if read_status(prob=self.model.prob) != "optimal":
            return None
        x = self.model.x
        return self._outcome(frozenset(a for a, var in x.items() if (var.varValue or 0) > 0.5))

    def _build_highs(self) -> None:
        """Write the PuLP model into one HiGHS object (columns by variable, rows by name)."""
        import highspy
        import numpy as np
        import pulp

        silence_highs_banner()
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("mip_rel_gap", 0.0)
        h.setOptionValue("time_limit", TIME_LIMIT_S)
        prob = self.model.prob
        inf = highspy.kHighsInf
        index: dict[str, int] = {}
        for k, var in enumerate(prob.variables()):
            index[var.name] = k
            lb, ub = var.lowBound, var.upBound
            cost = float(prob.objective.get(var, 0.0))
            h.addCol(cost, -inf if lb is None else lb, inf if ub is None else ub, 0, [], [])
            self._costs.append(cost)
            if var.cat == pulp.LpInteger:
                self._integer.append(k)
                if not var.name.startswith("y_"):  # the spread rule's indicators: see above
                    self._checked.append(k)
        sense = highspy.ObjSense.kMaximize if prob.sense == pulp.LpMaximize else None
        if sense is not None:
            h.changeObjectiveSense(sense)
        for name, c in prob._constraints.items():
            lb, ub = c.getLb(), c.getUb()
            lo, hi = -inf if lb is None else lb, inf if ub is None else ub
            cols = [index[v.name] for v, coef in c.items() if coef != 0]
            coefs = [float(coef) for coef in c.values() if coef != 0]
            self._rows[name] = (h.getNumRow(), lo, hi)
            h.addRow(lo, hi, len(cols), cols, coefs)
        self._cost_array = np.asarray(self._costs)
        self._cols = {a: index[var.name] for a, var in self.model.x.items()}
        self._x_cols = np.fromiter(self._cols.values(), dtype=np.int64, count=len(self._cols))
        self._highs = h  # the LP relaxation; the integer program is a copy made when needed

    def _mip(self) -> Any:
        """The integer program: a copy of the LP object (with its current bounds and rows)
        with the integer columns marked, made at the first solve that needs it."""
        import highspy
        import numpy as np

        if self._mip_highs is None:
            h = highspy.Highs()
            h.setOptionValue("output_flag", False)
            h.setOptionValue("mip_rel_gap", 0.0)
            h.setOptionValue("time_limit", TIME_LIMIT_S)
            h.passModel(self._highs.getLp())
            if self._integer:
                n = len(self._integer)
                kinds = np.full(n, highspy.HighsVarType.kInteger.value, dtype=np.uint8)
                h.changeColsIntegrality(n, np.asarray(self._integer, dtype=np.int32), kinds)
            self._mip_highs = h
        return self._mip_highs

    def _objects(self) -> list[Any]:
        return [h for h in (self._highs, self._mip_highs) if h is not None]

    def _run_highs(self) -> list[float] | None:
        """The optimum's column values under the current bounds (None: infeasible): the LP
        relaxation's when it is whole, else the integer program's."""
        import numpy as np

        h = self._highs
        if h.getNumCol() == 0:  # nobody to choose: the empty cohort, if every row allows it
            lp = h.getLp()
            rows = zip(lp.row_lower_, lp.row_upper_, strict=True)
            return [] if all(lo <= 0 <= hi for lo, hi in rows) else None
        h.run()
        if read_status(highs=h) == "infeasible":  # no point at all: no whole one either
            return None
        values = np.asarray(h.getSolution().col_value)
        checked = values[self._checked]
        if np.all(np.abs(checked - np.round(checked)) <= INTEGRAL_TOLERANCE):
            whole = float(self._cost_array @ np.round(values))
            if abs(h.getInfo().objective_function_value - whole) < 0.5:
                return list(values)
        self.mip_solves += 1
        mip = self._mip()
        mip.run()
        if read_status(highs=mip) == "infeasible":
            return None
        return list(mip.getSolution().col_value)

    def _solve_highs(
        self, fix: Mapping[str, int], relax: list[Rule], count: tuple[Sequence[str], int] | None
    ) -> Outcome | None:
        restore = [self._rows[r] for rule in relax for r in rule.rows]
        if count is not None:
            ids, _ = count
            key = frozenset(ids)
            if key not in self._count_rows:  # added once, left free between uses
                cols = sorted(self._cols[a] for a in ids)
                for h in self._objects():
                    h.addRow(-math.inf, math.inf, len(cols), cols, [1.0] * len(cols))
                self._count_rows[key] = self._highs.getNumRow() - 1
        for h in self._objects():
            for a, v in fix.items():
                h.changeColBounds(self._cols[a], v, v)
            for index, _, _ in restore:
                h.changeRowBounds(index, -math.inf, math.inf)
            if count is not None:
                h.changeRowBounds(self._count_rows[frozenset(count[0])], count[1], count[1])
        if count is not None:
            restore.append((self._count_rows[frozenset(count[0])], -math.inf, math.inf))
        try:
            values = self._run_highs()
        finally:
            for h in self._objects():  # the integer program too, if this solve made it
                for a in fix:
                    h.changeColBounds(self._cols[a], 0, 1)
                for index, lb, ub in restore:
                    h.changeRowBounds(index, lb, ub)
        if values is None:
            return None
        import numpy as np

        chosen = np.asarray(values)[self._x_cols] > 0.5
        return self._outcome(frozenset(a for a, x in zip(self._cols, chosen, strict=True) if x))

    def _outcome(self, chosen: frozenset[str]) -> Outcome:
        return Outcome(chosen, sum(self.model.cands[a].units for a in chosen))

    def lp_bounds(self) -> tuple[dict[str, int], dict[str, int]]:
        """Upper bounds, from the LP relaxation's reduced costs, on the optimum with each
        applicant forced in and forced out (exact integers; safe by half a unit)."""
        if self.name == "highs" and self._highs is not None:
            values, duals, lp_opt = self._lp_relaxation()
        else:
            import pulp

            silence_highs_banner()
            prob = self.model.prob
            prob.solve(pulp.HiGHS(msg=False, mip=False, timeLimit=TIME_LIMIT_S))
            if read_status(prob=prob) != "optimal":
                raise SelectorError("solver_failed", "the LP relaxation has no optimum")
            values = {a: v.varValue or 0.0 for a, v in self.model.x.items()}
            duals = {a: v.dj or 0.0 for a, v in self.model.x.items()}
            lp_opt = sum(self.model.cands[a].units * values[a] for a in values)
        ub_in: dict[str, int] = {}
        ub_out: dict[str, int] = {}
        for a in self.model.x:
            value, dj = values[a], abs(duals[a])
            ub_in[a] = math.floor(lp_opt - dj * (1 - value) + 0.5)
            ub_out[a] = math.floor(lp_opt - dj * value + 0.5)
        return ub_in, ub_out

    def _lp_relaxation(self) -> tuple[dict[str, float], dict[str, float], float]:
        """The LP relaxation on the kept HiGHS object: values, reduced costs, optimum."""
        h = self._highs
        if h.getNumCol() == 0:
            return {}, {}, 0.0
        h.run()
        if read_status(highs=h) != "optimal":
            raise SelectorError("solver_failed", "the LP relaxation has no optimum")
        solution = h.getSolution()
        col_value, col_dual = list(solution.col_value), list(solution.col_dual)
        values = {a: col_value[k] for a, k in self._cols.items()}
        duals = {a: col_dual[k] for a, k in self._cols.items()}
        return values, duals, h.getInfo().objective_function_value


def solver_version(name: SolverName) -> str:
    """The solver's name and version, as recorded with every decision."""
    if name == "highs":
        import highspy

        silence_highs_banner()
        return str(highspy.Highs().version())
    import pulp

    return f"CBC bundled with PuLP {pulp.__version__}"
