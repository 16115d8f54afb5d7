"""Coordinator · Track config: view and edit the cycle's rubric and rules (TOML), validated."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages import _common
from selector.config import CONTRADICTIONS_HEADING, TrackConfig, columns_of, loads_config
from selector.errors import ConfigError, SelectorError

user = _common.require_role("coordinator")
store = _common.get_store()
cycle = _common.current_cycle()

st.title("Track config")
st.caption(
    f"Cycle **{cycle.name}** · the rubric (criteria, weights, anchor texts) and the selection "
    "rules. Every key is checked before saving; the chair's scenarios never change this."
)

edit_col, view_col = st.columns([3, 2], gap="large")
with edit_col:
    text = st.text_area(
        "Config (TOML)", value=cycle.config_text, height=560, key=f"config_text_{cycle.name}"
    )
    # The checks of `selector check-config`, in its words: the keys, every rule's field
    # (against the columns of this cycle's applications) and rules no cohort can satisfy.
    columns = _common.cached(
        "columns", cycle.name, lambda: columns_of(store.applicants(user, cycle.name))
    )
    config: TrackConfig | None
    problems: list[str] = []
    try:
        config = loads_config(text, f"cycle {cycle.name}")
        config.require_known_fields(columns, f"cycle {cycle.name}")
    except ConfigError as exc:
        config = None
        st.error(exc.message, icon=":material/error:")
        for line in exc.params.get("errors", []):
            st.markdown(f"- `{line}`")
    else:
        problems = config.contradictions()
    changed = text != cycle.config_text
    if problems:
        st.error(
            f"{CONTRADICTIONS_HEADING[0].upper()}{CONTRADICTIONS_HEADING[1:]}",
            icon=":material/block:",
        )
        for line in problems:
            st.markdown(f"- {_common.plain(line)}")
    elif config is not None:
        st.success("Valid." + (" Not saved yet." if changed else ""), icon=":material/check:")
    if st.button(
        "Save config",
        type="primary",
        disabled=config is None or bool(problems) or not changed,
        key="save_config",
    ):
        try:
            store.update_cycle_config(user, cycle.name, text)
        except SelectorError as exc:
            _common.show_error(exc)
        else:
            st.toast("Track config saved.", icon=":material/task_alt:")
            st.rerun()

with view_col:
    if config is not None:
        lo, hi = config.cohort.bounds
        size = str(lo) if lo == hi else f"{lo}–{hi if hi is not None else '∞'}"
        st.markdown(
            f"**Cohort** {size} · "
            f"**eligible** PGY{config.eligibility.min_pgy}+"
            + (" (PGY1 with approval)" if config.eligibility.pgy1_by_approval else "")
            + (
                f" · at most {config.eligibility.max_pgy1} PGY1"
                if config.eligibility.max_pgy1 is not None
                else ""
            )
        )
        for rule in config.diversity:
            parts = []
            if rule.max_per_value is not None:
                parts.append(f"at most {rule.max_per_value} per value")
            if rule.min_distinct is not None:
                parts.append(f"at least {rule.min_distinct} distinct")
            parts += [f"at least {n} × {v}" for v, n in rule.min_per_value.items()]
            st.markdown(f"**{rule.field}**: " + ", ".join(parts))
        _common.table(
            pd.DataFrame(
                [
                    {
                        "Criterion": c.label,
                        "Weight": c.weight,
                        "Scale": f"{c.min:g}–{c.max:g}",
                        "Anchors": len(c.anchors),
                    }
                    for c in config.criteria
                ]
            ),
            hide_index=True,
        )
        st.caption(
            f"A review's total ranges {config.min_total:g}–{config.max_total:g}; "
            f"{config.review.reviewers_per_applicant} reviewers per applicant"
            + (", blind review" if config.review.blind else "")
            + "."
        )
