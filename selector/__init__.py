"""selector: a selection committee reviews applications and picks a cohort.

The domain core. Nothing in this package imports Streamlit; the dashboard
(`app.py`, `app_pages/`) and the CLI (`selector.cli`) are thin faces on it.
"""

__version__ = "0.1.0"
