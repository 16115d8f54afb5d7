"""Chair · Roster: download a scenario's cohort (xlsx, csv) and finalise it in the audit log."""

from __future__ import annotations

from functools import partial

import pandas as pd
import streamlit as st

from app_pages import _common, application, state
from selector import workflow
from selector.errors import SelectorError
from selector.roster import roster_csv, roster_xlsx

user = _common.require_role("chair")
store = _common.get_store()
cycle = _common.current_cycle()
ss = st.session_state


def stop_finalising() -> None:
    ss.pop(state.FINALISING, None)


@st.dialog("Finalise this selection", on_dismiss=stop_finalising)
def confirm_finalise(name: str) -> None:
    """The confirmation step of finalising, naming every review still open (the core refuses
    a finalisation that does not confirm each of them)."""
    found = scenarios[name]
    decision = found["decision"]
    if found.get("stale"):
        st.error(f"This result cannot be finalised: it was {found['stale']}.")
        return
    seen = workflow.open_reviews(store, user, cycle.name)
    st.markdown(
        f"Record the cohort of scenario {name} ({len(decision.selected)} applicants) as the "
        f"final selection of cycle {_common.plain(cycle.name)}. It can be undone later "
        "(a new entry in the audit log)."
    )
    confirmed = True
    if seen:
        st.warning(seen.summary(), icon=":material/pending_actions:")
        named = [seen.pair_text(p) for p in seen.open]
        named += [
            f"{seen.label(a)} (no reviewer assigned)"
            for a in seen.unreviewed
            if all(x != a for x, _ in seen.open)
        ]
        confirmed = st.checkbox(
            _common.plain(
                f"Finalise although these {len(seen.open)} reviews are open: " + "; ".join(named)
            ),
            key="confirm_open_reviews",
        )
    if st.button("Finalise", type="primary", key="finalise_confirm", disabled=not confirmed):
        try:
            # With the hash of the data the scenario was decided on (set by the Selection
            # page): finalising is refused when the data changed since.
            ss["finalise_outcome"] = workflow.finalise_scenario(
                store,
                user,
                cycle,
                found["config"],
                decision,
                found.get("input_hash"),
                stale=found.get("stale"),
                confirmed_open=seen if seen else None,
                robustness=found.get("robustness"),  # a lottery's: recorded, so it replays
                lottery=found.get("lottery"),
            )
        except SelectorError as exc:
            ss["finalise_outcome"] = exc
        stop_finalising()
        st.rerun()


def stop_unfinalising() -> None:
    ss.pop(state.UNFINALISING, None)


@st.dialog("Undo the finalisation", on_dismiss=stop_unfinalising)
def confirm_unfinalise(run_id: int) -> None:
    """Undo the final run in force, with a reason for the audit log."""
    st.markdown(
        f"Run {run_id} will no longer be final (it is kept); the final run before it, if "
        "any, is in force again. The audit log records who undid it and why."
    )
    reason = st.text_input("Reason", key="unfinalise_reason")
    if st.button("Undo finalisation", type="primary", key="unfinalise_confirm"):
        try:
            workflow.unfinalise(store, user, cycle.name, reason)
        except SelectorError as exc:
            ss["finalise_outcome"] = exc
        else:
            ss["finalise_outcome"] = f"Run {run_id} is no longer final."
        stop_unfinalising()
        st.rerun()


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
    # Offers of the final run: each member's status; the downloads of the final cohort are
    # then the accepted cohort (a scenario with another cohort is downloaded as decided).
    offers = store.offers(user, cycle.name)
    offered = workflow.offer_statuses(store, user, cycle.name)
    final_run = next((r for r in store.runs(user, cycle.name) if r.final), None)
    is_final = final_run is not None and sorted(final_run.decision.get("selected") or []) == sorted(
        decision.selected
    )
    if offers:
        st.caption(
            f"Offers made: {sum(o.status == 'accepted' for o in offers)} accepted, "
            f"{sum(o.status == 'offered' for o in offers)} open, "
            f"{sum(not o.live for o in offers)} declined or withdrawn"
            + (" · the downloads are the accepted cohort" if is_final else "")
        )
        st.page_link("app_pages/offers.py", label="Go to Offers", icon=":material/mail:")
    # The final cohort's seats as they stand: its members, then whoever a fill offered a
    # declined seat to (and whose seat that was).
    members = list(decision.selected)
    replaces: dict[str, str] = {}
    if is_final:
        members += [
            o.applicant_id
            for o in offers
            if o.applicant_id not in decision.selected and o.applicant_id in decision.applicants
        ]
        replaces = {o.applicant_id: o.replaces for o in offers if o.replaces}
    drawn = workflow.lottery_notice(decision, scenarios[name].get("lottery"))
    if drawn:
        st.info(_common.plain(drawn), icon=":material/casino:")  # names applicants
    application.table(
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
                    "Replacement name": (
                        decision.applicants[sub].name
                        if (sub := decision.replacements.get(aid)) in decision.applicants
                        else ""
                    ),
                    **({"Offer": offered.get(aid, "")} if offered else {}),
                    **({"Takes the seat of": replaces.get(aid, "")} if replaces else {}),
                }
                for i, aid in enumerate(members, start=1)
            ]
        ),
        hide_index=True,
        column_config={"Score": st.column_config.NumberColumn(format="%.2f")},
        key="roster_table",
    )
    seconds = _common.cached(
        "second_years", cycle.name, lambda: workflow.second_years(store, user, cycle.name)
    )
    if seconds.cycle is not None:
        st.subheader(f"Second-year trainees: the cohort of {seconds.cycle}")
        if seconds.members:
            _common.table(
                pd.DataFrame(
                    [
                        {
                            "Applicant": a.applicant_id,
                            "Name": a.name,
                            "E-mail": a.email,
                            "PGY": a.pgy,
                            "Specialty": a.specialty,
                            "Program": a.program,
                        }
                        for a in seconds.members
                    ]
                ),
                hide_index=True,
                key="second_years_table",
            )
        else:
            st.caption(f"Cycle {_common.plain(seconds.cycle)} has no final cohort recorded.")
    config_text = workflow.scenario_config_text(cycle, config)
    input_hash = scenarios[name].get("input_hash")
    stem = f"roster-{cycle.name}-{name}".replace(" ", "_")
    c1, c2, c3 = st.columns([1, 1, 2])
    c1.download_button(
        "Download xlsx",
        data=partial(  # built on click
            roster_xlsx,
            decision,
            config_text=config_text,
            input_hash=input_hash,
            lottery=scenarios[name].get("lottery"),
            offers=offers if is_final else (),
            second_years=seconds,
        ),
        file_name=f"{stem}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="download_xlsx",
        icon=":material/download:",
        on_click="ignore",
    )
    c2.download_button(
        "Download csv",
        data=partial(
            roster_csv,
            decision,
            input_hash=input_hash,
            offers=offers if is_final else (),
            second_years=seconds,
        ),
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
            robustness if assessed is decision else scenarios[name].get("robustness"),
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
        ss[state.FINALISING] = name
    if ss.get(state.FINALISING) == name:
        confirm_finalise(name)

if (outcome := ss.pop("finalise_outcome", None)) is not None:
    if isinstance(outcome, SelectorError):
        _common.show_error(outcome)
    elif isinstance(outcome, int):
        st.success(
            f"Finalised as run {outcome}; recorded in the audit log with the rules and a "
            "hash of the inputs.",
            icon=":material/verified:",
        )
    else:
        st.success(outcome, icon=":material/undo:")

st.header("Recorded runs")
runs = store.runs(user, cycle.name)
in_force = next((r.id for r in runs if r.final), None)
if not runs:
    st.caption("None yet.")
else:
    if in_force is not None:
        st.caption(f"Run {in_force} is the final selection in force.")
        if st.button("Undo finalisation", key="unfinalise", icon=":material/undo:"):
            ss[state.UNFINALISING] = in_force
        if ss.get(state.UNFINALISING) == in_force:
            confirm_unfinalise(in_force)
    _common.table(
        pd.DataFrame(
            [
                {
                    "Run": r.id,
                    "When": r.at,
                    "By": r.actor,
                    "Final": "in force" if r.id == in_force else "final" if r.final else "",
                    "Undone": r.unfinalised,
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
