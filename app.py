"""The selector dashboard: ``streamlit run app.py``.

Routing only: the navigation holds just the pages the logged-in role may open (each page
checks the role again at its top); the pages live in ``app_pages/``.
"""

import streamlit as st

from app_pages import _common, state

st.set_page_config(page_title="selector", page_icon=":material/how_to_reg:", layout="wide")
state.init()
user = _common.session_user()
page = st.navigation(_common.pages_for(user))
_common.sidebar(user)
_common.run_page(page)
