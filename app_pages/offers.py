"""Coordinator and chair · Offers: a seat offered to each member of the final run, the answers,
and the plan that fills declined seats under the same rules (shown before any offer goes out)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from app_pages import _common, state
from selector import workflow
from selector.errors import SelectorError

user = _common.require_role("coordinator", "chair")
store = _common.get_store()
cycle = _common.current_cycle()
ss = st.session_state


def done(outcome: str | SelectorError) -> None:
    """Show ``outcome`` once after the rerun that follows a click."""
    ss[state.OFFERS_OUTCOME] = outcome
    st.rerun()


st.title("Offers")
if (outcome := ss.pop(state.OFFERS_OUTCOME, None)) is not None:
    if isinstance(outcome, SelectorError):
        _common.show_error(outcome)
    else:
        st.success(outcome, icon=":material/mail:")

offers = store.offers(user, cycle.name)
runs = store.runs(user, cycle.name)
final = next((r for r in runs if r.final), None)

if not offers:
    if final is None:
        st.info(
            "No selection of this cycle is final yet: the chair finalises one on the Roster "
            "page (or `selector select --final`); then offers can go out.",
            icon=":material/pending_actions:",
        )
        st.stop()
    members = list(final.decision.get("selected") or [])
    st.markdown(
        f"Final run {final.id} selected {len(members)} applicants. Offer each a seat, with a "
        "date to answer by."
    )
    deadline = st.date_input(
        "Answer by", value=dt.date.today() + dt.timedelta(days=14), key="offers_deadline"
    )
    if st.button(
        f"Offer a seat to the {len(members)} members",
        type="primary",
        key="offers_create",
        icon=":material/send:",
    ):
        try:
            made = workflow.create_offers(store, user, cycle.name, deadline)
        except SelectorError as exc:
            done(exc)
        else:
            done(f"{len(made)} offers made from final run {final.id}.")
    st.stop()

counts = pd.Series([o.status for o in offers]).value_counts()
st.caption(
    " · ".join(f"{counts.get(s, 0)} {s}" for s in ("accepted", "offered", "declined", "withdrawn"))
)
_common.table(
    pd.DataFrame(
        [
            {
                "Applicant": o.applicant_id,
                "Name": o.name,
                "Status": f"{o.status} (no answer)" if o.no_answer else o.status,
                "Offered": o.offered_at.strftime("%Y-%m-%d"),
                "Deadline": "" if o.deadline is None else o.deadline.isoformat(),
                "Replaces": o.replaces or "",
            }
            for o in offers
        ]
    ),
    hide_index=True,
    key="offers_table",
)

st.header("Record an answer")
open_offers = [o for o in offers if o.live]
if not open_offers:
    st.caption("Every offer is answered and closed.")
else:
    names = {o.applicant_id: f"{o.applicant_id} · {o.name} ({o.status})" for o in open_offers}
    who = st.selectbox(
        "Applicant",
        list(names),
        format_func=lambda a: _common.plain(names[a]),
        key="offer_applicant",
    )
    answer = st.radio(
        "Answer", ["accepted", "declined", "withdrawn"], horizontal=True, key="offer_answer"
    )
    silent = st.checkbox(
        "No answer by the deadline (recorded as declined)",
        key="offer_no_answer",
        disabled=answer != "declined",
    )
    if st.button("Record the answer", key="offer_record", icon=":material/done:"):
        try:
            found = workflow.record_answer(
                store,
                user,
                cycle.name,
                who,
                answer,  # type: ignore[arg-type]
                no_answer=silent and answer == "declined",
            )
        except SelectorError as exc:
            done(exc)
        else:
            done(
                f"{found.applicant_id}: {found.status}"
                + (" (no answer)" if found.no_answer else "")
            )

st.header("Fill the declined seats")
try:
    plan = workflow.offer_plan(store, user, cycle.name)
except SelectorError as exc:
    _common.show_error(exc)
    st.stop()
if not plan.feasible:
    st.error(
        "The declined seats cannot be filled under the rules of final run "
        f"{plan.run_id}:\n\n" + "\n".join(f"- {line}" for line in plan.decision.diagnosis),
        icon=":material/block:",
    )
elif not plan.seats:
    st.caption(plan.lines()[0] if not plan.empty else "; ".join(plan.lines()))
else:
    st.markdown(
        "The plan, decided again on final run "
        f"{plan.run_id}'s data with the accepted and open offers locked in and the "
        "decliners locked out:"
    )
    st.markdown("\n".join(f"- {_common.plain(line)}" for line in plan.lines()))
    fill_deadline = st.date_input(
        "New offers: answer by",
        value=dt.date.today() + dt.timedelta(days=7),
        key="fill_deadline",
    )
    if st.button(
        f"Make these {len(plan.seats)} offers",
        type="primary",
        key="offers_fill",
        icon=":material/send:",
    ):
        try:
            filled = workflow.fill_offers(store, user, cycle.name, deadline=fill_deadline)
        except SelectorError as exc:
            done(exc)
        else:
            done(f"{len(filled.offers)} offers made; the fill is recorded as run {filled.run_id}.")
