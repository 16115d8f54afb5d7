"""Attachments on the dashboard: the zip upload (page Upload) and an applicant's files as a
reviewer reads them (page My reviews). Not a page of its own: each part makes one workflow
call and shows the result."""

from __future__ import annotations

import streamlit as st

from app_pages import _common, state
from selector import workflow
from selector.attachments import DOCX, PDF
from selector.auth import User
from selector.errors import SelectorError
from selector.store import AttachmentReport, Store

#: Rendered files a session keeps (by content and the words covered), oldest dropped first.
KEPT_VIEWS = 30

_KINDS = {PDF: "PDF", DOCX: "Word document"}


def upload_section(store: Store, user: User, cycle: str) -> None:
    """The zip of applicants' files: upload, import, and what matched."""
    with st.expander("Attachments: CV, statement, letter (a zip)", icon=":material/attach_file:"):
        st.caption(
            "The zip your form tool gives you: Qualtrics' download of uploaded files (a "
            "folder per question), REDCap's export of uploaded files, or a folder where each "
            "file name holds the applicant's e-mail or id. PDF, Word (.docx), PNG and JPEG. "
            "A new file for the same question replaces the old one, which is kept; files "
            "already imported stay, so a large set can come in several zips (the dashboard "
            "takes up to 20 MB at a time; `selector attachments import` up to 200 MB)."
        )
        upload = st.file_uploader("Attachments zip", type=["zip"], key="attachments_file")
        if upload is not None and st.button("Import attachments", key="import_attachments"):
            try:
                report = workflow.import_attachments(
                    store, user, cycle, upload.getvalue(), upload.name
                )
                st.session_state[state.ATTACHMENTS_DONE] = (cycle, report)
            except SelectorError as exc:
                _common.show_error(exc)
                return
        last: tuple[str, AttachmentReport] | None = st.session_state.get(state.ATTACHMENTS_DONE)
        if last is None or last[0] != cycle:
            return
        done = last[1]
        st.success(
            f"{len(done.matched)} file(s) matched ({len(done.replaced)} replaced an earlier "
            f"one, {len(done.unchanged)} unchanged).",
            icon=":material/task_alt:",
        )
        if done.unmatched:
            st.warning(
                f"{len(done.unmatched)} file(s) matched no applicant: "
                + ", ".join(_common.plain(p) for p in done.unmatched[:20]),
                icon=":material/help:",
            )
        if done.refused:
            st.warning(
                f"{len(done.refused)} file(s) refused: "
                + "; ".join(
                    f"{_common.plain(p)} ({why})" for p, why in list(done.refused.items())[:20]
                ),
                icon=":material/block:",
            )
        if done.applicants_without:
            st.info(
                f"{len(done.applicants_without)} active applicant(s) have no file: "
                + ", ".join(done.applicants_without[:30]),
                icon=":material/info:",
            )


def show_files(store: Store, user: User, cycle: str, applicant_id: str) -> None:
    """An applicant's files inline, as this user may read them (blind: redacted or
    withheld, with a note saying which)."""
    cache = st.session_state[state.ATTACHMENT_VIEWS]
    try:
        views = workflow.attachment_views(store, user, cycle, applicant_id, cache=cache)
    except SelectorError as exc:
        _common.show_error(exc)
        return
    while len(cache) > KEPT_VIEWS:
        cache.pop(next(iter(cache)))
    if not views:
        st.caption("No files attached.")
        return
    st.subheader(f"Attachments ({len(views)})")
    for n, v in enumerate(views, 1):
        with st.container(border=True):
            kind = _KINDS.get(v.media_type, "image")
            st.markdown(f"**{_common.plain(v.label)}** · {_common.plain(v.filename)} · {kind}")
            shown = v.shown
            if v.note:
                if shown.withheld:
                    st.warning(v.note, icon=":material/visibility_off:")
                else:
                    st.info(v.note, icon=":material/visibility_off:")
            if shown.withheld:
                continue
            for i, page in enumerate(shown.pages, 1):
                st.image(
                    page,
                    caption=f"Page {i} of {shown.pages_total}",
                    alt=f"{v.label}, page {i} of {shown.pages_total}",  # WCAG 1.1.1
                )
            if len(shown.pages) < shown.pages_total:
                st.caption(f"The first {len(shown.pages)} pages are shown.")
            if shown.text is not None:
                st.text(shown.text or "(no text)")
            if shown.image is not None:
                st.image(shown.image, alt=v.label)
            if v.download is not None:
                st.download_button(
                    "Download",
                    v.download,
                    file_name=v.filename,
                    mime=v.media_type,
                    key=f"attachment_download_{applicant_id}_{n}",
                    icon=":material/download:",
                )


def show_all_versions(store: Store, user: User, cycle: str, applicant_id: str) -> None:
    """For the application dialog: every file of an applicant with its versions (a replaced
    one marked), each to download, then the current files shown."""
    try:
        got = store.applicant_files(user, cycle, applicant_id, history=True)
    except SelectorError as exc:
        _common.show_error(exc)
        return
    if got.blind_terms is not None:  # a blind reader never gets an original
        show_files(store, user, cycle, applicant_id)
        return
    files = got.files
    if not files:
        st.caption("No files attached.")
        return
    for n, f in enumerate(files, 1):
        when = f"imported {f.imported_at:%Y-%m-%d %H:%M}"
        if f.replaced_at is not None:
            when += f", replaced {f.replaced_at:%Y-%m-%d %H:%M}"
        line, get = st.columns([4, 1], vertical_alignment="center")
        line.markdown(
            f"**{_common.plain(f.slot)}** · {_common.plain(f.filename)} · "
            f"{f.size / 1e3:,.0f} kB · {when}"
        )
        get.download_button(
            "Download",
            f.data,
            file_name=f.filename,
            mime=f.media_type,
            key=f"application_file_{applicant_id}_{n}",
            icon=":material/download:",
        )
    show_files(store, user, cycle, applicant_id)
