"""The use-case layer: one function per thing a user does, called by a CLI command and a
dashboard page alike, so neither face holds logic of its own.

- import an export: :func:`import_target`, :func:`preview_import`,
  :func:`import_applications`, the preview by name (:func:`preview_rows`,
  :func:`preview_text`); CLI `import` (``--dry-run``), page Upload.
- merge two records of one person: :func:`merge_applicants`; CLI `applicants merge`,
  page Upload.
- create a cycle: :func:`create_cycle` (:func:`read_config` checks a config file first);
  CLI `cycles create`, page Upload (New cycle).
- import scores: :func:`import_scores`; CLI `scores import`.
- export scores: :func:`export_scores`; CLI `scores export`.
- review progress: :func:`review_progress`; pages Reviewers & assignments, Committee.
- accounts: :func:`list_accounts` (login and open assignments), :func:`disable_account`,
  :func:`enable_account`, :func:`reset_password`; CLI `users`, page Reviewers & assignments.
- decide a cycle: :func:`decide_cycle` (the stored cycle, recorded as a run),
  :func:`decide_files` (files, nothing stored); CLI `select`.
- a scenario's config: :func:`scenario_config` (the rules form → a config),
  :func:`scenario_config_text`; pages Selection, Roster.
- decide and finalise a scenario: :func:`decide_scenario`, :func:`finalise_scenario`;
  pages Selection, Roster.
- the roster of the final run: :func:`roster_of_final_run`; CLI `roster`.
- recorded runs: :func:`list_runs`, :func:`verify_run` (decided again from the run's own
  inputs); CLI `runs list`, `runs verify`.
- how sure a scenario's cohort is: :func:`scenario_robustness`, :func:`robustness_rows`;
  page Selection.
- the decision report (PDF): :func:`decision_report`; CLI `report`, page Roster.

Each module imports what it needs; the heavy libraries (SQLAlchemy, PuLP, openpyxl) are
loaded only by the function that uses them, so a CLI command that needs none starts fast.
"""

from __future__ import annotations

from selector.workflow.accounts import (
    Account,
    disable_account,
    enable_account,
    list_accounts,
    reset_password,
)
from selector.workflow.applications import (
    import_applications,
    import_target,
    mass_withdrawal,
    merge_applicants,
    preview_import,
    preview_rows,
    preview_text,
)
from selector.workflow.cycles import create_cycle, read_config
from selector.workflow.decide import (
    CycleDecision,
    FileDecision,
    assess,
    decide_cycle,
    decide_files,
    decision_json,
    settle,
)
from selector.workflow.progress import ReviewerProgress, ReviewProgress, review_progress
from selector.workflow.report import decision_report, report_pdf, scenario_report
from selector.workflow.robustness import robustness_rows, scenario_robustness
from selector.workflow.roster import RosterResult, roster_of_final_run
from selector.workflow.runs import Verification, find_run, list_runs, verify_run
from selector.workflow.scenario import (
    Scenario,
    decide_scenario,
    finalise_scenario,
    locks_differ,
    min_per_value_text,
    scenario_config,
    scenario_config_text,
    stale_reason,
)
from selector.workflow.scores import ScoreExport, ScoreImport, export_scores, import_scores

__all__ = [
    "Account",
    "CycleDecision",
    "FileDecision",
    "ReviewProgress",
    "ReviewerProgress",
    "RosterResult",
    "Scenario",
    "ScoreExport",
    "ScoreImport",
    "Verification",
    "assess",
    "create_cycle",
    "decide_cycle",
    "decide_files",
    "decide_scenario",
    "decision_json",
    "decision_report",
    "disable_account",
    "enable_account",
    "export_scores",
    "finalise_scenario",
    "find_run",
    "import_applications",
    "import_scores",
    "import_target",
    "list_accounts",
    "list_runs",
    "locks_differ",
    "mass_withdrawal",
    "merge_applicants",
    "min_per_value_text",
    "preview_import",
    "preview_rows",
    "preview_text",
    "read_config",
    "report_pdf",
    "reset_password",
    "review_progress",
    "robustness_rows",
    "roster_of_final_run",
    "scenario_config",
    "scenario_config_text",
    "scenario_report",
    "scenario_robustness",
    "settle",
    "stale_reason",
    "verify_run",
]
