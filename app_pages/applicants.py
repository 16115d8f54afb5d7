"""Coordinator · Applicants: every applicant of the cycle with their status, and withdrawing
or restoring one (with a reason, audited). A withdrawn applicant leaves the assignments and
the selection pool and keeps their reviews; restoring brings both back."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages import _common
from selector import workflow
from selector.errors import SelectorError

user = _common.require_role("coordinator")
store = _common.get_store()
cycle = _common.current_cycle()
ss = st.session_state

st.title("Applicants")
st.caption(
    f"Cycle **{_common.plain(cycle.name)}** · withdraw an applicant who left (they leave the "
    "assignments and the selection pool, their reviews are kept), or restore one. Audited."
)
rows = workflow.applicant_statuses(store, user, cycle.name)
if not rows:
    st.info("No applicants in this cycle yet: import the export on the Upload page.")
    st.stop()

withdrawn = sum(r.withdrawn for r in rows)
st.markdown(f"{len(rows) - withdrawn} active · {withdrawn} withdrawn")
_common.table(
    pd.DataFrame(
        [
            {
                "Applicant": r.applicant_id,
                "Name": r.name,
                "Specialty": r.specialty,
                "Status": "withdrawn" if r.withdrawn else "active",
                "Reviews": r.reviews,
            }
            for r in rows
        ]
    ),
    hide_index=True,
    key="applicants_table",
)

by_id = {r.applicant_id: r for r in rows}


def label(applicant_id: str) -> str:
    r = by_id[applicant_id]
    return f"{applicant_id} · {r.name} ({'withdrawn' if r.withdrawn else 'active'})"


st.header("Withdraw or restore")
picked = st.selectbox(
    "Applicant", list(by_id), format_func=label, index=None, key="withdraw_applicant"
)
if picked is not None:
    going = not by_id[picked].withdrawn
    with st.form("withdraw_form"):
        reason = st.text_input(
            "Reason (kept in the audit log)",
            placeholder="e.g. withdrew by e-mail on 3 March" if going else "e.g. came back",
            key="withdraw_reason",
        )
        if st.form_submit_button(
            "Withdraw" if going else "Restore",
            type="primary",
            key="withdraw_apply",
            icon=":material/person_off:" if going else ":material/person_add:",
        ):
            try:
                workflow.set_withdrawn(
                    store, user, cycle.name, picked, withdrawn=going, reason=reason
                )
            except SelectorError as exc:
                _common.show_error(exc)
            else:
                ss["withdraw_done"] = f"{picked} {'withdrawn' if going else 'restored'}."
                del ss["withdraw_applicant"]
                st.rerun()
if done := ss.pop("withdraw_done", None):
    st.success(done, icon=":material/task_alt:")
