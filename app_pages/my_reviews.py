"""Reviewer · My reviews: the queue, the application, a score form with the rubric's anchors.

Every change is kept as a draft in session state (keyed by cycle and applicant, so switching
applicants or pages never loses input) and saved to the store as soon as every criterion has
a score.
"""

from __future__ import annotations

import streamlit as st

from app_pages import _common, state
from selector.errors import SelectorError
from selector.models import Applicant, Review

user = _common.require_role("reviewer")
store = _common.get_store()
cycle = _common.current_cycle()
config = _common.cycle_config(cycle)
ss = st.session_state


def read_queue() -> tuple[dict[str, Applicant], dict[str, Review]]:
    """The applicants assigned to this reviewer and their saved reviews, by applicant id."""
    applicants = {a.applicant_id: a for a in store.applicants(user, cycle.name)}
    mine = [r for r in store.reviews(user, cycle.name) if r.reviewer == user.email]
    return applicants, {r.applicant_id: r for r in mine}


applicants, saved = _common.cached("my_reviews", cycle.name, read_queue)
criteria = config.criteria


def draft_of(applicant_id: str) -> dict[str, object]:
    """The session's draft for an applicant, started from the saved review if there is one."""
    drafts = ss[state.DRAFTS]
    key = (cycle.name, applicant_id)
    if key not in drafts:
        review = saved.get(applicant_id)
        drafts[key] = {**review.scores, "comment": review.comment} if review is not None else {}
    draft: dict[str, object] = drafts[key]
    return draft


def on_change(applicant_id: str) -> None:
    """Copy the form into the draft; save the review once every criterion is scored."""
    draft = draft_of(applicant_id)
    for c in criteria:
        value = ss.get(f"score_{applicant_id}_{c.id}")
        if value is not None:
            draft[c.id] = float(value)
    draft["comment"] = ss.get(f"comment_{applicant_id}", draft.get("comment", ""))
    scores = {c.id: float(draft[c.id]) for c in criteria if c.id in draft}  # type: ignore[arg-type]
    if len(scores) < len(criteria):
        return
    try:
        store.save_review(
            user,
            cycle.name,
            Review(
                applicant_id=applicant_id,
                reviewer=user.email,
                scores=scores,
                comment=str(draft.get("comment", "")),
            ),
        )
    except SelectorError as exc:
        ss[state.SAVE_ERROR] = str(exc)
    else:
        st.toast(f"Review of {applicant_id} saved.", icon=":material/task_alt:")


def is_done(applicant_id: str) -> bool:
    """Whether this reviewer's review of the applicant is saved (complete)."""
    return applicant_id in saved


def label(applicant: Applicant) -> str:
    """The queue entry: done mark, id, and the name unless the cycle is blind."""
    mark = "✓" if is_done(applicant.applicant_id) else "○"
    if cycle.blind:
        return f"{mark} {applicant.applicant_id}"
    return f"{mark} {applicant.applicant_id} · {_common.plain(applicant.name)}"


st.title("My reviews")
if not applicants:
    st.info("No applicants are assigned to you in this cycle yet.")
    st.stop()

done = sum(is_done(a) for a in applicants)
st.progress(done / len(applicants), text=f"{done} of {len(applicants)} reviewed")
if error := ss.get(state.SAVE_ERROR):
    st.error(f"Not saved: {error}", icon=":material/error:")
    ss[state.SAVE_ERROR] = None

queue_col, app_col, score_col = st.columns([1.3, 2, 2], gap="medium")
with queue_col:
    ids = list(applicants)
    if ss.get("queue") not in ids:  # a new session, a page switch, or a conflict declared
        remembered = ss[state.CURRENT_APPLICANT]
        ss["queue"] = (
            remembered if remembered in ids else next((a for a in ids if not is_done(a)), ids[0])
        )
    current = st.radio("Queue", ids, format_func=lambda a: label(applicants[a]), key="queue")
    ss[state.CURRENT_APPLICANT] = current

applicant = applicants[current]
draft = draft_of(current)
with app_col:
    st.header(_common.plain(applicant.name))
    facts = [f"PGY{applicant.pgy}", applicant.specialty]
    if not cycle.blind:
        facts += [applicant.program, applicant.email]
    else:
        st.caption(
            ":material/visibility_off: Blind review: name, e-mail, program and answers that "
            "may identify the applicant are hidden."
        )
    st.markdown(" · ".join(_common.plain(f) for f in facts if f))
    with st.container(border=True):
        # In a blind cycle the store has already blinded the applicant (its name is now
        # "Applicant <pseudonym>", so filtering again would hide every answer saying "applicant").
        for question, answer in applicant.reviewer_answers().items():
            st.markdown(f"**{_common.plain(question)}**")
            if answer:
                st.text(answer)  # as written: no markdown or HTML, so nothing loads from it
            else:
                st.caption("(no answer)")

    with st.expander("Declare a conflict of interest", icon=":material/block:"):
        reason = st.text_input("Reason (optional)", key=f"conflict_reason_{current}")
        if st.button("I have a conflict with this applicant", key=f"conflict_{current}"):
            try:
                store.declare_conflict(user, cycle.name, current, reason=reason)
            except SelectorError as exc:
                _common.show_error(exc)
            else:
                ss[state.CURRENT_APPLICANT] = None
                del ss["queue"]
                st.rerun()

with score_col:
    st.header("Scores")
    scored = sum(1 for c in criteria if c.id in draft)
    if is_done(current):
        st.success("Saved. Every change is saved as you make it.", icon=":material/task_alt:")
        following = [a for a in ids if not is_done(a)]
        if following:
            st.button(
                f"Next to review: {following[0]}",
                key="next_applicant",
                icon=":material/arrow_forward:",
                on_click=lambda: ss.update(queue=following[0]),
            )
    else:
        st.caption(f"{scored} of {len(criteria)} criteria scored; saved once all are scored.")
    for c in criteria:
        levels = [int(x) for x in c.levels]
        value = draft.get(c.id)
        st.radio(
            f"{c.label} (weight {c.weight:g})",  # plain: a label is also the accessible name
            levels,
            index=levels.index(int(value)) if value is not None else None,  # type: ignore[call-overload]
            captions=[c.anchors.get(str(level), "") for level in levels],
            help=c.description or None,
            key=f"score_{current}_{c.id}",
            on_change=on_change,
            args=(current,),
        )
    st.text_area(
        "Comment",
        value=str(draft.get("comment", "")),
        key=f"comment_{current}",
        on_change=on_change,
        args=(current,),
    )
