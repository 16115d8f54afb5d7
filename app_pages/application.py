"""One application, opened from any table row that lists applicants: the answers, each
review with its reviewer, scores and comment, conflicts, flags and the history.

Not a page of its own: :func:`table` shows a table whose rows can be selected, and a newly
selected row opens :func:`show` in a dialog. What the dialog may show is decided in the core
(:func:`selector.workflow.application_view`), by the logged-in user's role.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from app_pages import _common, attachments_view, state
from selector import workflow
from selector.errors import SelectorError


@st.dialog("Application", width="large")
def show(applicant_id: str) -> None:
    """The application of ``applicant_id`` as the logged-in user may read it."""
    user = st.session_state[state.USER]
    cycle = _common.current_cycle()
    try:
        view = workflow.application_view(_common.get_store(), user, cycle.name, applicant_id)
    except SelectorError as exc:
        _common.show_error(exc)
        return
    st.subheader(_common.plain(view.title))
    st.caption(" · ".join(f"{k}: {_common.plain(str(v))}" for k, v in view.fields.items()))
    for flag in view.flags:
        st.warning(_common.plain(flag), icon=":material/flag:")
    if view.assigned:
        st.caption("Assigned: " + _common.plain(", ".join(view.assigned)))
    tabs = [
        "Answers",
        f"Reviews ({len(view.reviews)})",
        "Attachments",
        f"History ({len(view.history)})",
    ]
    if view.earlier:  # the chair's and the coordinator's only (the core decides)
        tabs.append(f"Earlier applications ({len(view.earlier)})")
    answers, reviews, files, history, *earlier = st.tabs(tabs)
    with files:
        attachments_view.show_all_versions(_common.get_store(), user, cycle.name, applicant_id)
    with answers:
        if not view.answers:
            st.caption("No answers besides the fields above.")
        for question, answer in view.answers.items():
            st.markdown(f"**{_common.plain(question)}**  \n{_common.plain(answer)}")
    with reviews:
        if not view.reviews:
            st.caption("No review yet.")
        for line in view.reviews:
            who = f"{line.reviewer_name} ({line.reviewer})"
            if line.conflict:
                reason = f": {line.conflict_reason}" if line.conflict_reason else ""
                st.markdown(_common.plain(f"{who} declared a conflict of interest{reason}"))
                continue
            total = "incomplete" if line.total is None else f"total {line.total:g}"
            stage = f"{line.stage} · " if line.stage else ""
            st.markdown(f"{stage}**{_common.plain(who)}** · {total}")
            st.caption(
                _common.plain(
                    ", ".join(f"{label} {score:g}" for label, score in line.scores.items())
                )
            )
            if line.comment:
                st.markdown(f"> {_common.plain(line.comment)}")
    with history:
        if not view.history:
            st.caption("No history to show.")
        else:
            _common.table(
                pd.DataFrame(
                    [
                        {"When": e.at, "Who": e.actor, "Action": e.action, "Target": e.target}
                        for e in reversed(view.history)
                    ]
                ),
                hide_index=True,
                key="application_history",
            )
    for tab in earlier:
        with tab:
            _common.table(
                pd.DataFrame(
                    [
                        {
                            "Cycle": e.cycle,
                            "Applicant": e.applicant_id,
                            "Name": e.name,
                            "Reviews": e.reviews,
                            "Score": e.score,
                            "Outcome": e.outcome,
                        }
                        for e in view.earlier
                    ]
                ),
                hide_index=True,
                column_config={"Score": st.column_config.NumberColumn(format="%.2f")},
                key="application_earlier",
            )


def table(data: pd.DataFrame, *, key: str, column: str = "Applicant", **kwargs: Any) -> None:
    """A table of applicants (:func:`app_pages._common.table`) whose rows open the
    application of their ``column`` when selected."""
    event = _common.table(data, on_select="rerun", selection_mode="single-row", key=key, **kwargs)
    rows = list(event.selection.rows) if event is not None else []
    opened: dict[str, list[int]] = st.session_state[state.OPENED]
    if rows and rows != opened.get(key) and rows[0] < len(data):
        opened[key] = rows
        show(str(data.iloc[rows[0]][column]))
    elif not rows:
        opened.pop(key, None)


def name_of(people: dict[str, Any], applicant_id: str | None) -> str:
    """An applicant's name from ``{id: Applicant}`` ("" when unknown or none)."""
    found = people.get(applicant_id or "")
    return str(found.name) if found is not None else ""
