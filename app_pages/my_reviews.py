"""Reviewer · My reviews: the queue, the application, a score form with the rubric's anchors.

Every change is kept at once: as a draft in the database until every criterion has a score (so
a part-scored review survives log-out, the idle time-out and a browser refresh), then as the
review. The session keeps a copy per cycle and applicant, so switching never loses input.
Declaring a conflict takes a confirmation, and the reviewer can take it back.
"""

from __future__ import annotations

import streamlit as st

from app_pages import _common, attachments_view, state
from selector import workflow
from selector.errors import SelectorError
from selector.models import Applicant, Review

user = _common.require_role("reviewer")
store = _common.get_store()
cycle = _common.current_cycle()
config = _common.cycle_config(cycle)
ss = st.session_state

# A staged cycle: the reviewer picks the stage; each has its own queue and rubric.
stage: str | None = None
if config.stages:
    stage = st.radio(
        "Stage",
        [s.name for s in config.stages],
        format_func=lambda name: config.stage(name).title,
        horizontal=True,
        key="review_stage",
    )
stage_key = config.stage_key(stage)  # "" for the first (or only) stage
rubric = config.stage_config(stage_key) if stage_key else config


def read_queue() -> tuple[dict[str, Applicant], dict[str, Review]]:
    """The applicants assigned to this reviewer (in the stage, in a staged cycle) and their
    saved reviews of the stage, by applicant id."""
    applicants = {a.applicant_id: a for a in store.applicants(user, cycle.name)}
    if config.stages:
        mine_in_stage = {a for a, _ in store.assignments(user, cycle.name, stage=stage)}
        applicants = {a: p for a, p in applicants.items() if a in mine_in_stage}
    reviews = store.reviews(user, cycle.name, stage=stage)
    mine = [r for r in reviews if r.reviewer == user.email]
    return applicants, {r.applicant_id: r for r in mine}


applicants, saved = _common.cached(f"my_reviews{stage_key}", cycle.name, read_queue)
criteria = rubric.criteria

# Part-scored reviews of this stage in the database (not cached).
kept = store.drafts(user, cycle.name, stage_key)


def draft_key(applicant_id: str) -> tuple[str, ...]:
    """The session's key of an applicant's scores in this stage."""
    return (cycle.name, applicant_id) if not stage_key else (cycle.name, stage_key, applicant_id)


def comment_key(applicant_id: str) -> str:
    return f"comment_{applicant_id}" if not stage_key else f"comment_{stage_key}_{applicant_id}"


def draft_of(applicant_id: str) -> dict[str, object]:
    """The session's copy of an applicant's scores, started from the saved review, else the
    draft kept in the database, else empty."""
    drafts = ss[state.DRAFTS]
    key = draft_key(applicant_id)
    if key not in drafts:
        review = saved.get(applicant_id)
        stored = kept.get(applicant_id)
        if review is not None:
            drafts[key] = {**review.scores, "comment": review.comment}
        elif stored is not None:
            drafts[key] = {**stored.scores, "comment": stored.comment}
        else:
            drafts[key] = {}
    draft: dict[str, object] = drafts[key]
    return draft


def on_change(applicant_id: str) -> None:
    """Copy the form into the session's copy and keep it: as the draft until every criterion
    is scored, then as the review."""
    draft = draft_of(applicant_id)
    for c in criteria:
        value = ss.get(f"score_{applicant_id}_{c.id}")
        if value is not None:
            draft[c.id] = float(value)
    draft["comment"] = ss.get(comment_key(applicant_id), draft.get("comment", ""))
    scores = {c.id: float(draft[c.id]) for c in criteria if c.id in draft}  # type: ignore[arg-type]
    comment = str(draft.get("comment", ""))
    try:
        complete = workflow.keep_scores(
            store, user, cycle.name, rubric, applicant_id, scores, comment, stage_key
        )
    except SelectorError as exc:
        ss[state.SAVE_ERROR] = str(exc)
    else:
        if complete:
            st.toast(f"Review of {applicant_id} saved.", icon=":material/task_alt:")


def is_done(applicant_id: str) -> bool:
    """Whether this reviewer's review of the applicant is saved (complete)."""
    return applicant_id in saved


def label(applicant: Applicant) -> str:
    """The queue entry: done (✓), part-scored (◐) or open (○), id, and the name unless the
    cycle is blind."""
    started = applicant.applicant_id in kept
    mark = "✓" if is_done(applicant.applicant_id) else "◐" if started else "○"
    if cycle.blind:
        return f"{mark} {applicant.applicant_id}"
    return f"{mark} {applicant.applicant_id} · {_common.plain(applicant.name)}"


def take_back(applicant_id: str) -> None:
    """Take back one's own conflict (a callback): the applicant is in the queue again."""
    try:
        workflow.take_back_conflict(store, user, cycle.name, applicant_id)
    except SelectorError as exc:
        ss[state.SAVE_ERROR] = str(exc)
    else:
        ss[state.CURRENT_APPLICANT] = applicant_id
        ss.pop("queue", None)


def show_conflicts() -> None:
    """The conflicts of interest this reviewer declared, each with a way to take it back."""
    mine = workflow.own_conflicts(store, user, cycle.name)
    if not mine:
        return
    with st.expander(f"Conflicts you declared ({len(mine)})", icon=":material/block:"):
        for conflict in mine:
            what, undo = st.columns([3, 2], vertical_alignment="center")
            reason = f" · {_common.plain(conflict.reason)}" if conflict.reason else ""
            what.markdown(f"{conflict.applicant_id}{reason}")
            undo.button(
                "Take back",
                key=f"take_back_{conflict.applicant_id}",
                icon=":material/undo:",
                on_click=take_back,
                args=(conflict.applicant_id,),
                help="You review this applicant again: the assignment is open once more.",
            )


st.title("My reviews")
if error := ss.get(state.SAVE_ERROR):
    st.error(f"Not saved: {error}", icon=":material/error:")
    ss[state.SAVE_ERROR] = None
if stage_key:
    st.caption(
        f"{config.stage(stage_key).title}: the shortlisted applicants assigned to you, scored "
        "on this stage's rubric. A part-scored form is kept as a draft; the review is "
        "saved once every criterion is scored."
    )
if not applicants:
    st.info(
        "No applicants are assigned to you in this cycle yet."
        if not stage_key
        else "No shortlisted applicants are assigned to you in this stage yet."
    )
    show_conflicts()
    st.stop()

done = sum(is_done(a) for a in applicants)
st.progress(done / len(applicants), text=f"{done} of {len(applicants)} reviewed")

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
    show_conflicts()

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
    attachments_view.show_files(store, user, cycle.name, current)

    pending = ss[state.CONFLICT_PENDING] == (cycle.name, current)
    with st.expander("Declare a conflict of interest", icon=":material/block:", expanded=pending):
        reason = st.text_input("Reason (optional)", key=f"conflict_reason_{current}")
        if st.button("I have a conflict with this applicant", key=f"conflict_{current}"):
            ss[state.CONFLICT_PENDING] = (cycle.name, current)
            st.rerun()
        if pending:
            st.warning(
                f"Declare a conflict of interest with {current}? It leaves your queue and your "
                "review does not count. You can take it back under **Conflicts you declared**.",
                icon=":material/help:",
            )
            yes, no = st.columns(2)
            if yes.button("Yes, declare it", key=f"conflict_confirm_{current}", type="primary"):
                ss[state.CONFLICT_PENDING] = None
                try:
                    workflow.declare_conflict(store, user, cycle.name, current, reason)
                except SelectorError as exc:
                    _common.show_error(exc)
                else:
                    ss[state.CURRENT_APPLICANT] = None
                    del ss["queue"]
                    st.rerun()
            if no.button("Cancel", key=f"conflict_cancel_{current}"):
                ss[state.CONFLICT_PENDING] = None
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
        st.caption(
            f"{scored} of {len(criteria)} criteria scored: kept as a draft (it survives logging "
            "out and a refresh), saved as your review once all are scored."
        )
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
        key=comment_key(current),
        on_change=on_change,
        args=(current,),
    )
