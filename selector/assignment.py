"""Reviewer assignment: k reviewers per applicant, balanced loads, a small integer program.

Rules, in order of strength:

1. A *forbidden* pair (a declared conflict of interest, a manual exclusion) is never assigned.
2. A *pinned* pair (a manual assignment, or a review already started) is always kept.
3. Nobody reviews an applicant whose program (or another field named in ``avoid_own``:
   specialty) is the reviewer's own program. A field no applicant (or no reviewer) has a
   value for cannot keep anyone apart: the result says so in ``warnings``.
4. Each applicant gets ``k`` reviewers, or every allowed reviewer when fewer are allowed.
5. Loads are as even as the rules allow (max − min ≤ 1 whenever that is possible).
6. Among the most even assignments, as many current pairs as possible are kept.

The program: a binary ``x[a, r]`` per allowed pair; Σ_r x[a, r] = need(a) per applicant;
``lo ≤ load(r) ≤ hi``; minimise ``W·(hi − lo) − Σ_current x`` with W above the number of
current pairs, so balance always wins over stability.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from selector.solver import silence_highs_banner

#: How each field the config can name in ``[review] avoid_own`` reads in a warning.
OWN_RULE_TEXT = {
    "program": "never from the own program",
    "specialty": "never from the own specialty",
}

Pair = tuple[str, str]  # (applicant_id, reviewer e-mail)


@dataclass(frozen=True)
class Candidate:
    """Someone to assign or be assigned: an id (applicant id or e-mail), a program and (for
    an applicant) a specialty. A reviewer's program is compared with each applicant field
    named in ``avoid_own``."""

    key: str
    program: str = ""
    specialty: str = ""


@dataclass(frozen=True)
class AssignmentResult:
    """The chosen pairs, each reviewer's load, and applicants short of ``k`` reviewers."""

    pairs: list[Pair]
    loads: dict[str, int]
    short: dict[str, int] = field(default_factory=dict)  # applicant_id → reviewers missing
    warnings: list[str] = field(default_factory=list)  # rules that cannot apply, and why

    @property
    def spread(self) -> int:
        """Max − min reviewer load (0 when there are no reviewers)."""
        return max(self.loads.values()) - min(self.loads.values()) if self.loads else 0


def same_program(a: str, b: str) -> bool:
    """Whether two program names are the same program (case and spacing ignored; blank never)."""
    na, nb = " ".join(a.lower().split()), " ".join(b.lower().split())
    return bool(na) and na == nb


def own_rule_warnings(
    applicants: Sequence[Candidate], reviewers: Sequence[Candidate], fields: Sequence[str]
) -> list[str]:
    """Each "never from the own …" rule that cannot apply, in words: no applicant has a value
    for its field (an export without a program column), or no reviewer has a program."""
    out = []
    for name in fields:
        rule = OWN_RULE_TEXT.get(name, f"never from the own {name}")
        if applicants and not any(getattr(a, name).strip() for a in applicants):
            out.append(f"no applicant has a {name}, so '{rule}' cannot apply")
        elif reviewers and not any(r.program.strip() for r in reviewers):
            out.append(f"no reviewer has a program, so '{rule}' cannot apply")
    return out


def assign_reviewers(
    applicants: Sequence[Candidate],
    reviewers: Sequence[Candidate],
    k: int,
    *,
    avoid_own_program: bool = True,
    avoid_own: Sequence[str] | None = None,
    forbidden: Collection[Pair] = (),
    pinned: Collection[Pair] = (),
    current: Collection[Pair] = (),
) -> AssignmentResult:
    """Assign ``k`` reviewers per applicant under the rules in the module docstring.
    ``avoid_own`` names the applicant fields (program, specialty) a reviewer's program must
    not match; None means ``["program"]`` when ``avoid_own_program``, else none."""
    import pulp

    if avoid_own is None:
        avoid_own = ("program",) if avoid_own_program else ()
    own = tuple(avoid_own)
    warnings = own_rule_warnings(applicants, reviewers, own)

    forbidden_set = set(forbidden)
    pinned_set = {p for p in pinned if p not in forbidden_set}
    current_set = set(current)
    reviewer_program = {r.key: r.program for r in reviewers}

    allowed: dict[str, list[str]] = {}
    need: dict[str, int] = {}
    short: dict[str, int] = {}
    for a in applicants:
        options = [
            r.key
            for r in reviewers
            if (a.key, r.key) not in forbidden_set
            and (
                (a.key, r.key) in pinned_set
                or not any(same_program(getattr(a, name), r.program) for name in own)
            )
        ]
        allowed[a.key] = options
        n_pinned = sum((a.key, r) in pinned_set for r in options)
        need[a.key] = max(min(k, len(options)), n_pinned)
        if need[a.key] < k:
            short[a.key] = k - need[a.key]

    loads = {r.key: 0 for r in reviewers}
    if not reviewers or not applicants:
        return AssignmentResult([], loads, short, warnings)

    prob = pulp.LpProblem("reviewer_assignment", pulp.LpMinimize)
    x = {
        (a, r): pulp.LpVariable(f"x_{i}_{j}", cat="Binary")
        for i, (a, options) in enumerate(allowed.items())
        for j, r in enumerate(options)
    }
    hi = pulp.LpVariable("load_max", lowBound=0)
    lo = pulp.LpVariable("load_min", lowBound=0)
    weight = len(current_set) + 1
    prob += weight * (hi - lo) - pulp.lpSum(x[p] for p in current_set if p in x)

    # Each applicant gets the reviewers it needs (k, or all that are allowed).
    for i, (key, options) in enumerate(allowed.items()):
        prob += pulp.lpSum(x[key, r] for r in options) == need[key], f"need_{i}"
    # Pinned pairs stay.
    for p in pinned_set:
        if p in x:
            prob += x[p] == 1, f"pinned_{len(prob.constraints)}"
    # Every reviewer's load lies between lo and hi.
    by_reviewer: dict[str, list[pulp.LpVariable]] = {r: [] for r in reviewer_program}
    for (_, email), var in x.items():
        by_reviewer[email].append(var)
    for j, vars_ in enumerate(by_reviewer.values()):
        prob += pulp.lpSum(vars_) <= hi, f"load_max_{j}"
        prob += pulp.lpSum(vars_) >= lo, f"load_min_{j}"

    silence_highs_banner()
    prob.solve(pulp.HiGHS(msg=False))
    if pulp.LpStatus[prob.status] != "Optimal":  # cannot happen: need() keeps it feasible
        raise RuntimeError(f"assignment program ended {pulp.LpStatus[prob.status]}")
    pairs = sorted(p for p, var in x.items() if (var.value() or 0) > 0.5)
    for _, email in pairs:
        loads[email] += 1
    return AssignmentResult(pairs, loads, short, warnings)
