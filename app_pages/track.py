"""Chair and coordinator · Track: the composition of each cohort of the track (specialty, PGY,
program), year over year, in one chart and its table, so the track can show its reach."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from app_pages import _common
from selector import workflow
from selector.errors import SelectorError

user = _common.require_role("chair", "coordinator")
store = _common.get_store()
cycle = _common.current_cycle()

st.title("Track")
try:
    found = _common.cached(
        "composition", cycle.name, lambda: workflow.composition(store, user, cycle.track or None)
    )
except SelectorError as exc:
    _common.show_error(exc)
    st.stop()
st.caption(
    f"Track **{_common.plain(found.track)}** · each cycle's accepted cohort, counted by "
    "specialty, PGY and program. A cycle without a final selection has no cohort yet."
)
rows = pd.DataFrame(found.rows(), columns=["Cycle", "Field", "Value", "Members"])
if rows.empty:
    st.info("No cycle of this track has a final cohort yet.", icon=":material/groups:")
    st.stop()
_common.chart(
    alt.Chart(rows)
    .mark_bar()
    .encode(
        x=alt.X("Members:Q", title="Members", stack="zero"),
        y=alt.Y("Cycle:N", title=None, sort=[c.cycle for c in found.cohorts]),
        color=alt.Color("Value:N", legend=alt.Legend(orient="bottom", title=None)),
        row=alt.Row("Field:N", title=None, sort=list(workflow.COMPOSITION_FIELDS.values())),
        tooltip=["Cycle", "Field", "Value", "Members"],
    ),
    rows,
    key="composition_chart",
    summary=found.summary(),
)
st.header("Cohort sizes")
_common.table(
    pd.DataFrame(
        [{"Cycle": c.cycle, "Members": c.size} for c in found.cohorts], columns=["Cycle", "Members"]
    ),
    hide_index=True,
    key="composition_sizes",
)
