"""Chair · Roster: download a scenario's cohort (xlsx, csv) and finalise it in the audit log."""

from __future__ import annotations

from functools import partial

import pandas as pd
import streamlit as st

from app_pages import _common, state
from selector import workflow
from selector.errors import SelectorError
from selector.roster import roster_csv, roster_xlsx

user = _common.require_role("chair")
store = _common.get_store()
cycle = _common.current_cycle()
ss = st.session_state

st.title("Roster")
scenarios = {
    name: s
    for name, s in ss[state.SCENARIOS].get(cycle.name, {}).items()
    if s.get("decision") is not None and s["decision"].status == "optimal"
}
if not scenarios:
    st.info(
        "Run a scenario on the Selection page first; its cohort appears here.",
        icon=":material/how_to_reg:",
    )
    st.page_link("app_pages/selection.py", label="Go to Selection", icon=":material/arrow_forward:")
else:
    name = st.radio(
        "Scenario",
        list(scenarios),
        horizontal=True,
        key="roster_scenario",
        format_func=lambda n: f"Scenario {n}",
    )
    decision = scenarios[name]["decision"]
    config = scenarios[name]["config"]
    st.caption(
        f"Cycle **{cycle.name}** · {len(decision.selected)} selected, total score "
        f"{decision.total_score:.2f}"
        + (" · rules edited in this scenario" if config != cycle.config else " · saved rules")
    )
    if scenarios[name].get("stale"):
        st.warning(
            f"Scenario {name} was {scenarios[name]['stale']} on the Selection page; "
            "it cannot be finalised.",
            icon=":material/history:",
        )
    _common.table(
        pd.DataFrame(
            [
                {
                    "#": i,
                    "Applicant": aid,
                    "Name": decision.applicants[aid].name,
                    "E-mail": decision.applicants[aid].email,
                    "PGY": decision.applicants[aid].pgy,
                    "Specialty": decision.applicants[aid].specialty,
                    "Program": decision.applicants[aid].program,
                    "Score": decision.scores.get(aid),
                    "Replacement": decision.replacements.get(aid) or "",
                }
                for i, aid in enumerate(decision.selected, start=1)
            ]
        ),
        hide_index=True,
        column_config={"Score": st.column_config.NumberColumn(format="%.2f")},
        key="roster_table",
    )
    config_text = workflow.scenario_config_text(cycle, config)
    input_hash = scenarios[name].get("input_hash")
    stem = f"roster-{cycle.name}-{name}".replace(" ", "_")
    c1, c2, c3 = st.columns([1, 1, 2])
    c1.download_button(
        "Download xlsx",
        data=partial(  # built on click
            roster_xlsx, decision, config_text=config_text, input_hash=input_hash
        ),
        file_name=f"{stem}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="download_xlsx",
        icon=":material/download:",
        on_click="ignore",
    )
    c2.download_button(
        "Download csv",
        data=partial(roster_csv, decision, input_hash=input_hash),
        file_name=f"{stem}.csv",
        mime="text/csv",
        key="download_csv",
        icon=":material/download:",
        on_click="ignore",
    )
    # The robustness the Selection page assessed for this very result, if any.
    assessed, robustness = ss[state.ROBUSTNESS].get((cycle.name, name), (None, None))
    st.download_button(
        "Download the decision report (pdf)",
        data=partial(
            workflow.scenario_report,
            store,
            user,
            cycle,
            decision,
            input_hash,
            robustness if assessed is decision else None,
        ),
        file_name=f"decision-{cycle.name}-{name}.pdf".replace(" ", "_"),
        mime="application/pdf",
        key="download_pdf",
        icon=":material/picture_as_pdf:",
        on_click="ignore",
        help="For GME leadership: the cohort, its composition, the rules and their prices, "
        "why the others are out, how sure each seat is, reliability and the input hash.",
    )
    if c3.button(
        "Finalise this selection", type="primary", key="finalise", icon=":material/verified:"
    ):
        try:
            # With the hash of the data the scenario was decided on (set by the Selection
            # page): finalising is refused when the data changed since.
            run_id = workflow.finalise_scenario(
                store,
                user,
                cycle,
                config,
                decision,
                scenarios[name].get("input_hash"),
                stale=scenarios[name].get("stale"),
            )
        except SelectorError as exc:
            _common.show_error(exc)
        else:
            st.success(
                f"Finalised as run {run_id}; recorded in the audit log with the rules and a "
                "hash of the inputs.",
                icon=":material/verified:",
            )

st.header("Recorded runs")
runs = store.runs(user, cycle.name)
if not runs:
    st.caption("None yet.")
else:
    _common.table(
        pd.DataFrame(
            [
                {
                    "Run": r.id,
                    "When": r.at,
                    "By": r.actor,
                    "Final": r.final,
                    "Selected": ", ".join(r.decision.get("selected") or []),
                    "Input hash": r.input_hash[:12],
                }
                for r in runs
            ]
        ),
        hide_index=True,
        key="runs_table",
    )
with st.expander("Audit log of this cycle", icon=":material/history:"):
    entries = _common.cached(
        "audit_log", cycle.name, lambda: store.audit_log(user, cycle.name, newest=200)
    )
    _common.table(
        pd.DataFrame(
            [
                {"When": e.at, "Who": e.actor, "Action": e.action, "Target": e.target}
                for e in reversed(entries)
            ]
        ),
        hide_index=True,
        key="audit_table",
    )
