#!/usr/bin/env bash
# The installed wheel (not an editable checkout) works on its own: build it, install it into a
# fresh venv, and run validate -> cycles create -> import -> scores import -> select -> roster
# from a folder that holds no part of the repository.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python -m pip wheel -q --no-deps -w "$work/dist" "$repo"
python -m venv "$work/venv"
"$work/venv/bin/pip" install -q "$work"/dist/selector-*.whl
cd "$work"
sel="$work/venv/bin/selector"
db="sqlite:///$work/wheel.db"
"$sel" --version
"$sel" validate "$repo/data/demo_applications.xlsx" --json > validate.json
"$sel" cycles create 2026 --db "$db"
"$sel" import "$repo/data/demo_applications.xlsx" --cycle 2026 --db "$db" --json
"$sel" scores import "$repo/data/demo_scores.csv" --cycle 2026 --db "$db" --create-reviewers --json > scores.json
"$sel" select --config "$repo/rubrics/dei_leadership.toml" --cycle 2026 --db "$db" --json > decision.json
"$sel" roster --out roster.xlsx --cycle 2026 --db "$db"
"$sel" report --out decision.pdf --cycle 2026 --db "$db"  # its font is package data
"$work/venv/bin/python" - <<'PY'
import json
import openpyxl

decision = json.load(open("decision.json"))
rows = list(openpyxl.load_workbook("roster.xlsx", read_only=True)["Cohort"].iter_rows(values_only=True))
assert [r[0] for r in rows[1:]] == decision["selected"], "the roster is not the decision"
assert open("decision.pdf", "rb").read(5) == b"%PDF-", "no decision report"
print(f"wheel: {len(decision['selected'])} selected, roster matches, report written")
PY
