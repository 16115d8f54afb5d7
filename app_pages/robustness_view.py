"""The Selection page's robustness section: how often each applicant is selected when the
reviews are resampled (a bar chart and a table), assessed once per scenario result."""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import pandas as pd
import streamlit as st

from app_pages import _common, state
from selector import workflow
from selector.errors import SelectorError
from selector.models import Review
from selector.selection import Decision
from selector.selection.robustness import NEAR, SECURE, Robustness

VERDICT_COLOURS = {
    "secure": "#2e7d32",
    "contested": "#c77700",  # 3.5:1 on white, as every verdict colour (WCAG 1.4.11)
    "near-miss": "#8c8c8c",
}


def _assessed(key: tuple[str, str], scenario: dict, reviews: Sequence[Review]) -> Robustness | None:
    """The scenario's robustness, from session state when assessed for this very decision."""
    if scenario.get("robustness") is not None:  # assessed with the decision: its lot's draws
        return scenario["robustness"]
    decision: Decision = scenario["decision"]
    cache = st.session_state[state.ROBUSTNESS]
    found = cache.get(key)
    if found is not None and found[0] is decision:
        return found[1]
    with st.spinner("Resampling the reviews …"):
        result = workflow.scenario_robustness(decision, reviews, scenario.get("input_hash"))
    cache[key] = (decision, result)
    return result


def show(cycle: str, name: str, scenario: dict, reviews: Sequence[Review]) -> None:
    """The section for one scenario's result (nothing when no cohort fits)."""
    decision: Decision = scenario["decision"]
    if decision.status != "optimal":
        return
    st.header("How sure is this cohort?")
    try:
        found = _assessed((cycle, name), scenario, reviews)
    except SelectorError as exc:
        _common.show_error(exc)
        return
    if found is None:
        return
    st.caption(
        f"{found.draws} bootstrap draws over reviewers (seed {found.seed}): each draw "
        "resamples every applicant's reviews with replacement and decides again under the "
        f"same rules and locks. Secure: selected in at least {SECURE:.0%} of draws; "
        f"near-misses: outside the cohort, selected in at least {NEAR:.0%}."
    )
    c1, c2, c3 = st.columns(3)
    c1.metric("Secure seats", f"{len(found.secure)} of {len(found.selected)}")
    c2.metric("Contested seats", len(found.contested))
    c3.metric("Near-misses", len(found.near_misses))
    rows = pd.DataFrame(workflow.robustness_rows(decision, found))
    shown = rows[rows["In cohort"] | (rows["Verdict"] != "")]
    chart = (
        alt.Chart(shown)
        .mark_bar()
        .encode(
            x=alt.X("Probability:Q", axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
            y=alt.Y("Applicant:N", sort="-x", title=None),
            color=alt.Color(
                "Verdict:N",
                scale=alt.Scale(domain=list(VERDICT_COLOURS), range=list(VERDICT_COLOURS.values())),
                legend=alt.Legend(orient="bottom", title=None),
            ),
            tooltip=["Applicant", "Name", alt.Tooltip("Probability:Q", format=".0%"), "Verdict"],
        )
        .properties(title="Selection probability")
    )
    rule = alt.Chart(pd.DataFrame({"x": [SECURE]})).mark_rule(strokeDash=[4, 4]).encode(x="x:Q")
    _common.chart(
        chart + rule,
        shown,
        key=f"robustness_chart_{name}",
        summary=f"Selection probability in {found.draws} draws: {len(found.secure)} of "
        f"{len(found.selected)} seats secure, {len(found.contested)} contested, "
        f"{len(found.near_misses)} near-misses.",
    )
    _common.table(
        rows,
        hide_index=True,
        column_config={
            "Probability": st.column_config.ProgressColumn(
                format="percent", min_value=0.0, max_value=1.0
            )
        },
        key=f"robustness_table_{name}",
    )
