"""Shared dashboard helpers: the store, the logged-in user, role gates, the pages of each
role, errors, tables.

Pages stay thin: they call :func:`require_role` first, read their input, make one domain call
and show the result. The only cached object is the :class:`Store` per database URL
(``st.cache_resource``), which holds no per-user data.
"""

from __future__ import annotations

import logging
import os
import re
import time
import traceback
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import pandas as pd
import streamlit as st

from app_pages import state
from selector.auth import User
from selector.config import TrackConfig
from selector.errors import ConfigError, InputError, SelectorError, describe_unexpected
from selector.roster import safe_cell
from selector.store import Cycle, Store

T = TypeVar("T")

#: The server log of the dashboard: ids and classes only, never applicant data.
LOG = logging.getLogger("selector.dashboard")


def _frames(exc: BaseException) -> str:
    """The code lines an exception passed through (file, line, source), without its text."""
    return "".join(traceback.format_list(traceback.extract_tb(exc.__traceback__))).rstrip()


class _NoExceptionText(logging.Filter):
    """Rewrites Streamlit's "Uncaught app execution" records (an exception in a callback, or
    anything past :func:`run_page`) to the exception's class, hint and frames: its text may
    quote a row."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if exc is not None:
            record.args = (record.getMessage(), describe_unexpected(exc), _frames(exc))
            record.msg = "%s: %s\n%s"
            record.exc_info, record.exc_text = None, None
        return True


_streamlit_errors = logging.getLogger("streamlit.error_util")
if not any(isinstance(f, _NoExceptionText) for f in _streamlit_errors.filters):
    _streamlit_errors.addFilter(_NoExceptionText())

#: Minutes of inactivity after which a session is logged out.
SESSION_TIMEOUT_S = 30 * 60

ROLE_LABELS = {"coordinator": "Coordinator", "chair": "Chair", "reviewer": "Reviewer"}

#: The pages each role may open, in menu order: (file, title, icon).
ROLE_PAGES: dict[str, list[tuple[str, str, str]]] = {
    "coordinator": [
        ("app_pages/upload.py", "Upload", ":material/upload_file:"),
        ("app_pages/applicants.py", "Applicants", ":material/person_off:"),
        ("app_pages/reviewers.py", "Reviewers & assignments", ":material/group:"),
        ("app_pages/track_config.py", "Track config", ":material/tune:"),
        ("app_pages/offers.py", "Offers", ":material/mail:"),
        ("app_pages/letters.py", "Letters", ":material/outgoing_mail:"),
        ("app_pages/track.py", "Track", ":material/timeline:"),
    ],
    "reviewer": [
        ("app_pages/my_reviews.py", "My reviews", ":material/rate_review:"),
    ],
    "chair": [
        ("app_pages/committee.py", "Committee", ":material/groups:"),
        ("app_pages/selection.py", "Selection", ":material/how_to_reg:"),
        ("app_pages/roster.py", "Roster", ":material/download:"),
        ("app_pages/offers.py", "Offers", ":material/mail:"),
        ("app_pages/letters.py", "Letters", ":material/outgoing_mail:"),
        ("app_pages/track.py", "Track", ":material/timeline:"),
    ],
}


@st.cache_resource(show_spinner=False)
def _open_store(url: str | None) -> Store:
    """One Store per database URL for the whole server; an empty database gets the demo."""
    store = Store(url)
    if not store.cycles():
        from selector.seed import seed_demo

        seed_demo(store)
    return store


def get_store() -> Store:
    """The store for ``$SELECTOR_DB`` (or the default SQLite file)."""
    return _open_store(os.environ.get("SELECTOR_DB") or None)


def sso_providers() -> list[str] | None:
    """Configured ``st.login`` providers: None without ``[auth]`` in secrets.toml.

    ``[]`` means one unnamed provider (``[auth]`` holds ``client_id`` itself).
    """
    try:
        auth = st.secrets.get("auth")
    except (FileNotFoundError, KeyError, st.errors.StreamlitSecretNotFoundError):
        return None
    if not isinstance(auth, Mapping):
        return None
    return [name for name, value in auth.items() if isinstance(value, Mapping)]


def sso_user() -> User:
    """The account of the single-sign-on identity this browser holds (``st.user``), matched
    by its e-mail claim (:meth:`Store.single_sign_on`); raises :class:`PermissionDenied`
    without one. A provider that sends ``email_verified`` false is not trusted with it."""
    verified = st.user.get("email_verified")
    return get_store().single_sign_on(
        str(st.user.get("email") or ""), verified=str(verified).lower() != "false"
    )


def login(user: User, *, sso: bool = False) -> None:
    """Start a session for ``user``; the next run shows the pages of their role."""
    st.session_state[state.USER] = user
    st.session_state[state.SSO] = sso
    st.session_state[state.LAST_SEEN] = time.time()
    st.session_state[state.NOTICE] = None


def logout(notice: str | None = None) -> None:
    """End the session and drop everything it held.

    After single sign-on, also end Streamlit's (``st.logout``: its identity cookie, then the
    provider's session) and stop this run there: the browser leaves for the log-out, and a
    rerun would drop that redirect unsent (each run clears what is still queued), leaving
    the cookie to sign the same person in again on the next visit."""
    sso = bool(st.session_state.get(state.SSO))
    for key in list(st.session_state.keys()):
        del st.session_state[key]
    state.init()
    st.session_state[state.NOTICE] = notice
    if sso:
        st.logout()
        st.stop()


def _account_now(user: User) -> User | None:
    """The session's account as stored now (role changes apply at once), or None when it
    was deleted or, for a password login, its login was disabled."""
    store = get_store()
    current = store.user(user.email)
    if current is None:
        return None
    sso = bool(st.session_state.get(state.SSO))  # single sign-on accounts need no password
    if sso:
        return None if store.login_disabled(current.email) else current
    return current if store.login_enabled(current.email) else None


def session_user() -> User | None:
    """The logged-in user as stored now, or None. Logs out after :data:`SESSION_TIMEOUT_S`
    idle seconds, and when the account is gone or its login was disabled meanwhile."""
    user: User | None = st.session_state.get(state.USER)
    if user is None:
        return None
    now = time.time()
    last_seen = st.session_state.get(state.LAST_SEEN) or now
    if now - last_seen > SESSION_TIMEOUT_S:
        logout("Your session timed out after 30 minutes without activity. Please log in again.")
        return None
    current = _account_now(user)
    if current is None:
        logout(
            "Your account was removed or its login was disabled, so you were logged out. "
            "Ask the coordinator if you still need access."
        )
        return None
    st.session_state[state.USER] = current
    st.session_state[state.LAST_SEEN] = now
    return current


def require_role(*roles: str) -> User:
    """The logged-in user if their role is one of ``roles``; otherwise stop the page here."""
    user = session_user()
    if user is None:
        st.warning("Please log in first.")
        st.stop()
    if user.role not in roles:
        allowed = " or ".join(ROLE_LABELS[r] for r in roles)
        st.error(f"This page is for the {allowed}. You are logged in as {user.role}.")
        st.stop()
    return user


def sidebar(user: User | None) -> None:
    """Who is logged in, the cycle being worked on, and log out."""
    if user is None:
        return
    store = get_store()
    with st.sidebar:
        st.markdown(f"**{user.name or user.email}**  \n{ROLE_LABELS[user.role]}")
        names = [c.name for c in store.cycles()]  # newest first
        if names:
            if st.session_state.get(state.CYCLE) not in names:
                st.session_state[state.CYCLE] = names[0]
            st.selectbox("Cycle", names, key=state.CYCLE)
        if st.button("Log out", key="logout", icon=":material/logout:"):
            logout()
            st.rerun()


def current_cycle() -> Cycle:
    """The cycle chosen in the sidebar (the newest when none is chosen); stops without one."""
    try:
        return get_store().cycle(st.session_state.get(state.CYCLE))
    except InputError:
        st.info("There is no cycle yet.")
        st.stop()


def cached(what: str, cycle: str, compute: Callable[[], T]) -> T:
    """``compute()``, kept in this session until the stored data changes: a page's reads
    and the figures worked out from them, so a rerun that changed nothing (a click on a
    tab, a chart or a picker) does not read and compute them again. Kept per user and
    role (what they may read), one value per page and cycle, in session state: never
    shared between users."""
    user = st.session_state.get(state.USER)
    key = (what, cycle, getattr(user, "email", None), str(getattr(user, "role", "")))
    version = get_store().data_version()
    store: dict[Any, tuple[tuple[int, int], Any]] = st.session_state[state.CACHE]
    hit = store.get(key)
    if hit is not None and hit[0] == version:
        value: T = hit[1]
        return value
    value = compute()
    store[key] = (version, value)
    return value


#: Characters markdown (and Streamlit's extensions) give a meaning to.
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&])")


def plain(text: str) -> str:
    """Text from an applicant for ``st.markdown`` or a widget label, escaped so that it shows
    as written: no image or link it holds loads anything in the reader's browser."""
    return _MARKDOWN.sub(r"\\\1", " ".join(text.split()))


def show_error(exc: SelectorError) -> None:
    """A domain error as one readable message, never a traceback."""
    st.error(str(exc), icon=":material/error:")


def run_page(page: Any) -> None:
    """Run a page; an exception nobody expected becomes one message and one server-log entry
    with its class, a hint and the code lines it passed through, but never its text (a
    database error quotes the row it failed on). Streamlit's own handler would log it all."""
    try:
        page.run()
    except Exception as exc:
        LOG.error("unexpected error: %s\n%s", describe_unexpected(exc), _frames(exc))
        st.error(f"Something went wrong: {describe_unexpected(exc)}.", icon=":material/error:")


def safe_frame(data: pd.DataFrame) -> pd.DataFrame:
    """A table whose text cells (and headers) cannot run as spreadsheet formulas, for the
    "Download as CSV" of Streamlit's table toolbar: text starting with = + - @ tab or CR gets
    the same leading apostrophe as in the roster (:func:`selector.roster.safe_cell`)."""
    out = data.rename(columns=safe_cell)
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(safe_cell)
    return out


def table(data: pd.DataFrame, **kwargs: Any) -> Any:
    """``st.dataframe`` of :func:`safe_frame`: every table that shows applicant text or names
    goes through here, so its CSV download is as safe as the roster export."""
    return st.dataframe(safe_frame(data), **kwargs)


#: The label of the expander that holds a chart's data (tests look for it next to each chart).
CHART_TABLE_LABEL = "Chart data as a table"


def chart(figure: Any, data: pd.DataFrame, *, key: str, summary: str) -> None:
    """An Altair chart with its text equivalent (WCAG 1.1.1): the summary as the chart's
    description (what a screen reader announces for it) and as a caption under it, and the
    data it draws as a table in an expander, for readers who cannot see the chart."""
    st.altair_chart(figure.properties(description=summary), key=key)
    st.caption(plain(summary))  # may name a program or specialty from the applications
    with st.expander(CHART_TABLE_LABEL, icon=":material/table:"):
        table(data, hide_index=True, key=f"{key}_table")


def demo_banner() -> list[dict[str, str]] | None:
    """The demo accounts while the database holds only the seeded demo, else None."""
    from selector.seed import demo_accounts

    return demo_accounts(get_store())


def cycle_config(cycle: Cycle) -> TrackConfig:
    """The cycle's saved track config (rubric and rules)."""
    try:
        return cycle.config
    except ConfigError as exc:
        show_error(exc)
        st.stop()
