"""The Selection page of a staged cycle: the shortlist decided and made final, the last
stage's progress (interviewers assigned, scores given), then the cohort decided among the
shortlisted on the combined score and made final. Each decision is recorded as a run."""

from __future__ import annotations

from functools import partial

import pandas as pd
import streamlit as st

from app_pages import _common, state
from selector import workflow
from selector.auth import User
from selector.config import TrackConfig
from selector.errors import SelectorError
from selector.roster import roster_csv, roster_xlsx
from selector.selection import Decision
from selector.store import Cycle, Store
from selector.workflow.decide import CycleDecision

SCORE_COLUMN = st.column_config.NumberColumn(format="%.2f")


def decision_table(decision: Decision, score_label: str) -> pd.DataFrame:
    """Everyone decided on: the selected first (score, margin, replacement), then the others
    with their reason, highest score first."""
    rows = []
    order = sorted(
        decision.why, key=lambda a: (a not in decision.selected, -decision.scores.get(a, -1e9), a)
    )
    for a in order:
        chosen = a in decision.selected
        replacement = decision.replacements.get(a)
        rows.append(
            {
                "Applicant": decision.shown(a),
                "Selected": chosen,
                score_label: decision.scores.get(a),
                "Margin": decision.margins.get(a),
                "Replacement": decision.shown(replacement) if replacement else "",
                "Reason": decision.reason(a).text,
            }
        )
    return pd.DataFrame(rows)


def show_decision(decision: Decision, key: str, score_label: str) -> None:
    if decision.status != "optimal":
        st.error("No selection keeps the rules:", icon=":material/error:")
        for line in decision.diagnosis:
            st.markdown(f"- {_common.plain(line)}")
        return
    _common.table(
        decision_table(decision, score_label),
        hide_index=True,
        key=key,
        column_config={score_label: SCORE_COLUMN, "Margin": SCORE_COLUMN},
    )


def roster_downloads(cycle: Cycle, done: CycleDecision) -> None:
    """The cohort's roster (xlsx, csv) with its run's id and input hash, built on click."""
    stem = f"roster-{cycle.name}-run-{done.run_id}".replace(" ", "_")
    left, right = st.columns(2)
    left.download_button(
        "Download xlsx",
        data=partial(
            roster_xlsx,
            done.decision,
            config_text=cycle.config_text,
            input_hash=done.input_hash,
            run_id=done.run_id,
            robustness=done.robustness,
        ),
        file_name=f"{stem}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="staged_xlsx",
        icon=":material/download:",
        on_click="ignore",
    )
    right.download_button(
        "Download csv",
        data=partial(roster_csv, done.decision, input_hash=done.input_hash, run_id=done.run_id),
        file_name=f"{stem}.csv",
        mime="text/csv",
        key="staged_csv",
        icon=":material/download:",
        on_click="ignore",
    )


def decide(
    store: Store, user: User, cycle: Cycle, config: TrackConfig, what: str, *, final: bool = False
) -> None:
    """Decide (and record) the shortlist or the cohort; kept in the session to be shown."""
    stage = config.stages[0].name if what == "shortlist" else None
    try:
        with st.spinner("Solving …"):
            done = workflow.decide_cycle(
                store,
                user,
                cycle.name,
                config,
                cycle.config_text,
                stage=stage,
                final=final,
            )
    except SelectorError as exc:
        _common.show_error(exc)
        return
    st.session_state[state.STAGED].setdefault(cycle.name, {})[what] = done


def show(store: Store, user: User, cycle: Cycle, config: TrackConfig) -> None:
    """The whole page for a staged cycle."""
    ss = st.session_state
    first, last = config.stages[0], config.stages[-1]
    assert config.combine is not None
    weights = config.combine.weights
    combined = " + ".join(f"{weights[s.name]:g} × {s.title}" for s in config.stages)
    kept = ss[state.STAGED].setdefault(cycle.name, {})
    st.title("Selection")
    st.caption(
        f"This cycle has stages: {first.title} picks a shortlist of {first.size}; "
        f"{last.title} scores the shortlisted; the cohort is decided among them on the "
        f"combined score ({combined}, each stage's aggregate on 0–100)."
    )

    st.header(f"1. Shortlist · {first.title}")
    status = workflow.stage_status(store, user, cycle.name)
    if status.shortlist is None:
        st.info(
            "No shortlist yet: decide it, then make it final. Interviewers are assigned to the "
            "shortlisted only.",
            icon=":material/info:",
        )
    else:
        st.success(
            f"Shortlist in force: {len(status.shortlist)} applicants.", icon=":material/task_alt:"
        )
    if st.button("Decide the shortlist", key="decide_shortlist", icon=":material/play_arrow:"):
        decide(store, user, cycle, config, "shortlist")
    shortlist = kept.get("shortlist")
    if shortlist is not None:
        show_decision(shortlist.decision, "shortlist_table", f"{first.title} score")
        if shortlist.decision.status == "optimal" and st.button(
            "Make this the shortlist", key="finalise_shortlist", type="primary"
        ):
            decide(store, user, cycle, config, "shortlist", final=True)
            kept.pop("shortlist", None)
            st.rerun()

    st.header(f"2. {last.title}")
    if status.shortlist is None:
        st.caption("Once the shortlist is final, its applicants are scored here.")
    else:
        rows = [
            {
                "Applicant": a,
                "Interviewers assigned": status.assigned.get(a, 0),
                "Scored": status.scored.get(a, 0),
            }
            for a in status.shortlist
        ]
        _common.table(pd.DataFrame(rows), hide_index=True, key="stage_progress")
        if status.unscored:
            st.warning(
                f"{len(status.unscored)} shortlisted applicant(s) have no {last.title} score "
                f"yet: {', '.join(status.unscored)}. They cannot be selected until scored.",
                icon=":material/warning:",
            )

    st.header("3. Cohort")
    if st.button(
        "Decide the cohort",
        key="decide_cohort",
        icon=":material/play_arrow:",
        disabled=status.shortlist is None,
    ):
        decide(store, user, cycle, config, "cohort")
    cohort = kept.get("cohort")
    if cohort is not None:
        show_decision(cohort.decision, "cohort_table", "Combined score")
        if cohort.decision.status == "optimal":
            roster_downloads(cycle, cohort)
            if status.unscored:
                confirm = st.checkbox(
                    f"Make it final although {len(status.unscored)} shortlisted applicant(s) "
                    "have no score in the last stage",
                    key="final_with_open",
                )
            else:
                confirm = True
            if st.button(
                "Make this cohort final",
                key="finalise_cohort",
                type="primary",
                disabled=not confirm,
            ):
                decide(store, user, cycle, config, "cohort", final=True)
                st.success(
                    "The cohort is final: recorded as a run (listed on the Roster page); "
                    "download its roster above.",
                    icon=":material/task_alt:",
                )
