"""Chair · Committee: review progress per reviewer, calibration, reliability, disagreements."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from app_pages import _common, application
from selector import workflow
from selector.calibration import Calibration, calibrate, counted_reviews
from selector.models import Applicant, Review
from selector.workflow import ReviewProgress

user = _common.require_role("chair")
store = _common.get_store()
cycle = _common.current_cycle()
config = _common.cycle_config(cycle)


def read_cycle() -> tuple[
    dict[str, Applicant],
    Calibration,
    dict[str, str],
    list[tuple[Review, float]],
    ReviewProgress,
    set[str],
]:
    """The cycle's reviews, calibration and progress, and the disabled accounts (read and
    worked out once per change)."""
    applicants, reviews = store.selection_inputs(user, cycle.name)
    pairs = store.assignments(user, cycle.name)
    names = {u.email: u.name or u.email for u in store.users(user)}
    logins = store.login_states(user)
    return (
        {a.applicant_id: a for a in applicants},
        calibrate(reviews, config),
        names,
        counted_reviews(reviews, config),
        workflow.review_progress(pairs, reviews, config),
        {email for email, login in logins.items() if login == "disabled"},
    )


people, result, names, counted, progress, disabled = _common.cached(
    "committee", cycle.name, read_cycle
)
applicant_count = len(people)

st.title("Committee")
st.caption(
    f"Cycle **{cycle.name}** · {applicant_count} applicants, {len(counted)} complete reviews."
)

# --- progress ------------------------------------------------------------------------------
st.progress(
    progress.share,
    text=f"{progress.complete} of {progress.assigned} assigned reviews complete"
    + (
        f" · {progress.conflicts} declared conflict{'s' if progress.conflicts != 1 else ''} "
        "(not open reviews)"
        if progress.conflicts
        else ""
    ),
)
per_reviewer = pd.DataFrame(
    [
        {
            "Reviewer": names.get(p.reviewer, p.reviewer),
            "Complete": p.done,
            "Open": p.open,
            "Conflicts": p.conflicts,
        }
        for p in progress.reviewers.values()
    ]
)

col_progress, col_spread = st.columns(2, gap="large")
with col_progress:
    st.header("Progress per reviewer")
    if per_reviewer.empty:
        st.info("No reviewers are assigned yet.")
    else:
        long = per_reviewer.melt(
            id_vars="Reviewer", value_vars=["Complete", "Open"], var_name="State", value_name="n"
        )
        most = per_reviewer.sort_values("Open", ascending=False).iloc[0]
        busiest = f"; most open: {most['Reviewer']} ({most['Open']})" if most["Open"] else ""
        _common.chart(
            alt.Chart(long)
            .mark_bar()
            .encode(
                x=alt.X("n:Q", title="Reviews", stack="zero"),
                y=alt.Y("Reviewer:N", sort=None, title=None),
                color=alt.Color(
                    "State:N",
                    scale=alt.Scale(domain=["Complete", "Open"], range=["#5b3f8c", "#9a86c2"]),
                    legend=alt.Legend(orient="bottom", title=None),
                ),
                tooltip=["Reviewer", "State", "n"],
            ),
            per_reviewer,
            key="progress_chart",
            summary=f"Reviews of {len(per_reviewer)} reviewers: {progress.complete} of "
            f"{progress.assigned} complete{busiest}.",
        )

with col_spread:
    st.header("Score spread per reviewer")
    totals = pd.DataFrame(
        [{"Reviewer": names.get(r.reviewer, r.reviewer), "Total": t} for r, t in counted]
    )
    if totals.empty:
        st.info("No complete reviews yet.")
    else:
        spread = totals.groupby("Reviewer")["Total"].describe()[["min", "50%", "max"]]
        spread.columns = ["Lowest", "Median", "Highest"]
        _common.chart(
            alt.Chart(totals)
            .mark_boxplot(extent="min-max", color="#5b3f8c")
            .encode(
                x=alt.X(
                    "Total:Q",
                    title="Review total",
                    scale=alt.Scale(domain=[config.min_total, config.max_total]),
                ),
                y=alt.Y("Reviewer:N", title=None),
            ),
            spread.reset_index(),
            key="spread_chart",
            summary=f"Review totals per reviewer: medians from {spread['Median'].min():g} "
            f"to {spread['Median'].max():g} (scale {config.min_total:g}–{config.max_total:g}).",
        )
        st.caption(
            "Each box is one reviewer's review totals. Leniency: a reviewer's mean minus the "
            "other reviewers' mean for the same applicants (positive = lenient)."
        )

_common.table(
    pd.DataFrame(
        [
            {
                "Reviewer": names.get(s.reviewer, s.reviewer),
                "Reviews": s.reviews,
                "Mean": round(s.mean, 2),
                "SD": round(s.sd, 2),
                "Leniency": None if s.leniency is None else round(s.leniency, 2),
            }
            for s in result.reviewers
        ]
    ),
    hide_index=True,
    key="reviewer_stats",
)

# --- short of reviewers ---------------------------------------------------------------------
k = config.review.reviewers_per_applicant
short = progress.short(people, k, disabled=disabled)
st.header(f"Short of reviewers ({len(short)})")
if not short:
    st.success(f"Every applicant has {k} reviewers (complete or open, none conflicted).")
else:
    st.caption(
        f"Fewer than {k} reviewers without a conflict, complete or open (an open review of a "
        "disabled account does not count). The coordinator adds one on the Reviewers & "
        "assignments page. Select a row to open the application."
    )
    application.table(
        pd.DataFrame(
            [
                {
                    "Applicant": a,
                    "Name": application.name_of(people, a),
                    "Reviewers": n,
                    "Needed": k,
                    "Who": ", ".join(
                        names.get(r, r) for r in sorted(progress.reviewers_of.get(a, ()))
                    ),
                }
                for a, n in short.items()
            ]
        ),
        hide_index=True,
        key="short_table",
    )

# --- reliability -----------------------------------------------------------------------------
st.header("Reliability")
rel = result.reliability
c1, c2, c3 = st.columns(3)
c1.metric("ICC(1)", "—" if rel.icc1 is None else f"{rel.icc1:.2f}")
c2.metric("Krippendorff's α", "—" if rel.alpha is None else f"{rel.alpha:.2f}")
c3.metric("Applicants with 2+ reviews", rel.applicants)
st.caption(
    "Both are 1 for perfect agreement and about 0 for agreement by chance; below 0.4 the "
    "committee should compare notes on the rubric (the per-criterion α shows where)."
)
criterion_alpha = pd.DataFrame(
    [
        {"Criterion": c.label, "α": rel.criterion_alpha.get(c.id)}
        for c in config.criteria
        if rel.criterion_alpha.get(c.id) is not None
    ]
)
if not criterion_alpha.empty:
    by_alpha = criterion_alpha.sort_values("α")
    low, high = by_alpha.iloc[0], by_alpha.iloc[-1]
    _common.chart(
        alt.Chart(criterion_alpha)
        .mark_bar(color="#5b3f8c")
        .encode(
            x=alt.X("α:Q", scale=alt.Scale(domain=[min(0.0, criterion_alpha["α"].min()), 1])),
            y=alt.Y("Criterion:N", sort=None, title=None),
        ),
        criterion_alpha.round(2),
        key="criterion_alpha_chart",
        summary=f"Krippendorff's α per criterion: lowest {low['Criterion']} "
        f"({low['α']:.2f}), highest {high['Criterion']} ({high['α']:.2f}).",
    )

# --- disagreements ---------------------------------------------------------------------------
st.header(f"Flagged disagreements ({len(result.disagreements)})")
if not result.disagreements:
    st.success("No applicant's reviewers disagree beyond the threshold.")
else:
    st.caption(
        f"Reviewers' totals spread over more than {config.review.disagreement_threshold:.0%} "
        "of the scale: worth discussing before the selection."
    )
    labels = {c.id: c.label for c in config.criteria}
    application.table(
        pd.DataFrame(
            [
                {
                    "Applicant": d.applicant_id,
                    "Name": application.name_of(people, d.applicant_id),
                    "Spread": d.spread,
                    "Widest on": labels.get(d.criterion, d.criterion),
                    "Totals": ", ".join(
                        f"{names.get(r, r)}: {t:g}" for r, t in sorted(d.totals.items())
                    ),
                }
                for d in result.disagreements
            ]
        ),
        column_config={"Spread": st.column_config.ProgressColumn(format="percent", max_value=1)},
        hide_index=True,
        key="disagreements_table",
    )
