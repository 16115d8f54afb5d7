"""The selector dashboard: ``streamlit run app.py``.

Routing only: the menu holds just the pages the logged-in role may open (each page checks the
role again at its top), and every other address is known too, so a refresh never ends in "Page
not found" (:mod:`app_pages.routes`); the pages live in ``app_pages/``.
"""

import streamlit as st

from app_pages import _common, routes, state

st.set_page_config(page_title="selector", page_icon=":material/how_to_reg:", layout="wide")
state.init()
user = _common.session_user()
page = routes.navigate(user)
_common.sidebar(user)
_common.run_page(page)
