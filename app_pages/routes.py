"""The navigation: which page each address opens, for whom.

Every page's address is known to every session, so a browser refresh (a new session, logged
out) never ends in Streamlit's "Page not found": logged out, each address shows the login
page, and after logging in the same address opens its page; an address of another role's page
goes to the user's first page. The guided start (``start``) is known to all and listed only
for the demo coordinator while the demo logins work."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import streamlit as st

from app_pages import _common
from selector.auth import User

LOGIN = "app_pages/login.py"
START = ("app_pages/start.py", "Start for real", ":material/rocket_launch:")


def _address(path: str) -> str:
    """The address Streamlit gives a page file: its name without ``.py``."""
    return Path(path).stem


def _every_page() -> list[str]:
    """Every role's page files, each once."""
    return list(dict.fromkeys(p for pages in _common.ROLE_PAGES.values() for p, _, _ in pages))


def _starts(user: User) -> bool:
    """Whether the guided start is this user's to take: the demo coordinator, demo live."""
    from selector import workflow
    from selector.demo_accounts import demo_emails

    if user.email not in demo_emails():
        return False
    found = workflow.demo_coordinator(_common.get_store())
    return found is not None and found.email == user.email


def navigate(user: User | None) -> Any:
    """The page this run shows (``st.navigation`` of :func:`pages_for`). An address of
    another role's page switches to the user's first page here, before anything is drawn,
    so the sidebar (and its Log out button) appears only on the page the user lands on."""
    pages = pages_for(user)
    page = st.navigation(pages)
    if user is not None and page.url_path in _elsewhere(user):
        st.switch_page(pages[0])
    return page


def _elsewhere(user: User) -> list[str]:
    """The addresses of the pages of other roles than the user's."""
    mine = {p for p, _, _ in _common.ROLE_PAGES[user.role]}
    return [_address(p) for p in _every_page() if p not in mine]


def pages_for(user: User | None) -> list[Any]:
    """The navigation of a session: the pages of the user's role (the login page when
    logged out) in the menu, and every other address of the app hidden."""
    start_path, start_title, start_icon = START
    if user is None:
        login = st.Page(LOGIN, title="Log in", icon=":material/login:", default=True)
        elsewhere = [
            st.Page(LOGIN, title="Log in", url_path=_address(p), visibility="hidden")
            for p in _every_page()
        ]
        start = st.Page(start_path, title=start_title, icon=start_icon, visibility="hidden")
        return [login, *elsewhere, start]
    own = [
        st.Page(path, title=title, icon=icon, default=i == 0)
        for i, (path, title, icon) in enumerate(_common.ROLE_PAGES[user.role])
    ]
    home = own[0]

    def go_home() -> None:
        st.switch_page(home)

    others = [
        st.Page(go_home, title=home.title, url_path=address, visibility="hidden")
        for address in _elsewhere(user)
    ]
    start = st.Page(
        start_path,
        title=start_title,
        icon=start_icon,
        visibility="visible" if _starts(user) else "hidden",
    )
    return [*own, start, *others]
