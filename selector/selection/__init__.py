"""The selection engine: the optimal cohort by integer programming, and why.

The model has one binary ``x`` per selectable applicant and maximises the total aggregate
score of the cohort under the track's rules: cohort size, the PGY1 cap, diversity rules on any
field, the quality floor and the chair's locks. Scores enter the model in whole units of 10⁻⁴
points (they are rounded to 4 decimals by :mod:`selector.scoring`), so totals are integers and
"equal" is exact.

Decisions are deterministic. Among all optimal cohorts the engine returns exactly one, by the
rule in :data:`TIE_BREAK_RULE`: applicants are put in a priority order (higher score first,
then the SHA-256 of the tie-break seed and the applicant id), and the chosen cohort is the
lexicographically first optimal one in that order. It is found by walking the order and
asking the solver, for each applicant not yet in the current optimal cohort, whether an
optimal cohort that also contains it exists. An LP-relaxation bound (reduced costs) rules most
applicants out without a solve; every bound is only used to skip work, never to decide.

One module per part:

* :mod:`~selector.selection.model` — the integer program, one named row family per
  :class:`RuleKind`, and the class reduction of the pool;
* :mod:`~selector.selection.solve` — the solver adapter (HiGHS or CBC through PuLP; the one
  status check; re-solves with applicants fixed or rules dropped);
* :mod:`~selector.selection.explain` — margins, replacements, rule prices, the unconstrained
  top-N, reasons;
* :mod:`~selector.selection.diagnose` — when no cohort fits: arithmetic checks, then the
  smallest relaxation by a second integer program (:class:`Relaxation`);
* :mod:`~selector.selection.decision` — :func:`decide`, which runs them in order, and
  :class:`Decision`.
"""

from selector.config import plural
from selector.selection.decision import TIE_BREAK_RULE, Decision, decide
from selector.selection.diagnose import (
    RELAXATION_TEXT,
    Pool,
    Relaxation,
    apply_relaxations,
    arithmetic_checks,
    relaxation_text,
)
from selector.selection.model import UNITS, RuleKind, group_key
from selector.selection.solve import TIME_LIMIT_S, SolverName

__all__ = [
    "RELAXATION_TEXT",
    "TIE_BREAK_RULE",
    "TIME_LIMIT_S",
    "UNITS",
    "Decision",
    "Pool",
    "Relaxation",
    "RuleKind",
    "SolverName",
    "apply_relaxations",
    "arithmetic_checks",
    "decide",
    "group_key",
    "plural",
    "relaxation_text",
]
