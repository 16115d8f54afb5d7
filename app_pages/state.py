"""Session-state keys of the dashboard, in one place, initialised once per browser session.

Everything per user lives in ``st.session_state`` (one per browser session); nothing per user
is ever kept at module level, which Streamlit shares between all sessions.
"""

from __future__ import annotations

import streamlit as st

USER = "user"  # the logged-in store User, or None
SSO = "sso"  # True when the user came in through st.login (log out there too)
LAST_SEEN = "last_seen"  # time.time() of the last interaction, for the session timeout
NOTICE = "notice"  # a one-shot message for the next page shown (e.g. "session timed out")
CYCLE = "cycle"  # name of the cycle being worked on (sidebar selectbox key)
SAVE_ERROR = "save_error"  # why the last automatic save of a review failed, shown once
# {(cycle, applicant_id): {criterion_id: level, "comment": text}}: the session's copy of the
# scores being given (the draft itself is kept in the database, Store.save_draft)
DRAFTS = "drafts"
CURRENT_APPLICANT = "current_applicant"  # reviewer's open applicant id
INTAKE = "intake"  # the last IntakeResult on the Upload page
UPLOAD_NAME = "upload_name"  # (cycle, sha256 of the bytes, mapping) INTAKE was read with
MAPPING = "mapping"  # {canonical field: header} chosen in the column-mapping editor
# {cycle: {"A"|"B": {"config", "decision", "input_hash", "locks": (in, out) decided with,
#  "stale": why the result no longer answers its rules or locks}}}
SCENARIOS = "scenarios"
ROBUSTNESS = "robustness"  # {(cycle, scenario): (decision it was assessed for, Robustness)}
LOCKS = "locks"  # {cycle: {"include": [ids], "exclude": [ids]}} for the Selection page
STARTED = "started"  # the guided start's result to show once: {"chair", "password", "cycle"}
CONFLICT_PENDING = "conflict_pending"  # (cycle, applicant id) of a conflict to confirm
FINALISING = "finalising"  # the scenario whose finalisation the Roster page asks to confirm
OFFERS_OUTCOME = "offers_outcome"  # what the Offers page's last click did, shown once
UNFINALISING = "unfinalising"  # the final run the Roster page asks to confirm undoing
OPENED = "opened"  # {table key: selected rows} whose application was opened (app_pages.application)
# {cycle: {"shortlist"|"cohort": CycleDecision}}: a staged cycle's last decisions, to show
STAGED = "staged"
ATTACHMENTS_DONE = "attachments_done"  # (cycle, AttachmentReport) of the last zip imported
# {(sha256, media type, words covered): Shown}: files rendered for this session (My reviews)
ATTACHMENT_VIEWS = "attachment_views"
LETTER_DEADLINE = "letter_deadline"  # the Letters page's answer-by date (a date_input key)
LETTERS_SENDING = "letters_sending"  # the cycle whose letters the Letters page asks to confirm
LETTERS_OUTCOME = "letters_outcome"  # the last send's LetterRun (or its error), shown once
CACHE = "cache"  # {(what, cycle, user e-mail, role): (data version, value)}: _common.cached


def init() -> None:
    """Give every key its starting value, once; later runs keep what is there."""
    ss = st.session_state
    ss.setdefault(USER, None)
    ss.setdefault(SSO, False)
    ss.setdefault(LAST_SEEN, 0.0)
    ss.setdefault(NOTICE, None)
    ss.setdefault(SAVE_ERROR, None)
    ss.setdefault(DRAFTS, {})
    ss.setdefault(CURRENT_APPLICANT, None)
    ss.setdefault(INTAKE, None)
    ss.setdefault(UPLOAD_NAME, None)
    ss.setdefault(MAPPING, {})
    ss.setdefault(SCENARIOS, {})
    ss.setdefault(LOCKS, {})
    ss.setdefault(STARTED, None)
    ss.setdefault(CONFLICT_PENDING, None)
    ss.setdefault(ROBUSTNESS, {})
    ss.setdefault(OPENED, {})
    ss.setdefault(CACHE, {})
    ss.setdefault(OFFERS_OUTCOME, None)
    ss.setdefault(STAGED, {})
    ss.setdefault(ATTACHMENTS_DONE, None)
    ss.setdefault(ATTACHMENT_VIEWS, {})
