"""The decision report: a short PDF for GME leadership.

The cohort; its composition (specialty, PGY, program) as bar charts beside the pool; each rule
and its price; why each applicant not selected is out; how sure each seat is (the bootstrap's
selection probabilities, a chart); process facts (reviews per applicant, inter-rater
reliability); the run id and the hash of the inputs. Made with fpdf2 (pure Python); charts are
drawn with its own shapes. Text is set in DejaVu Sans, shipped in ``selector/fonts/`` (its
licence beside it) and embedded as a subset, so names in any Latin, Greek or Cyrillic script
print exactly; a character the font lacks (CJK, for one) is written as its closest form the font
has (accents dropped), else "?".
"""

from __future__ import annotations

import datetime as dt
import functools
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from selector import __version__

if TYPE_CHECKING:
    from fpdf import FPDF

    from selector.calibration import Reliability
    from selector.models import Review, SecondYears
    from selector.selection import Decision
    from selector.selection.robustness import Robustness

#: Bar colours: the cohort, the pool, a secure seat, a contested one, anyone else.
COHORT, POOL = (91, 63, 140), (201, 191, 220)
SECURE_C, CONTESTED_C, OTHER_C = (46, 125, 50), (230, 145, 30), (150, 150, 150)


#: Letters that Unicode does not decompose into a base letter and an accent.
_PLAIN = str.maketrans(
    {"Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Ħ": "H", "ħ": "h", "ı": "i", "Œ": "OE", "œ": "oe"}
)


#: The report's typeface: DejaVu Sans, regular and bold (licence in ``fonts/LICENSE``).
FONT = "DejaVuSans"
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
FONT_DIR = Path(__file__).resolve().parent / "fonts"


@functools.cache
def _glyphs() -> frozenset[int]:
    """The code points both faces of the report's font can draw."""
    from fontTools.ttLib import TTFont

    faces = []
    for name in FONT_FILES.values():
        with TTFont(FONT_DIR / name, lazy=True) as face:
            faces.append(set(face.getBestCmap()))
    return frozenset(set.intersection(*faces))


def printable(text: Any) -> str:
    """Text as the report's font can show it: every character it has kept, each other one as
    its closest form it has (accents or strokes dropped), else "?". Never lets the PDF library
    log a missing glyph, which would put an applicant's name in the log."""
    have = _glyphs()
    out = []
    for ch in str(text):
        if ord(ch) in have:
            out.append(ch)
            continue
        plain = "".join(
            c for c in unicodedata.normalize("NFKD", ch.translate(_PLAIN)) if ord(c) in have
        )
        out.append(plain or "?")
    return "".join(out)


@dataclass
class ReportFacts:
    """What the report says besides the decision: where it came from and how it was made."""

    cycle: str
    run_id: int | None
    input_hash: str | None
    robustness: Robustness | None
    reliability: Reliability | None
    reviews_per_applicant: dict[str, int]
    generated_at: dt.datetime | None = None
    #: The second-year trainees beside the cohort, while the track runs.
    second_years: SecondYears | None = None


def reviews_per_applicant(decision: Decision, reviews: Sequence[Review]) -> dict[str, int]:
    """Counted (complete, not conflicted) reviews of each applicant of the decision."""
    from selector.calibration import counted_reviews

    counts = Counter(r.applicant_id for r, _ in counted_reviews(reviews, decision.config))
    return {a: counts.get(a, 0) for a in decision.applicants}


class _Report:
    """The PDF being written, with the few layouts the report uses."""

    def __init__(self) -> None:
        from fpdf import FPDF

        self.pdf: FPDF = FPDF(format="A4")
        for style, name in FONT_FILES.items():
            self.pdf.add_font(FONT, style, FONT_DIR / name)
        self.pdf.set_auto_page_break(True, margin=15)
        self.pdf.set_margins(15, 15, 15)
        self.pdf.add_page()

    @property
    def width(self) -> float:
        return float(self.pdf.epw)

    def title(self, text: str) -> None:
        self.pdf.set_font(FONT, "B", 16)
        self.pdf.multi_cell(0, 9, printable(text), new_x="LMARGIN", new_y="NEXT")

    def heading(self, text: str) -> None:
        if self.pdf.get_y() > self.pdf.h - 50:
            self.pdf.add_page()
        self.pdf.ln(3)
        self.pdf.set_font(FONT, "B", 12)
        self.pdf.cell(0, 7, printable(text), new_x="LMARGIN", new_y="NEXT")
        self.pdf.set_font(FONT, "", 9)

    def text(self, text: str) -> None:
        self.pdf.set_font(FONT, "", 9)
        self.pdf.multi_cell(0, 4.5, printable(text), new_x="LMARGIN", new_y="NEXT")

    def facts(self, rows: Sequence[tuple[str, Any]]) -> None:
        self.table(None, [[k, v] for k, v in rows], widths=(1, 3))

    def table(
        self,
        header: Sequence[str] | None,
        rows: Sequence[Sequence[Any]],
        widths: Sequence[float] | None = None,
    ) -> None:
        """A table with a bold header row (none when ``header`` is None)."""
        from fpdf.fonts import FontFace

        self.pdf.set_font(FONT, "", 8)
        with self.pdf.table(
            col_widths=tuple(widths) if widths else None,
            first_row_as_headings=header is not None,
            headings_style=FontFace(emphasis="BOLD", fill_color=(235, 231, 243)),
            text_align="LEFT",
            line_height=4.5,
            width=self.width,
        ) as table:
            for row in [header] if header is not None else []:
                cells = table.row()
                for value in row:
                    cells.cell(printable(value))
            for data in rows:
                cells = table.row()
                for value in data:
                    cells.cell(printable(_fmt(value)))
        self.pdf.ln(2)

    def bars(
        self,
        title: str,
        rows: Sequence[tuple[str, float, tuple[int, int, int]]],
        *,
        scale: float = 1.0,
        percent: bool = False,
    ) -> None:
        """A horizontal bar chart: one (label, value, colour) per bar, values over ``scale``."""
        pdf = self.pdf
        bar_h, label_w, value_w = 4.2, 75.0, 14.0
        span = self.width - label_w - value_w
        if pdf.get_y() + 8 + bar_h * min(len(rows), 8) > pdf.h - 15:
            pdf.add_page()
        pdf.set_font(FONT, "B", 9)
        pdf.cell(0, 6, printable(title), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT, "", 7.5)
        for label, value, colour in rows:
            if pdf.get_y() + bar_h > pdf.h - 15:
                pdf.add_page()
            x, y = pdf.l_margin, pdf.get_y()
            pdf.set_xy(x, y)
            pdf.cell(label_w, bar_h, printable(label)[:56])
            pdf.set_fill_color(*colour)
            length = span * (value / scale if scale else 0)
            if length > 0:
                pdf.rect(x + label_w, y + 0.6, length, bar_h - 1.2, style="F")
            pdf.set_xy(x + label_w + span, y)
            pdf.cell(value_w, bar_h, f"{value:.0%}" if percent else f"{value:g}", align="R")
            pdf.set_xy(x, y + bar_h)
        pdf.ln(2)

    def output(self) -> bytes:
        return bytes(self.pdf.output())


def _fmt(value: Any) -> str:
    """A cell: numbers to two decimals, None as a dash."""
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def _composition(r: _Report, decision: Decision, field: str, title: str) -> None:
    """The cohort's count per value of a field, each bar beside the pool's share."""
    pool = [a for aid, a in decision.applicants.items() if aid in decision.scores]
    in_cohort = Counter(str(decision.applicants[a].value(field) or "-") for a in decision.selected)
    in_pool = Counter(str(a.value(field) or "-") for a in pool)
    values = sorted(in_pool, key=lambda v: (-in_cohort[v], -in_pool[v], v))[:12]
    n_cohort, n_pool = max(len(decision.selected), 1), max(len(pool), 1)
    rows: list[tuple[str, float, tuple[int, int, int]]] = []
    for v in values:
        rows.append((f"{v} - cohort ({in_cohort[v]})", in_cohort[v] / n_cohort, COHORT))
        rows.append((f"{v} - pool ({in_pool[v]})", in_pool[v] / n_pool, POOL))
    r.bars(f"{title}: share of the cohort and of the scored pool", rows, percent=True)


def _second_years(r: _Report, found: SecondYears | None) -> None:
    """The second-year trainees, listed beside the new cohort (nothing for a first cycle)."""
    if found is None or found.cycle is None:
        return
    r.heading(f"Second-year trainees (the cohort of {found.cycle})")
    if not found.members:
        r.text(f"Cycle {found.cycle} has no final cohort recorded.")
        return
    r.table(
        ["ID", "Name", "PGY", "Specialty", "Program"],
        [[a.applicant_id, a.name, a.pgy, a.specialty, a.program] for a in found.members],
        widths=(9, 28, 5, 24, 22),
    )


def decision_pdf(decision: Decision, facts: ReportFacts) -> bytes:
    """The report as PDF bytes (see the module's docstring)."""
    r = _Report()
    names = {a: p.name for a, p in decision.applicants.items()}
    found = facts.robustness
    when = (facts.generated_at or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    r.title(f"Selection decision - cycle {facts.cycle}")
    r.facts(
        [
            ("Run", "not recorded" if facts.run_id is None else facts.run_id),
            ("Input hash (SHA-256)", facts.input_hash or "-"),
            ("Status", decision.status),
            ("Cohort", f"{len(decision.selected)} selected of {len(decision.applicants)}"),
            ("Total score", decision.total_score),
            ("Tie-break seed", decision.tie_break_seed),
            ("Solver", f"{decision.solver.get('name')} {decision.solver.get('version')}"),
            ("Generated (UTC)", f"{when:%Y-%m-%d %H:%M} by selector {__version__}"),
        ]
    )
    if decision.status != "optimal":
        r.heading("No cohort satisfies the rules")
        for line in decision.diagnosis:
            r.text(f"- {line}")
        return r.output()

    r.heading("The cohort")
    prob = found.probability if found else {}
    r.table(
        ["#", "ID", "Name", "PGY", "Specialty", "Program", "Score", "Margin", "Sure"],
        [
            [
                i,
                a,
                names[a],
                decision.applicants[a].pgy,
                decision.applicants[a].specialty,
                decision.applicants[a].program,
                decision.scores.get(a),
                decision.margins.get(a),
                f"{prob[a]:.0%}" if a in prob else "-",
            ]
            for i, a in enumerate(decision.selected, start=1)
        ],
        widths=(4, 9, 24, 5, 20, 16, 8, 8, 7),
    )

    _second_years(r, facts.second_years)

    r.heading("Composition")
    for field, title in (("specialty", "Specialty"), ("pgy", "PGY"), ("program", "Program")):
        _composition(r, decision, field, title)

    r.heading("Rules and their prices")
    r.text(
        "The price of a rule is the total score it costs: the best cohort's total without "
        "the rule minus the total with it (0: the rule does not bind)."
    )
    r.table(
        ["Rule", "Price"],
        [[rule, price] for rule, price in decision.rule_prices.items()] or [["(none)", None]],
        widths=(4, 1),
    )

    r.heading("How sure each seat is")
    if found is None:
        r.text("Robustness was not assessed for this decision.")
    else:
        r.text(
            f"Bootstrap over reviewers: {found.draws} draws (seed {found.seed}); each draw "
            "resamples every applicant's reviews with replacement and decides again under the "
            f"same rules and locks. {len(found.secure)} of {len(found.selected)} seats are "
            "secure (selected in at least 95% of draws); contested: "
            f"{', '.join(found.contested) or 'none'}; near-misses: "
            f"{', '.join(found.near_misses) or 'none'}."
        )
        shown = [*found.selected, *found.near_misses]
        secure = set(found.secure)
        r.bars(
            "Selection probability (cohort, then near-misses)",
            [
                (
                    f"{a} {names.get(a, '')}",
                    found.probability.get(a, 0.0),
                    SECURE_C if a in secure else CONTESTED_C if a in found.selected else OTHER_C,
                )
                for a in shown
            ],
            percent=True,
        )

    r.heading("Not selected: why")
    chosen = set(decision.selected)
    r.table(
        ["ID", "Name", "Score", "Sure", "Reason"],
        [
            [
                a,
                names[a],
                decision.scores.get(a),
                f"{prob[a]:.0%}" if a in prob else "-",
                decision.reasons.get(a, ""),
            ]
            for a in decision.applicants
            if a not in chosen
        ],
        widths=(9, 22, 8, 7, 54),
    )

    r.heading("Process")
    counts = facts.reviews_per_applicant
    scored = [n for a, n in counts.items() if a in decision.scores]
    rel = facts.reliability
    r.facts(
        [
            ("Applicants", len(decision.applicants)),
            ("Scored", len(scored)),
            (
                "Counted reviews per scored applicant",
                f"{min(scored)} to {max(scored)}, mean {sum(scored) / len(scored):.2f}"
                if scored
                else "-",
            ),
            ("Reliability ICC(1)", "-" if rel is None or rel.icc1 is None else f"{rel.icc1:.2f}"),
            (
                "Krippendorff's alpha (interval)",
                "-" if rel is None or rel.alpha is None else f"{rel.alpha:.2f}",
            ),
            (
                "Locked in / out",
                f"{', '.join(decision.include) or '-'} / {', '.join(decision.exclude) or '-'}",
            ),
        ]
    )
    r.text(decision.tie_break)
    return r.output()
