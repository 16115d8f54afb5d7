"""The use-case layer: one function per thing a user does, called by a CLI command and a
dashboard page alike, so neither face holds logic of its own.

- import an export: :func:`import_target`, :func:`preview_import`,
  :func:`import_applications`, the preview by name (:func:`preview_rows`,
  :func:`preview_text`); CLI `import` (``--dry-run``), page Upload.
- attachments: :func:`import_attachments` (a form tool's zip, matched to applicants),
  :func:`attachment_views` (an applicant's files as the reader may see them, redacted or
  withheld in blind review); CLI `attachments import`, pages Upload and My reviews.
- merge two records of one person: :func:`merge_applicants`; CLI `applicants merge`,
  page Upload.
- withdraw or restore one applicant: :func:`set_withdrawn` (a reason audited),
  :func:`applicant_statuses`; CLI `applicants withdraw|restore|list`, page Applicants.
- leave the demo for real use: :func:`start_real_use` (own coordinator and chair accounts,
  the first cycle, the demo logins ended, all or nothing); CLI `start`, page Start for real.
- a reviewer's own work: :func:`keep_scores` (a draft until every criterion is scored, then
  the review), :func:`declare_conflict`, :func:`take_back_conflict`, :func:`own_conflicts`;
  page My reviews.
- create a cycle: :func:`create_cycle` (from the previous cycle of its track, or a config;
  :func:`read_config` checks a config file first); CLI `cycles create`, page Upload (New
  cycle).
- the two-year track: :func:`second_years` (last cycle's accepted members,
  :func:`accepted_members`), :func:`current_trainees`, :func:`earlier_applications`,
  :func:`composition`; CLI `cycles composition`, pages Roster, Track, the application dialog.
- import scores: :func:`import_scores`; CLI `scores import`.
- export scores: :func:`export_scores`; CLI `scores export`.
- review progress: :func:`review_progress`; pages Reviewers & assignments, Committee.
- accounts: :func:`list_accounts` (login and open assignments), :func:`disable_account`,
  :func:`enable_account`, :func:`reset_password`; CLI `users`, page Reviewers & assignments.
- decide a cycle: :func:`decide_cycle` (the stored cycle, recorded as a run; in a staged
  cycle the shortlist or the cohort among it), :func:`decide_files` (files, nothing
  stored); CLI `select`, page Selection (a staged cycle).
- where a staged cycle is: :func:`stage_status` (the shortlist in force, interviewers
  assigned and scores given); page Selection.
- a scenario's config: :func:`scenario_config` (the rules form → a config),
  :func:`scenario_config_text`; pages Selection, Roster.
- decide and finalise a scenario: :func:`decide_scenario`, :func:`finalise_scenario`
  (a lottery's seats in words: :func:`lottery_notice`);
  pages Selection, Roster.
- the roster of the final run: :func:`roster_of_final_run`; CLI `roster`.
- recorded runs: :func:`list_runs`, :func:`verify_run` (decided again from the run's own
  inputs); CLI `runs list`, `runs verify`.
- how sure a scenario's cohort is: :func:`scenario_robustness`, :func:`robustness_rows`;
  page Selection.
- the decision report (PDF): :func:`decision_report`; CLI `report`, page Roster.
- undo a finalisation: :func:`unfinalise`; CLI `runs unfinalise`, page Roster.
- what is not in yet before a decision: :func:`open_reviews`; CLI `select`, pages
  Selection, Roster.
- applicants short of reviewers: :meth:`ReviewProgress.short`; one more reviewer:
  :func:`add_reviewer`; pages Reviewers & assignments, Committee.
- offers after the decision: :func:`create_offers` (one per member of the final run),
  :func:`record_answer`, :func:`offer_plan` (who takes the declined seats, every rule kept),
  :func:`fill_offers` (the plan recorded as a run, its offers made), :func:`list_offers`,
  :func:`offer_statuses`; CLI `offers`, page Offers (and the Roster page's statuses).
- finalise from the CLI: :func:`finalise_cycle` (the Roster page's rule on open reviews);
  CLI `select --final`.
- one application with its reviews, flags and history: :func:`application_view`; every
  table of applicants in the dashboard.
- decision letters: :func:`letter_recipients` (who gets which letter: the one place outcomes
  are read), :func:`cycle_templates`, :func:`save_template`, :func:`preview_letter`,
  :func:`render_to_folder`, :func:`send_letters`, :func:`sent_letters`,
  :func:`release_interrupted`; CLI `letters`, page Letters.

Each module imports what it needs; the heavy libraries (SQLAlchemy, PuLP, openpyxl) are
loaded only by the function that uses them, so a CLI command that needs none starts fast.
"""

from __future__ import annotations

from selector.models import SecondYears
from selector.workflow.accounts import (
    Account,
    disable_account,
    enable_account,
    list_accounts,
    reset_password,
)
from selector.workflow.applicants import ApplicantStatus, applicant_statuses, set_withdrawn
from selector.workflow.application import (
    ApplicationView,
    ReviewLine,
    add_reviewer,
    application_view,
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
from selector.workflow.attachments import AttachmentView, attachment_views, import_attachments
from selector.workflow.cycles import create_cycle, read_config
from selector.workflow.decide import (
    CycleDecision,
    FileDecision,
    assess,
    decide_cycle,
    decide_files,
    decision_json,
    finalise_cycle,
    settle,
)
from selector.workflow.letters import (
    LetterRun,
    LetterTemplates,
    cycle_templates,
    letter_recipients,
    preview_letter,
    release_interrupted,
    render_to_folder,
    save_template,
    send_letters,
    sent_letters,
)
from selector.workflow.offers import (
    Fill,
    Plan,
    Seat,
    create_offers,
    fill_offers,
    final_run,
    list_offers,
    offer_plan,
    offer_statuses,
    record_answer,
)
from selector.workflow.progress import (
    OpenReviews,
    ReviewerProgress,
    ReviewProgress,
    open_reviews,
    open_reviews_of,
    review_progress,
)
from selector.workflow.report import decision_report, report_pdf, scenario_report
from selector.workflow.reviews import (
    declare_conflict,
    keep_scores,
    own_conflicts,
    take_back_conflict,
)
from selector.workflow.robustness import robustness_rows, scenario_robustness, scenario_seed
from selector.workflow.roster import RosterResult, roster_of_final_run
from selector.workflow.runs import Verification, find_run, list_runs, verify_run
from selector.workflow.scenario import (
    Scenario,
    decide_scenario,
    finalise_scenario,
    locks_differ,
    lottery_notice,
    min_per_value_text,
    scenario_config,
    scenario_config_text,
    stale_reason,
    unfinalise,
)
from selector.workflow.scores import ScoreExport, ScoreImport, export_scores, import_scores
from selector.workflow.stages import StageStatus, stage_status
from selector.workflow.start import Started, demo_coordinator, start_real_use
from selector.workflow.track import (
    COMPOSITION_FIELDS,
    Composition,
    accepted_members,
    composition,
    current_trainees,
    earlier_applications,
    second_years,
)

__all__ = [
    "COMPOSITION_FIELDS",
    "Account",
    "ApplicantStatus",
    "ApplicationView",
    "AttachmentView",
    "Composition",
    "CycleDecision",
    "FileDecision",
    "Fill",
    "LetterRun",
    "LetterTemplates",
    "OpenReviews",
    "Plan",
    "ReviewLine",
    "ReviewProgress",
    "ReviewerProgress",
    "RosterResult",
    "Scenario",
    "ScoreExport",
    "ScoreImport",
    "Seat",
    "SecondYears",
    "StageStatus",
    "Started",
    "Verification",
    "accepted_members",
    "add_reviewer",
    "applicant_statuses",
    "application_view",
    "assess",
    "attachment_views",
    "composition",
    "create_cycle",
    "create_offers",
    "current_trainees",
    "cycle_templates",
    "decide_cycle",
    "decide_files",
    "decide_scenario",
    "decision_json",
    "decision_report",
    "declare_conflict",
    "demo_coordinator",
    "disable_account",
    "earlier_applications",
    "enable_account",
    "export_scores",
    "fill_offers",
    "final_run",
    "finalise_cycle",
    "finalise_scenario",
    "find_run",
    "import_applications",
    "import_attachments",
    "import_scores",
    "import_target",
    "keep_scores",
    "letter_recipients",
    "list_accounts",
    "list_offers",
    "list_runs",
    "locks_differ",
    "lottery_notice",
    "mass_withdrawal",
    "merge_applicants",
    "min_per_value_text",
    "offer_plan",
    "offer_statuses",
    "open_reviews",
    "open_reviews_of",
    "own_conflicts",
    "preview_import",
    "preview_letter",
    "preview_rows",
    "preview_text",
    "read_config",
    "record_answer",
    "release_interrupted",
    "render_to_folder",
    "report_pdf",
    "reset_password",
    "review_progress",
    "robustness_rows",
    "roster_of_final_run",
    "save_template",
    "scenario_config",
    "scenario_config_text",
    "scenario_report",
    "scenario_robustness",
    "scenario_seed",
    "second_years",
    "send_letters",
    "sent_letters",
    "set_withdrawn",
    "settle",
    "stage_status",
    "stale_reason",
    "start_real_use",
    "take_back_conflict",
    "unfinalise",
    "verify_run",
]
