"""Log in: a local account (e-mail and password), or single sign-on when configured."""

from __future__ import annotations

import streamlit as st

from app_pages import _common, state
from selector.errors import SelectorError

store = _common.get_store()

with st.columns([1, 2, 1])[1]:  # a narrow, centred column
    st.title("selector")
    st.caption("Review applications and pick the cohort of the DEI Leadership Track.")

    if notice := st.session_state.get(state.NOTICE):
        st.warning(notice, icon=":material/timer_off:")

    with st.form("login_form"):
        email = st.text_input("E-mail", key="login_email", autocomplete="username")
        password = st.text_input(
            "Password", type="password", key="login_password", autocomplete="current-password"
        )
        submitted = st.form_submit_button("Log in", type="primary", key="login_submit")
    if submitted:
        try:
            user = store.authenticate(email.strip(), password)
        except SelectorError as exc:  # too many attempts, or busy: no password was checked
            _common.show_error(exc)
        else:
            if user is None:
                st.error("Unknown e-mail or wrong password.")
            else:
                _common.login(user)
                st.rerun()

    demo = _common.demo_banner()
    if demo:
        with st.container(border=True):
            st.markdown(
                ":orange-badge[:material/science: Demo data] This database holds only the "
                "**synthetic demo cycle**: made-up applicants and these demo accounts, whose "
                "logins are disabled once real data arrives."
            )
            for account in sorted(demo, key=lambda a: list(_common.ROLE_LABELS).index(a["role"])):
                who, go = st.columns([5, 1], vertical_alignment="center")
                who.markdown(
                    f"**{_common.ROLE_LABELS[account['role']]}** · `{account['email']}` · "
                    f"password `{account['password']}`"
                )
                if go.button("Log in", key=f"demo_login_{account['email']}"):
                    try:
                        user = store.authenticate(account["email"], account["password"])
                    except SelectorError as exc:
                        _common.show_error(exc)
                        user = None
                    if user is not None:
                        _common.login(user)
                        st.rerun()
            st.markdown(
                "**Ready to start for real?** Make your own coordinator account and the "
                "chair's, and your first cycle, in one step; the demo logins then end."
            )
            if st.button(
                "Start for real",
                key="start_for_real",
                type="primary",
                icon=":material/rocket_launch:",
            ):
                st.switch_page("app_pages/start.py")

    providers = _common.sso_providers()
    if providers is not None:
        st.divider()
        if st.user.is_logged_in:
            try:
                user = _common.sso_user()
            except SelectorError as exc:  # no account, disabled, no (verified) e-mail
                _common.show_error(exc)
                if st.button("Sign out of single sign-on", key="sso_logout"):
                    st.logout()
            else:
                _common.login(user, sso=True)
                st.rerun()
        else:
            named: list[str | None] = list(providers) or [None]
            for provider in named:
                label = f"Sign in with {provider}" if provider else "Sign in with single sign-on"
                if st.button(
                    label, key=f"sso_login_{provider or 'default'}", icon=":material/key:"
                ):
                    st.login(provider)
