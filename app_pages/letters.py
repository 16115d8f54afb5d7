"""Coordinator and chair · Letters: edit each letter's template, preview it, send the letters
of the final run (after a confirmation), and see what was sent."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages import _common, state
from selector import workflow
from selector.errors import SelectorError
from selector.letters import OUTCOME_LABELS, OUTCOMES, PLACEHOLDERS, SIGNATURE, Recipient

user = _common.require_role("coordinator", "chair")
store = _common.get_store()
cycle = _common.current_cycle()
ss = st.session_state

st.title("Letters")
st.caption(
    f"Cycle **{_common.plain(cycle.name)}** · from the final selection run: an invitation to "
    "each member of the cohort, a waitlist letter to each replacement candidate, a letter to "
    "every other applicant, and a note to the program director of each invited PGY1. Each "
    "letter is sent at most once."
)

deadline = st.date_input(
    "Answer by", value=None, key=state.LETTER_DEADLINE, format="YYYY-MM-DD",
    help="The response deadline the letters name ({{ deadline }}).",
)  # fmt: skip

recipients: list[Recipient] = []
try:
    recipients = workflow.letter_recipients(store, user, cycle.name, deadline=deadline)
except SelectorError as exc:
    st.info(f"{exc.message}. The templates can be edited meanwhile.", icon=":material/info:")

found = workflow.cycle_templates(store, user, cycle.name)

# ------------------------------------------------------------------------------ templates
st.header("Templates", divider="gray")
with st.expander("How a template is written", icon=":material/help:"):
    st.markdown(
        "Each template starts with a line `Subject: ...`, then a blank line, then the letter. "
        "Placeholders:\n"
        + "\n".join(f"- `{{{{ {name} }}}}` {what}" for name, what in PLACEHOLDERS.items())
        + "\n\n`{% if program %}...{% endif %}` and the filters upper, lower, title, "
        "capitalize and trim work too; nothing else does."
    )
tabs = st.tabs([*(OUTCOME_LABELS[o] for o in OUTCOMES), "Signature"])
for outcome, tab in zip(OUTCOMES, tabs, strict=False):
    with tab:
        edit_col, preview_col = st.columns(2, gap="large")
        with edit_col:
            text = st.text_area(
                f"{OUTCOME_LABELS[outcome]} template",
                value=found.templates[outcome],
                height=380,
                key=f"letter_text_{cycle.name}_{outcome}",
            )
            changed = text != found.templates[outcome]
            if st.button(
                "Save template", key=f"save_letter_{outcome}", disabled=not changed, type="primary"
            ):
                try:
                    workflow.save_template(store, user, cycle.name, outcome, text)
                except SelectorError as exc:
                    _common.show_error(exc)
                else:
                    st.toast("Template saved.", icon=":material/task_alt:")
                    st.rerun()
            st.caption("Edited for this cycle." if outcome in found.edited else "As shipped.")
        with preview_col:
            sample = next((r for r in recipients if r.outcome == outcome and r.address), None)
            st.markdown(
                "**Preview** · "
                + (
                    f"to applicant {_common.plain(sample.applicant_id)}"
                    if sample
                    else "to a made-up applicant (nobody in this cycle gets this letter)"
                )
            )
            try:
                letter = workflow.preview_letter(
                    store, user, cycle.name, outcome, text=text, deadline=deadline,
                    recipient=sample,
                )  # fmt: skip
            except SelectorError as exc:
                st.warning(str(exc), icon=":material/warning:")
            else:
                st.text(f"Subject: {letter.subject}")
                st.text(letter.body)
with tabs[-1]:
    signature = st.text_area(
        "Signature ({{ signature }})",
        value=found.signature,
        height=120,
        key=f"letter_signature_{cycle.name}",
    )
    if st.button(
        "Save signature",
        key="save_letter_signature",
        disabled=signature == found.signature,
        type="primary",
    ):
        try:
            workflow.save_template(store, user, cycle.name, SIGNATURE, signature)
        except SelectorError as exc:
            _common.show_error(exc)
        else:
            st.toast("Signature saved.", icon=":material/task_alt:")
            st.rerun()

# ------------------------------------------------------------------------------ recipients
if not recipients:
    st.stop()

sent = {
    (s["applicant_id"], s["outcome"]): s for s in workflow.sent_letters(store, user, cycle.name)
}
st.header("Recipients", divider="gray")
_common.table(
    pd.DataFrame(
        [
            {
                "Applicant": r.applicant_id,
                "Name": r.name,
                "Letter": OUTCOME_LABELS[r.outcome],
                "To": r.address or "missing: no program director e-mail in the application",
                "Sent": (
                    {"sent": "sent", "sending": "interrupted (not sent again)"}[
                        sent[r.key]["status"]
                    ]
                    if r.key in sent
                    else ""
                ),
            }
            for r in recipients
        ]
    ),
    hide_index=True,
    key="letter_recipients",
)

# ------------------------------------------------------------------------------ send
st.header("Send", divider="gray")
outcome = ss.pop(state.LETTERS_OUTCOME, None)
if isinstance(outcome, SelectorError):
    _common.show_error(outcome)
elif outcome is not None:
    st.success(
        f"Sent {len(outcome.sent)} letter{'' if len(outcome.sent) == 1 else 's'}.",
        icon=":material/mark_email_read:",
    )
    for applicant_id, what, reason in outcome.failed:
        st.error(
            f"Not sent: applicant {_common.plain(applicant_id)} ({OUTCOME_LABELS[what]}): "
            f"{reason}. Sending again sends only the letters not sent yet.",
            icon=":material/error:",
        )

try:
    plan = workflow.send_letters(store, user, cycle.name, deadline=deadline)  # a dry run
except SelectorError as exc:
    _common.show_error(exc)
    st.stop()
missing = [r for r in recipients if not r.address]
for applicant_id, what, reason in plan.failed:
    st.warning(
        f"Applicant {_common.plain(applicant_id)} ({OUTCOME_LABELS[what]}): {reason}.",
        icon=":material/warning:",
    )
st.markdown(
    f"**{len(plan.would_send)}** to send · **{len(plan.already_sent)}** sent before "
    f"(never sent again)"
    + (f" · **{len(missing)}** without an address (not sent)" if missing else "")
)


def stop_sending() -> None:
    ss.pop(state.LETTERS_SENDING, None)


@st.dialog("Send the letters", on_dismiss=stop_sending)
def confirm_send(count: int) -> None:
    st.markdown(
        f"Send {count} letter{'' if count == 1 else 's'} of cycle {_common.plain(cycle.name)} "
        "now, over the mail server in the settings? Letters cannot be called back."
    )
    if st.button("Send now", type="primary", key="letters_send_confirm"):
        try:
            ss[state.LETTERS_OUTCOME] = workflow.send_letters(
                store, user, cycle.name, send=True, deadline=deadline
            )
        except SelectorError as exc:
            ss[state.LETTERS_OUTCOME] = exc
        stop_sending()
        st.rerun()


if st.button(
    f"Send {len(plan.would_send)} letter{'' if len(plan.would_send) == 1 else 's'}",
    key="letters_send",
    disabled=not plan.would_send,
    icon=":material/send:",
):
    ss[state.LETTERS_SENDING] = cycle.name
if ss.get(state.LETTERS_SENDING) == cycle.name:
    confirm_send(len(plan.would_send))

if sent:
    st.header("Sent", divider="gray")
    _common.table(
        pd.DataFrame(
            [
                {
                    "Applicant": s["applicant_id"],
                    "Letter": OUTCOME_LABELS.get(s["outcome"], s["outcome"]),
                    "Status": s["status"],
                    "At": s["at"][:19].replace("T", " "),
                    "By": s["actor"],
                }
                for s in sent.values()
            ]
        ),
        hide_index=True,
        key="letters_sent",
    )

# A letter whose send stopped between claiming it and the mail server's answer is never sent
# again on its own: someone checks it did not arrive, then releases it for the next send.
interrupted = [key for key, s in sent.items() if s["status"] == "sending"]
if interrupted:
    st.header("Interrupted", divider="gray")
    st.caption(
        "These letters were being sent when the send stopped, before the mail server answered: "
        "they may or may not have arrived, so they are not sent again on their own. Check with "
        "the recipient or the mail server's log first."
    )
    chosen = st.selectbox(
        "Letter",
        interrupted,
        format_func=lambda k: f"{_common.plain(k[0])}: {OUTCOME_LABELS.get(k[1], k[1])}",
        key="letters_interrupted",
    )
    checked = st.checkbox("I checked: this letter did not arrive", key="letters_release_checked")
    if st.button("Release it for the next send", key="letters_release", disabled=not checked):
        try:
            workflow.release_interrupted(store, user, cycle.name, *chosen)
        except SelectorError as exc:
            _common.show_error(exc)
        else:
            st.toast("Released: the next send sends it.", icon=":material/task_alt:")
            st.rerun()
