"""Charts have a text equivalent: every Altair chart on a page comes with a caption that
summarises it (also the chart's description) and its data as a table (docs/accessibility.md).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from streamlit.testing.v1 import AppTest

from app_pages._common import CHART_TABLE_LABEL
from selector.models import Review
from selector.store import Store
from tests.test_app_pages import app_as, db, no_exceptions, run_scenario, scores, template

__all__ = ["db", "template"]  # fixtures, imported so that pytest finds them here

PAGES = Path(__file__).resolve().parent.parent / "app_pages"


@dataclass
class ShownChart:
    """A chart as the page shows it, with what follows it."""

    description: str
    caption: str | None
    table: pd.DataFrame | None


def shown_charts(at: AppTest) -> list[ShownChart]:
    """Every chart on the page (tabs and columns included), each with the caption right after
    it and the table in the "Chart data as a table" expander after that."""
    found: list[ShownChart] = []

    def walk(block: Any) -> None:
        children = list(block.children.values())
        for i, node in enumerate(children):
            if node.type == "vega_lite_chart":
                caption, expander = [*children[i + 1 : i + 3], None, None][:2]
                tables = []
                if expander is not None and getattr(expander, "label", None) == CHART_TABLE_LABEL:
                    tables = [d.value for d in expander.children.values() if d.type == "dataframe"]
                found.append(
                    ShownChart(
                        str(json.loads(node.proto.spec).get("description", "")),
                        caption.value
                        if caption is not None and caption.type == "caption"
                        else None,
                        tables[0] if tables else None,
                    )
                )
            elif getattr(node, "children", None):
                walk(node)

    walk(at.main)
    return found


def assert_text_equivalents(charts: list[ShownChart]) -> None:
    for chart in charts:
        assert chart.description, "a chart without a description"
        assert chart.caption is not None, f"no caption under the chart {chart.description!r}"
        assert chart.caption.replace("\\", "") == chart.description
        assert chart.table is not None, f"no data table for the chart {chart.description!r}"
        assert not chart.table.empty


def test_committee_charts_come_with_a_summary_and_their_data(db: Store) -> None:
    system = db.system_user()
    # r1 reviews their share too, so that agreement per criterion can be charted.
    db.save_reviews(
        system,
        "2026",
        [
            Review(applicant_id, "r1@example.org", scores(1 + int(applicant_id[1:]) % 4))
            for applicant_id, email in db.assignments(system, "2026")
            if email == "r1@example.org"
        ],
    )
    at = app_as(db, "chair")
    no_exceptions(at)
    charts = shown_charts(at)
    assert len(charts) == 3  # progress, score spread, agreement per criterion
    assert_text_equivalents(charts)
    progress = next(c for c in charts if "complete" in c.description)
    assert set(progress.table.columns) >= {"Reviewer", "Complete", "Open"}  # type: ignore[union-attr]
    assert progress.table["Complete"].sum() == len(db.reviews(system, "2026"))  # type: ignore[index]


def test_selection_charts_come_with_their_shares_and_probabilities(db: Store) -> None:
    at = app_as(db, "chair").switch_page("app_pages/selection.py").run()
    run_scenario(at, "A", 5, 5)
    no_exceptions(at)
    charts = shown_charts(at)
    assert_text_equivalents(charts)
    fields = {"pgy", *(r.field for r in db.cycle("2026").config.diversity)}
    composition = [c for c in charts if c.table is not None and "Cohort (%)" in c.table]
    assert len(composition) == len(fields)
    for chart in composition:
        assert abs(chart.table["Cohort (%)"].sum() - 100) < 1  # type: ignore[index]
    robustness = [c for c in charts if "Selection probability" in c.description]
    assert len(robustness) == 1
    assert "of 5 seats secure" in robustness[0].description  # the cohort of 5


def test_pages_draw_charts_only_through_the_helper() -> None:
    """A chart drawn with st.altair_chart directly would miss its text equivalent."""
    direct = {
        path.name
        for path in PAGES.glob("*.py")
        if path.name != "_common.py"
        and re.search(r"\.(altair_chart|vega_lite_chart|pyplot|plotly_chart)\(", path.read_text())
    }
    assert direct == set()
