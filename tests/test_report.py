"""The decision report: its text, read back from the PDF."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from pypdf import PdfReader

from app_pages import state
from selector.cli import main
from selector.config import DEFAULT_CONFIG_PATH
from selector.report import printable
from selector.selection import decide
from selector.store import Store
from selector.workflow import report_pdf, scenario_report
from tests.factories import make_applicants, make_config, make_reviews
from tests.test_app_pages import app_as, db, no_exceptions, run_scenario, template

__all__ = ["db", "template"]  # the page fixtures, used by name

ROOT = Path(__file__).resolve().parent.parent
DEMO_APPLICATIONS = ROOT / "data" / "demo_applications.xlsx"
DEMO_SCORES = ROOT / "data" / "demo_scores.csv"


def pdf_text(data: bytes) -> str:
    """Every page's text, lines joined by spaces (a table cell may wrap)."""
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


@pytest.fixture
def cli_db(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> str:
    url = f"sqlite:///{tmp_path / 'report.db'}"
    monkeypatch.setenv("SELECTOR_DB", url)
    assert main(["import", str(DEMO_APPLICATIONS), "--cycle", "2026", "--json"]) == 0
    assert main(["scores", "import", str(DEMO_SCORES), "--create-reviewers", "--json"]) == 0
    config = str(DEFAULT_CONFIG_PATH)
    assert (
        main(["select", "--config", config, "--json", "--robustness", "30", "--seed", "pdf"]) == 0
    )
    capsys.readouterr()
    return url


def test_report_of_the_latest_run(
    cli_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "decision.pdf"
    assert main(["report", "--out", str(out)]) == 0
    (run,) = Store(cli_db).runs(Store.system_user(), "2026")
    assert f"run {run.id}" in capsys.readouterr().out
    data = out.read_bytes()
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    assert "Selection decision - cycle 2026" in text
    assert f"Run {run.id}" in text and run.input_hash in text
    decided = run.decision
    for aid in decided["selected"]:
        assert aid in text
    assert "Hollis Kettleburn" in text  # names beside ids
    for title in ("Specialty: share", "PGY: share", "Program: share"):
        assert title in text
    for rule in decided["rule_prices"]:
        assert rule in text
    # The robustness recorded with the run, not a new one.
    robust = decided["robustness"]
    assert "30 draws (seed pdf)" in text
    secure = len(robust["secure"])
    assert f"{secure} of 10 seats are secure" in text
    # Why a not-selected applicant is out, as the decision says it.
    assert "PGY1 without program director approval" in text
    assert "Reliability ICC(1)" in text and "Krippendorff" in text
    assert "Counted reviews per scored applicant" in text


def test_report_by_run_id_and_refusals(
    cli_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (run,) = Store(cli_db).runs(Store.system_user(), "2026")
    out = tmp_path / "by-id.pdf"
    assert main(["report", "--out", str(out), "--run", str(run.id)]) == 0
    assert run.input_hash in pdf_text(out.read_bytes())
    capsys.readouterr()
    assert main(["report", "--out", str(tmp_path / "x.pdf"), "--run", "77"]) == 2
    assert "no selection run 77" in capsys.readouterr().err
    assert main(["report", "--out", str(tmp_path / "x.docx")]) == 2
    assert "must be .pdf" in capsys.readouterr().err


def test_report_without_recorded_robustness_assesses_it_reproducibly() -> None:
    people = make_applicants(12, seed=2, pgy=3, name=lambda i: f"Łukasz Nowak {i}")
    config = make_config(cohort={"size": 4})
    reviews = make_reviews(people, config, seed=5)
    d = decide(people, reviews, config)
    one = report_pdf(d, reviews, "2027", run_id=None, input_hash="ab" * 32)
    text = pdf_text(one)
    assert "Run not recorded" in text
    assert "200 draws (seed report:abababababababab)" in text
    assert "Łukasz Nowak 1" in text  # outside Latin-1, kept exactly
    again = pdf_text(report_pdf(d, reviews, "2027", run_id=None, input_hash="ab" * 32))
    cut = text.index("How sure")
    assert again[cut : cut + 400] == text[cut : cut + 400]


def test_infeasible_decision_reports_the_diagnosis() -> None:
    people = make_applicants(3, seed=0, pgy=3)
    config = make_config(cohort={"size": 5})
    reviews = make_reviews(people, config, seed=1)
    d = decide(people, reviews, config)
    text = pdf_text(report_pdf(d, reviews, "2027", run_id=4, input_hash=None))
    assert "No cohort satisfies the rules" in text
    assert d.diagnosis and " ".join(d.diagnosis[0].split()) in text


#: Names and a specialty outside Latin-1 (Polish, Turkish, Vietnamese, Greek, Cyrillic).
NAMES = [
    "Łukasz Núñez-Öztürk",
    "Nguyễn Thị Hương",
    "Şükrü Ağaoğlu",
    "Αθηνά Παπαδοπούλου",
    "Ёлка Щукина",
]


def test_names_outside_latin1_print_exactly(caplog: pytest.LogCaptureFixture) -> None:
    people = make_applicants(5, seed=0, pgy=3, name=NAMES, specialty="Hồi sức cấp cứu")
    config = make_config(cohort={"size": 5})
    reviews = make_reviews(people, config, seed=1)
    d = decide(people, reviews, config)
    with caplog.at_level("WARNING"):
        text = pdf_text(report_pdf(d, reviews, "2027", run_id=1, input_hash=None))
    for name in NAMES:
        assert name in text
    assert "Hồi sức cấp cứu" in text
    assert not caplog.records  # no missing glyph logged (it would log the name)


def test_printable() -> None:
    assert printable("Zoë Łukasz Nguyễn") == "Zoë Łukasz Nguyễn"
    # characters the font lacks: the closest form it has, else "?", never a missing glyph
    assert printable("東 ＡＢ") == "? AB"
    assert json.dumps(printable("plain")) == '"plain"'


def test_roster_page_offers_the_report(db: Store) -> None:
    at = app_as(db, "chair").switch_page("app_pages/selection.py").run()
    run_scenario(at, "A", 5, 5)
    at.switch_page("app_pages/roster.py").run()
    no_exceptions(at)
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Download the decision report (pdf)" in labels
    scenario = at.session_state[state.SCENARIOS]["2026"]["A"]
    cycle = db.cycle("2026")
    user = db.authenticate("chair@example.org", "pw-chair-1")
    assert user is not None
    assessed, found = at.session_state[state.ROBUSTNESS][("2026", "A")]
    assert assessed is scenario["decision"]  # the Selection page's, reused by the report
    pdf = scenario_report(db, user, cycle, scenario["decision"], scenario["input_hash"], found)
    text = pdf_text(pdf)
    assert f"{found.draws} draws (seed {found.seed})" in text
    assert "Run not recorded" in text and scenario["input_hash"] in text
    assert all(a in text for a in scenario["decision"].selected)


def test_a_run_whose_seats_were_drawn_by_lot_is_reported(
    cli_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The report replays a run as `runs verify` does, lot included: deciding it again
    without the draw gave "another cohort" and refused the report."""
    config = tmp_path / "lottery.toml"
    config.write_text(
        DEFAULT_CONFIG_PATH.read_text(encoding="utf-8").replace(
            "[selection]\n", '[selection]\nnear_ties = "lottery"\n', 1
        ),
        encoding="utf-8",
    )
    args = ["select", "--config", str(config), "--json", "--robustness", "60", "--seed", "lot"]
    assert main(args) == 0
    lottery = json.loads(capsys.readouterr().out)["lottery"]
    assert lottery["drawn"], "the demo cohort has contested seats to draw"
    out = tmp_path / "lot.pdf"
    assert main(["report", "--out", str(out)]) == 0
    text = pdf_text(out.read_bytes())
    for aid in lottery["drawn"]:
        assert aid in text
    assert main(["runs", "verify", "--latest"]) == 0
