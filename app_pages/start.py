"""Start for real: from the demo to real use in one guided step. Your coordinator account,
the chair's, the first cycle; the demo logins end and you carry on logged in as yourself."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from app_pages import _common, state
from selector import workflow
from selector.errors import SelectorError

store = _common.get_store()
ss = st.session_state

st.title("Start for real")

if done := ss[state.STARTED]:
    st.success(
        f"Cycle **{_common.plain(done['cycle'])}** is ready and you are logged in with your own "
        "account. The demo logins are disabled; the demo cycle stays for reference.",
        icon=":material/task_alt:",
    )
    if done["password"]:
        st.markdown(
            f"The chair's one-time password, for **{_common.plain(done['chair'])}** (shown only "
            "now: hand it over; they change it after logging in):"
        )
        st.code(done["password"], language=None)
    if st.button("Continue to Upload", type="primary", key="start_continue"):
        ss[state.STARTED] = None
        st.switch_page("app_pages/upload.py")
    st.stop()

actor = workflow.demo_coordinator(store)
user = _common.session_user()
if actor is None:
    st.info(
        "The demo has ended: log in with your own account. A coordinator adds accounts under "
        "**Reviewers & assignments** and cycles on the **Upload** page.",
        icon=":material/info:",
    )
    if user is None and st.button("Log in", key="start_to_login", icon=":material/login:"):
        st.switch_page("app_pages/login.py")
    st.stop()
if user is not None and user.email != actor.email:
    st.error("The guided start is for the demo coordinator.", icon=":material/block:")
    st.stop()

st.caption(
    "Leave the demo in one step: your own coordinator account, the chair's account and your "
    "first cycle are made together, and the public demo logins end. Nothing is written until "
    "everything below checks out, so nobody is locked out on the way."
)
with st.form("start_form"):
    st.header("Your coordinator account")
    c1, c2 = st.columns(2)
    name = c1.text_input("Your name", key="start_name")
    email = c2.text_input("Your e-mail (your login)", key="start_email", autocomplete="username")
    password = c1.text_input(
        "Password", type="password", key="start_password", autocomplete="new-password"
    )
    again = c2.text_input(
        "Password again", type="password", key="start_password_again", autocomplete="new-password"
    )
    st.header("The chair's account")
    c3, c4 = st.columns(2)
    chair_name = c3.text_input("Chair's name", key="start_chair_name")
    chair_email = c4.text_input("Chair's e-mail", key="start_chair_email")
    chair_password = c3.text_input(
        "Chair's password (leave empty for a one-time password shown once)",
        type="password",
        key="start_chair_password",
        autocomplete="new-password",
    )
    st.header("Your first cycle")
    cycle = st.text_input("Name", value=str(dt.date.today().year + 1), key="start_cycle")
    config = st.file_uploader(
        "Track config (TOML; leave empty for the bundled rubric and rules)",
        type=["toml"],
        key="start_config",
    )
    submitted = st.form_submit_button("Start for real", type="primary", key="start_submit")

if submitted:
    try:
        started = workflow.start_real_use(
            store,
            actor,
            coordinator_email=email,
            coordinator_name=name,
            password=password,
            password_again=again,
            chair_email=chair_email,
            chair_name=chair_name,
            chair_password=chair_password or None,
            cycle=cycle,
            config_text=config.getvalue().decode("utf-8-sig") if config is not None else None,
        )
    except SelectorError as exc:
        problems = exc.params.get("problems") or [exc.message]
        st.error(
            "Nothing was changed:\n" + "\n".join(f"- {_common.plain(str(p))}" for p in problems),
            icon=":material/error:",
        )
    except UnicodeDecodeError:
        st.error("The track config is not UTF-8 text; nothing was changed.")
    else:
        _common.login(started.coordinator)
        ss[state.CYCLE] = started.cycle.name
        ss[state.STARTED] = {
            "chair": started.chair.email,
            "password": started.chair_password,
            "cycle": started.cycle.name,
        }
        st.rerun()
