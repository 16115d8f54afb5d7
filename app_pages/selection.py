"""Chair · Selection: the rules as two editable scenarios, run side by side, and why.

A scenario starts from the cycle's saved config and changes only here (the saved config stays
as it is); its result lives in session state until the chair finalises it on the Roster page.
"""

from __future__ import annotations

from typing import Any, cast

import altair as alt
import pandas as pd
import streamlit as st

from app_pages import _common, application, stages_view, state
from selector import workflow
from selector.config import TrackConfig, columns_of
from selector.errors import ConfigError, SelectorError
from selector.models import CANONICAL_FIELDS
from selector.selection import Decision, apply_relaxations, relaxation_text

user = _common.require_role("chair")
store = _common.get_store()
cycle = _common.current_cycle()
saved_config = _common.cycle_config(cycle)
ss = st.session_state
if saved_config.stages:  # an interview round: shortlist, interviews, cohort
    stages_view.show(store, user, cycle, saved_config)
    st.stop()
SCENARIO_NAMES = ("A", "B")
SCORE_COLUMN = st.column_config.NumberColumn(format="%.2f")
#: A reason's status as the Not selected table shows it.
STATUS_LABELS = {
    "selected": "selected",
    "not_selected": "not selected",
    "ineligible": "not eligible",
    "unscored": "no complete review",
    "below_floor": "below the score floor",
    "locked_out": "excluded by a lock",
}

applicants, reviews = _common.cached(
    "selection", cycle.name, lambda: store.selection_inputs(user, cycle.name)
)
people = {a.applicant_id: a for a in applicants}
trainees = _common.cached(
    "trainees", cycle.name, lambda: workflow.current_trainees(store, user, cycle.name)
)
open_reviews = _common.cached(
    "open_reviews", cycle.name, lambda: workflow.open_reviews(store, user, cycle.name)
)
columns = _common.cached("columns", cycle.name, lambda: columns_of(applicants))
field_options = sorted(
    {*CANONICAL_FIELDS, *columns, *(r.field for r in saved_config.diversity)} - {"name", "email"},
    key=str.casefold,
)
scenarios: dict[str, dict[str, Any]] = ss[state.SCENARIOS].setdefault(cycle.name, {})
locks: dict[str, list[str]] = ss[state.LOCKS].setdefault(cycle.name, {"include": [], "exclude": []})
picker_keys = {"include": f"lock_in_{cycle.name}", "exclude": f"lock_out_{cycle.name}"}


def scenario_config(name: str) -> TrackConfig:
    """The rules the editor of a scenario starts from: as last run, else the cycle's saved
    config (the editor's own state keeps the edits made since)."""
    found: TrackConfig | None = scenarios.get(name, {}).get("config")
    return found or saved_config


def current_locks() -> tuple[list[str], list[str]]:
    return sorted(locks["include"]), sorted(locks["exclude"])


def run(name: str, config: TrackConfig) -> bool:
    """Solve one scenario with this cycle's locks and keep its decision (with the hash of
    the data and the locks it was decided on, for Finalise) in the session."""
    try:
        with st.spinner(f"Solving scenario {name} …"):
            done = workflow.decide_scenario(
                cycle,
                applicants,
                reviews,
                config,
                include=locks["include"],
                exclude=locks["exclude"],
                trainees=trainees,
            )
    except SelectorError as exc:
        _common.show_error(exc)
        return False
    scenarios.setdefault(name, {}).update(
        config=done.config,
        decision=done.decision,
        input_hash=done.input_hash,
        robustness=done.robustness,  # the bootstrap a lottery was drawn from, else None
        lottery=done.lottery,
        locks=current_locks(),
        stale=None,
    )
    ss["selection_view"] = name
    return True


def relax(name: str, decision: Decision) -> None:
    """Apply a diagnosis's relaxation to the scenario (rules and locks), then run it again."""
    config, include, exclude = apply_relaxations(
        decision.config, decision.include, decision.exclude, decision.relaxations
    )
    locks["include"], locks["exclude"] = include, exclude
    for key in picker_keys.values():
        ss.pop(key, None)  # the pickers start again from the new locks
    for key in [k for k in ss if str(k).startswith(f"{name}_")]:
        del ss[key]  # the scenario's editor starts again from its new rules
    run(name, config)


def scenario_form(name: str) -> None:
    """The rules editor of one scenario (every rule of the config, checked as it is edited);
    the button runs it. A result decided before the rules or locks changed is marked stale,
    and the Roster page refuses to finalise it."""
    base = scenario_config(name)
    lo, hi = base.cohort.bounds
    with st.expander(f"Rules of scenario {name}", expanded=True, icon=":material/tune:"):
        c1, c2 = st.columns(2)
        form: dict[str, Any] = {
            "min_size": c1.number_input("Cohort size, from", 0, 500, lo, key=f"{name}_min_size"),
            "max_size": c2.number_input(
                "to", 1, 500, hi if hi is not None else max(lo, 1), key=f"{name}_max_size"
            ),
            "min_pgy": c1.number_input(
                "Lowest PGY", 1, 10, base.eligibility.min_pgy, key=f"{name}_min_pgy"
            ),
            "max_pgy1": c2.number_input(
                "At most PGY1 (blank: no cap)",
                min_value=0,
                value=base.eligibility.max_pgy1,
                key=f"{name}_max_pgy1",
            ),
            "min_score": c1.number_input(
                "Quality floor (blank: none)",
                value=base.selection.min_score,
                step=0.5,
                key=f"{name}_min_score",
            ),
            "standardize": c2.toggle(
                "Per-reviewer z-scores",
                value=base.selection.standardize,
                key=f"{name}_standardize",
                help="Per-reviewer z-scores correct lenient and harsh reviewers.",
            ),
        }
        rules = st.data_editor(
            pd.DataFrame(
                [
                    {
                        "field": r.field,
                        "max_per_value": r.max_per_value,
                        "min_distinct": r.min_distinct,
                        "min_per_value": workflow.min_per_value_text(r.min_per_value),
                    }
                    for r in base.diversity
                ],
                columns=["field", "max_per_value", "min_distinct", "min_per_value"],
            ).astype({"max_per_value": "Int64", "min_distinct": "Int64", "min_per_value": str}),
            num_rows="dynamic",
            hide_index=True,
            column_config={
                "field": st.column_config.SelectboxColumn(
                    "Diversity field", options=field_options, required=True
                ),
                "max_per_value": st.column_config.NumberColumn("Max per value", min_value=1),
                "min_distinct": st.column_config.NumberColumn("Min distinct", min_value=1),
                "min_per_value": st.column_config.TextColumn(
                    "Min per value", help="At least this many of a value: 'Psychiatry: 1; ...'"
                ),
            },
            key=f"{name}_diversity",
        )
        edited: TrackConfig | None
        try:
            records = cast("list[dict[str, Any]]", rules.to_dict("records"))
            edited = workflow.scenario_config(name, base, form, records, columns=columns)
        except ConfigError as exc:
            edited = None
            _common.show_error(exc)
        if edited is not None and edited != saved_config:
            st.caption("Edited: these rules differ from the saved track config.")
        found = scenarios.get(name, {})
        if found.get("decision") is not None:
            found["stale"] = workflow.stale_reason(
                found["decision"], current_locks(), found["locks"], edited
            )
            if found["stale"]:
                st.warning(
                    f"The result of scenario {name} was {found['stale']}.",
                    icon=":material/history:",
                )
        if st.button(
            f"Run scenario {name}", type="primary", key=f"run_{name}", disabled=edited is None
        ):
            assert edited is not None
            if run(name, edited):
                st.rerun()  # the editor and its stale mark follow the new result


def cohort_table(decision: Decision) -> pd.DataFrame:
    """The cohort in rank order with score, margin, replacement and lock."""
    rows = []
    for rank, aid in enumerate(decision.selected, start=1):
        a = people.get(aid)
        rows.append(
            {
                "#": rank,
                "Applicant": aid,
                "Name": a.name if a else "",
                "PGY": a.pgy if a else None,
                "Specialty": a.specialty if a else "",
                "Score": decision.scores.get(aid),
                "Margin": decision.margins.get(aid),
                "Replacement": decision.replacements.get(aid) or "",
                "Replacement name": application.name_of(people, decision.replacements.get(aid)),
                "Lock": "in" if aid in decision.include else "",
                "Why": decision.reason(aid).text,
            }
        )
    return pd.DataFrame(rows)


def composition_chart(decision: Decision, field: str) -> alt.Chart:
    """Share of each value of ``field`` in the cohort next to its share in the scored pool."""
    pool = [a for aid, a in people.items() if aid in decision.scores]
    cohort = [people[aid] for aid in decision.selected if aid in people]
    rows = []
    for group, members in (("Pool", pool), ("Cohort", cohort)):
        values = pd.Series([str(a.value(field)) for a in members], dtype="string")
        for value, share in values.value_counts(normalize=True).items():
            rows.append({"Group": group, field: value, "Share": share})
    return (
        alt.Chart(pd.DataFrame(rows))
        .mark_bar()
        .encode(
            x=alt.X("Share:Q", axis=alt.Axis(format="%")),
            y=alt.Y(f"{field}:N", title=None, sort="ascending" if field == "pgy" else "-x"),
            yOffset="Group:N",
            color=alt.Color(
                "Group:N",
                scale=alt.Scale(domain=["Cohort", "Pool"], range=["#5b3f8c", "#9a86c2"]),
                legend=alt.Legend(orient="bottom", title=None),
            ),
            tooltip=["Group", field, alt.Tooltip("Share:Q", format=".0%")],
        )
        .properties(title="PGY" if field == "pgy" else field.replace("_", " ").capitalize())
    )


def composition_summary(field: str, shares: pd.DataFrame) -> str:
    """One sentence on a composition chart: the cohort's largest group against the pool."""
    label = "PGY" if field == "pgy" else field.replace("_", " ").capitalize()
    if "Cohort" not in shares:
        return f"{label}: no one selected."
    cohort, pool = shares["Cohort"].to_dict(), shares["Pool"].to_dict()
    top = max(cohort, key=lambda value: cohort[value])
    return (
        f"{label} in the cohort and the pool, {len(shares)} values: the largest in the cohort "
        f"is {top} ({cohort[top]:.0%} of the cohort, {pool[top]:.0%} of the pool)."
    )


def show_decision(name: str, decision: Decision) -> None:
    """Everything about one scenario's decision."""
    stale = scenarios[name].get("stale")
    if stale:
        st.warning(
            f"Scenario {name} is stale: {stale}. It cannot be finalised.",
            icon=":material/history:",
        )
    if open_reviews:
        st.warning(
            f"Decided on the reviews in so far: {open_reviews.summary()}",
            icon=":material/pending_actions:",
        )
    if decision.status != "optimal":
        st.error(f"Scenario {name}: no cohort satisfies the rules.", icon=":material/block:")
        st.markdown("**Why**")
        for line in decision.diagnosis:
            st.markdown(f"- {_common.plain(line)}")  # may quote applicant data
        if decision.relaxations:
            st.button(
                "Apply " + "; ".join(relaxation_text(c) for c in decision.relaxations),
                key=f"relax_{name}",
                icon=":material/build:",
                on_click=relax,
                args=(name, decision),
            )
        return
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Cohort", len(decision.selected))
    c2.metric("Total score", f"{decision.total_score:.2f}")
    c3.metric("Selectable", sum(1 for a in decision.scores if a not in decision.ineligible))
    unconstrained = decision.unconstrained.get("total_score")
    c4.metric(
        "Cost of the rules",
        f"{(unconstrained or 0) - (decision.total_score or 0):.2f}",
        help="Total score of the top applicants with no rules, minus this cohort's.",
    )
    tabs = st.tabs(
        ["Cohort", "Composition", "Rule prices", "Not selected", "Replacements", "Notes"]
    )
    with tabs[0]:
        drawn = workflow.lottery_notice(decision, scenarios[name].get("lottery"))
        if drawn:
            st.info(_common.plain(drawn), icon=":material/casino:")  # names applicants
        st.caption("Select a row to open the application.")
        application.table(
            cohort_table(decision),
            hide_index=True,
            column_config={
                "Score": SCORE_COLUMN,
                "Margin": st.column_config.NumberColumn(
                    format="%.2f",
                    help="How far the score could fall before this applicant is not selected.",
                ),
            },
            key=f"cohort_{name}",
        )
    with tabs[1]:
        fields = ["pgy", *(r.field for r in decision.config.diversity if r.field != "pgy")]
        cols = st.columns(len(fields))
        for col, field in zip(cols, fields, strict=True):
            figure = composition_chart(decision, field)
            shares = figure.data.pivot(index=field, columns="Group", values="Share").fillna(0)
            with col:
                _common.chart(
                    figure,
                    (shares * 100).round(1).add_suffix(" (%)").reset_index(),
                    key=f"comp_{name}_{field}",
                    summary=composition_summary(field, shares),
                )
    with tabs[2]:
        prices = pd.DataFrame(
            [
                {"Rule": r.label, "Price": r.price, "Binds": "yes" if r.binding else ""}
                for r in decision.rules
            ],
            columns=["Rule", "Price", "Binds"],
        )
        st.caption(
            "How much total score each rule costs: the optimum without the rule minus the "
            "optimum with it (0: the rule does not bind; empty: it cannot be dropped)."
        )
        _common.table(
            prices, hide_index=True, column_config={"Price": SCORE_COLUMN}, key=f"prices_{name}"
        )
    with tabs[3]:
        st.caption("Select a row to open the application.")
        application.table(
            pd.DataFrame(
                [
                    {
                        "Applicant": aid,
                        "Name": application.name_of(people, aid),
                        "Score": decision.scores.get(aid),
                        "Margin": decision.margins.get(aid),
                        "Status": STATUS_LABELS.get(why.status, why.status),
                        "Why": why.text,
                    }
                    for aid in people
                    if aid not in decision.selected
                    for why in (decision.reason(aid),)
                ]
            ),
            hide_index=True,
            column_config={"Score": SCORE_COLUMN, "Margin": SCORE_COLUMN},
            key=f"not_selected_{name}",
        )
    with tabs[4]:
        st.caption("Who takes a seat if its holder declines. Select a row to open the application.")
        application.table(
            pd.DataFrame(
                [
                    {
                        "Applicant": sub,
                        "Name": application.name_of(people, sub),
                        "Takes the seat of": aid,
                        "Seat holder": application.name_of(people, aid),
                        "Score": decision.scores.get(sub),
                    }
                    for aid in decision.selected
                    if (sub := decision.replacements.get(aid))
                ],
                columns=["Applicant", "Name", "Takes the seat of", "Seat holder", "Score"],
            ),
            hide_index=True,
            column_config={"Score": SCORE_COLUMN},
            key=f"replacements_{name}",
        )
    with tabs[5]:
        for line in decision.warnings:
            st.warning(line)
        st.caption(decision.tie_break)


def compare(a: Decision, b: Decision) -> None:
    """The two cohorts side by side: who is in both, who only in one; and whether they were
    decided with different locks (then they differ by more than their rules)."""
    differ = workflow.locks_differ(scenarios["A"]["locks"], scenarios["B"]["locks"])
    if differ:
        st.warning(
            f"The scenarios were decided with different locks: {differ}.",
            icon=":material/lock:",
        )
    for name in SCENARIO_NAMES:
        if scenarios[name].get("stale"):
            st.warning(f"Scenario {name} is stale: {scenarios[name]['stale']}.")
    both = [x for x in a.selected if x in b.selected]
    only_a = [x for x in a.selected if x not in b.selected]
    only_b = [x for x in b.selected if x not in a.selected]
    c1, c2, c3 = st.columns(3)
    c1.metric("In both", len(both))
    c2.metric("Only in A", len(only_a))
    c3.metric("Only in B", len(only_b))
    left, right = st.columns(2)
    for col, name, decision in ((left, "A", a), (right, "B", b)):
        with col:
            st.markdown(
                f"**Scenario {name}** · {decision.status}"
                + (
                    f" · total {decision.total_score:.2f}"
                    if decision.total_score is not None
                    else ""
                )
            )
            table = cohort_table(decision)
            if not table.empty:
                table["In both"] = table["Applicant"].isin(both)
                application.table(
                    table[["Applicant", "Name", "Specialty", "Score", "In both"]],
                    hide_index=True,
                    column_config={"Score": SCORE_COLUMN},
                    key=f"compare_{name}",
                )


# --- page ----------------------------------------------------------------------------------
st.title("Selection")
st.caption(
    f"Cycle **{cycle.name}** · {len(applicants)} applicants, {len(reviews)} reviews. "
    "Scenarios change the rules only here; the saved track config stays as it is."
)

labels = {aid: f"{aid} · {a.name}" for aid, a in people.items()}

if open_reviews:
    # Said first, before any diagnosis or cohort: a decision on reviews not all in yet.
    st.warning(
        f"**Reviews are still open.** {open_reviews.summary()} A diagnosis or cohort below "
        "is about the applicants scored so far.",
        icon=":material/pending_actions:",
    )
    with st.expander("Who is not reviewed yet", icon=":material/list:"):
        waiting = dict.fromkeys([*open_reviews.unreviewed, *(a for a, _ in open_reviews.open)])
        for aid in waiting:
            by = [f"{open_reviews.names.get(r, r)} ({r})" for x, r in open_reviews.open if x == aid]
            done = "" if aid in open_reviews.unreviewed else " (has a complete review)"
            st.markdown(
                "- "
                + _common.plain(
                    f"{open_reviews.label(aid)}{done}: "
                    + (f"open with {', '.join(by)}" if by else "no reviewer assigned")
                )
            )


lock_in, lock_out = st.columns(2)
# The pickers (one pair per cycle) offer only the applicants in the pool now; what they hold
# is this cycle's locks, kept in session state so that they survive a visit to another page.
locks["include"] = lock_in.multiselect(
    "Lock in (always selected)",
    list(people),
    default=[a for a in locks["include"] if a in people],
    format_func=labels.__getitem__,
    key=picker_keys["include"],
)
locks["exclude"] = lock_out.multiselect(
    "Lock out (never selected)",
    list(people),
    default=[a for a in locks["exclude"] if a in people],
    format_func=labels.__getitem__,
    key=picker_keys["exclude"],
)

form_cols = st.columns(2, gap="medium")
for col, name in zip(form_cols, SCENARIO_NAMES, strict=True):
    with col:
        scenario_form(name)

ran = [n for n in SCENARIO_NAMES if scenarios.get(n, {}).get("decision") is not None]
if not ran:
    st.info("Run a scenario to see its cohort.", icon=":material/play_arrow:")
    st.stop()
views = ran + (["A vs B"] if len(ran) == 2 else [])
if ss.get("selection_view") not in views:
    ss["selection_view"] = views[0]
view = st.segmented_control("Show", views, key="selection_view", required=True)
if view == "A vs B":
    compare(scenarios["A"]["decision"], scenarios["B"]["decision"])
elif view is not None:
    show_decision(view, scenarios[view]["decision"])

# --- how sure the cohort is (app_pages/robustness_view.py) ---------------------------------
if view in SCENARIO_NAMES:
    from app_pages import robustness_view

    robustness_view.show(cycle.name, view, scenarios[view], reviews)
