"""Coordinator · Upload: an applications export → validation report → preview → import."""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from app_pages import _common, application, attachments_view, state
from selector import workflow
from selector.errors import InputError, SelectorError
from selector.intake import MAPPABLE_FIELDS, read_applications
from selector.store import ImportReport

user = _common.require_role("coordinator")
store = _common.get_store()
cycle = _common.current_cycle()
ss = st.session_state

st.title("Upload applications")
st.caption(
    f"Cycle **{cycle.name}** · the application form's export (xlsx or csv). Nothing changes "
    "until you confirm the import; re-importing a newer export updates changed applications."
)


def create_cycle() -> None:
    """Start a new cycle from this one (its rules and, unless it is the demo, its track),
    and switch to it (a callback)."""
    name = ss["new_cycle_name"].strip()
    try:
        workflow.create_cycle(store, user, name, from_cycle=cycle.name)
    except SelectorError as exc:
        ss["new_cycle_error"] = str(exc)
    else:
        ss[state.CYCLE] = name


with st.popover("New cycle", icon=":material/add:"):
    st.text_input("Name of the new cycle", placeholder="2027", key="new_cycle_name")
    st.button("Create it from this cycle", key="create_cycle", on_click=create_cycle)
    st.caption("The new cycle takes this cycle's rules and joins its track.")
if error := ss.pop("new_cycle_error", None):
    st.error(error)

try:  # never into the demo cycle: real data must not mix with made-up data
    store.check_importable(user, cycle.name)
except SelectorError as exc:
    _common.show_error(exc)
    st.info(
        "Start a cycle of your own with **New cycle** above, then upload the export into it. "
        "On the demo database, **Start for real** makes your own coordinator account, the "
        "chair's and your first cycle in one step: real data ends the public demo logins.",
        icon=":material/info:",
    )
    leaving = workflow.demo_coordinator(store)
    if leaving is not None and leaving.email == user.email:
        st.page_link("app_pages/start.py", label="Start for real", icon=":material/rocket_launch:")
    st.stop()

attachments_view.upload_section(store, user, cycle.name)

upload = st.file_uploader("Applications export", type=["xlsx", "csv"], key="upload_file")
if upload is None:  # removed: the next file starts afresh, with its own column mapping
    ss[state.INTAKE] = ss[state.UPLOAD_NAME] = None
    ss[state.MAPPING] = {}
    st.stop()


def map_by_hand() -> None:
    """Name the column of one field by its header, for a file whose columns were not found."""
    with st.form("manual_mapping_form"):
        c1, c2 = st.columns(2)
        field = c1.selectbox("Field", MAPPABLE_FIELDS, key="manual_map_field")
        header = c2.text_input("Header of its column", key="manual_map_header")
        if st.form_submit_button("Read again with this column", key="manual_map_apply"):
            ss[state.MAPPING] = {**ss[state.MAPPING], field: header.strip()}
            st.rerun()


data = upload.getvalue()
digest = hashlib.sha256(data).hexdigest()
if ss[state.UPLOAD_NAME] is not None and ss[state.UPLOAD_NAME][1] != digest:
    ss[state.MAPPING] = {}  # another file: the mapping chosen for the last one does not apply
source_id = (cycle.name, digest, tuple(sorted(ss[state.MAPPING].items())))
if ss[state.INTAKE] is None or ss[state.UPLOAD_NAME] != source_id:
    ss[state.INTAKE], ss[state.UPLOAD_NAME] = None, source_id
    progress = st.progress(0.0, text=f"Reading {upload.name} …")
    try:
        result = read_applications(data, filename=upload.name, mapping=ss[state.MAPPING] or None)
    except InputError as exc:
        progress.empty()
        _common.show_error(exc)
        map_by_hand()
        st.stop()
    progress.progress(0.6, text="Comparing with the applications already imported …")
    try:
        preview: ImportReport | str = workflow.preview_import(store, user, cycle.name, result)
    except SelectorError as exc:
        preview = str(exc)
    progress.empty()
    ss[state.INTAKE] = (result, preview)
result, preview = ss[state.INTAKE]

# --- validation report -------------------------------------------------------------------
st.header("Validation")
c1, c2, c3, c4 = st.columns(4)
c1.metric("Data rows", result.rows)
c2.metric("Accepted", len(result.accepted))
c3.metric("Rejected", len(result.rejected))
c4.metric("Warnings", len(result.warnings))

if result.rejected:
    st.error(
        f"{len(result.rejected)} rows cannot be imported; fix them in the sheet (row numbers "
        "as Excel shows them) or in the column mapping below.",
        icon=":material/error:",
    )
    _common.table(
        pd.DataFrame(
            [
                {
                    "Row": r.row,
                    "Name": r.values.get(result.mapping.get("name", ""), ""),
                    "E-mail": r.values.get(result.mapping.get("email", ""), ""),
                    "Problems": "; ".join(r.errors),
                }
                for r in result.rejected
            ]
        ),
        hide_index=True,
        key="rejected_table",
    )
if result.warnings:
    with st.expander(f"{len(result.warnings)} warnings"):
        _common.table(
            pd.DataFrame(
                [
                    {"Row": w.row, "Column": w.location.column, "Warning": w.message}
                    for w in result.warnings
                ]
            ),
            hide_index=True,
        )

# --- column mapping ----------------------------------------------------------------------
with st.expander("Column mapping", expanded=bool(result.rejected), icon=":material/table_chart:"):
    st.caption(
        "Which column of the export holds each application field, guessed from the headers "
        "and the contents. Change what was guessed wrong and apply: the file is read again."
    )
    none = "— not mapped —"
    options = [none, *result.headers]
    with st.form("mapping_form"):
        picked = {
            field: st.selectbox(
                field.replace("_", " "),
                options,
                index=options.index(result.mapping[field]) if field in result.mapping else 0,
                key=f"map_{field}",
            )
            for field in MAPPABLE_FIELDS
        }
        if st.form_submit_button("Apply mapping", key="apply_mapping"):
            earlier = ss[state.MAPPING]
            ss[state.MAPPING] = {  # overrides: what differs from the guess, and earlier ones
                field: header
                for field, header in picked.items()
                if header != none and (header != result.mapping.get(field) or field in earlier)
            }
            st.rerun()

# --- preview and confirm -----------------------------------------------------------------
st.header("What the import changes")
if isinstance(preview, str):
    st.error(preview, icon=":material/block:")
    st.stop()
rows = pd.DataFrame(
    workflow.preview_rows(preview),
    columns=["Outcome", "Applicant", "Name", "Field", "Old", "New"],
)


def people(report: ImportReport, ids: list[str]) -> pd.DataFrame:
    """Applicants by id and name, for a tab of the preview."""
    return pd.DataFrame({"Applicant": ids, "Name": [report.names.get(a, "") for a in ids]})


if preview.id_reused:
    st.warning(
        f"{len(preview.id_reused)} response id(s) of this export belong to other people "
        "already imported (the form's numbering restarted?): they are new applicants with ids "
        "of their own, and nobody's reviews move. If one of them is a person whose e-mail "
        "changed, merge the two records below after importing.",
        icon=":material/person_add:",
    )
outcomes = {
    # New people by name; one whose response id another person already has says so.
    "New": rows[rows["Outcome"] == "new"].drop(columns="Outcome"),
    "Changed": rows[rows["Outcome"] == "changed"].drop(columns="Outcome"),
    "Withdrawn (not in this export)": people(preview, preview.withdrawn),
    "Unchanged": people(preview, preview.unchanged),
}
counts = [preview.added, preview.updated, preview.withdrawn, preview.unchanged]
tabs = st.tabs([f"{name} ({len(ids)})" for name, ids in zip(outcomes, counts, strict=True)])
for number, (tab, (name, frame)) in enumerate(zip(tabs, outcomes.items(), strict=True)):
    with tab:
        if not len(frame):
            st.caption("None.")
        elif name == "New":  # not stored yet: nothing to open
            _common.table(frame, hide_index=True)
        else:
            st.caption("Select a row to open the application as it is stored now.")
            application.table(frame, hide_index=True, key=f"preview_{number}")

allowed = True
if workflow.mass_withdrawal(preview):
    n = len(preview.withdrawn)
    st.error(
        f"This import would withdraw **{n} of {preview.active_before}** active applicants. "
        "Is it the right file (not a roster, a score file or another cycle's export)? To "
        f"withdraw them, type **{n}** or **withdraw** below.",
        icon=":material/warning:",
    )
    typed = st.text_input("Confirm the withdrawals", key="confirm_mass_withdrawal")
    allowed = typed.strip().lower() in {str(n), "withdraw"}

if st.button(
    f"Import {len(result.accepted)} applications into {cycle.name}",
    type="primary",
    key="confirm_import",
    icon=":material/check:",
    disabled=not allowed,
):
    try:
        done = workflow.import_applications(
            store, user, cycle.name, result, allow_mass_withdrawal=allowed
        )
    except SelectorError as exc:
        _common.show_error(exc)
        st.stop()
    ss[state.INTAKE] = None  # the next run compares the same file with what is stored now
    st.success(
        f"Imported: {len(done.added)} new, {len(done.updated)} changed, "
        f"{len(done.withdrawn)} withdrawn.",
        icon=":material/task_alt:",
    )

# --- merging two records of one person ----------------------------------------------------
stored = store.applicants(user, cycle.name, include_withdrawn=True)
if len(stored) >= 2:
    with st.expander("Merge two records of one person", icon=":material/merge:"):
        st.caption(
            "When someone's e-mail changed between exports they appear twice (the old record "
            "withdrawn, a new one added). The kept record keeps its id and reviews and takes the "
            "application in the latest export; the other's reviews move to it, except where "
            "the same reviewer reviewed both (the kept record's review stays; the other's is "
            "removed, its scores kept in the audit log). Audited."
        )
        labels = {a.applicant_id: f"{a.applicant_id} · {a.name} · {a.email}" for a in stored}
        ids: list[str] = list(labels)

        def label(applicant_id: str) -> str:
            return labels[applicant_id]

        with st.form("merge_form"):
            keep = st.selectbox("Keep", ids, format_func=label, key="merge_keep")
            other = st.selectbox(
                "Merge into it", ids, index=1, format_func=label, key="merge_other"
            )
            if st.form_submit_button("Merge", key="merge_applicants") and keep and other:
                try:
                    merged = workflow.merge_applicants(store, user, cycle.name, keep, other)
                except SelectorError as exc:
                    _common.show_error(exc)
                else:
                    ss[state.INTAKE] = None  # compare the file with the merged records
                    ss["merge_done"] = (
                        f"Merged {merged.other} into {merged.keep}: {len(merged.moved)} "
                        f"review(s) moved, {len(merged.dropped)} removed as a clash."
                    )
                    st.rerun()
if done_merge := ss.pop("merge_done", None):
    st.success(done_merge, icon=":material/task_alt:")
