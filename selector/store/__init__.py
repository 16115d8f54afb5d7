"""Persistence of the review workflow (SQLAlchemy 2.x), with the role checks in one place.

Where the data lives: ``Store(url)``, else ``$SELECTOR_DB``, else the SQLite file
``./var/selector.db`` under the current directory. Any SQLAlchemy URL works
(``postgresql+psycopg://...``); see :mod:`selector.store.engine` for SQLite's settings. Opening
a store upgrades its schema to the newest Alembic revision (``selector/migrations``), so a later
release keeps an existing database; one already there is opened without loading Alembic.

One :class:`Store` facade, one module per concern behind it::

    schema.py       the ORM rows (tables)
    engine.py       URLs, engines and SQLite pragmas, schema revisions and migrating
    core.py         StoreCore: engine, transactions, secrets, shared lookups, the audit entry
    access.py       who may see which applicant (assignment, conflicts, blind pseudonyms)
    users.py        accounts, passwords, roles, throttled logins, the end of the demo logins
    cycles.py       cycles and their configs; the demo cycle refuses real data
    applicants.py   import planning and applying, reading, withdrawing and restoring
    assignments.py  assigning reviewers, manual overrides
    reviews.py      saving and reading reviews, conflicts of interest
    drafts.py       a reviewer's part-scored reviews, kept until the review is saved
    runs.py         selection inputs and their hash, recorded runs, the audit log
    offers.py       offers of seats from a final run, their answers, the fills of declined seats
    attachments.py  applicants' files: importing a zip, reading them under the role rules
    letters.py      letter templates per cycle, the record of each letter sent
    tracks.py       tracks: a cycle's year before, final cohorts, earlier applications

Every method that reads or writes applicant data takes the acting :class:`~selector.auth.User`
first and checks its role here, not in the UI (see :mod:`selector.auth`). In a blind cycle a
reviewer sees and names applicants only by pseudonym (:func:`selector.blind.pseudonyms`, keyed
with a secret kept in the database), never by applicant id. ``cycle`` arguments
are a cycle name, or ``None`` for the newest cycle.

Public API::

    Store(url=None) (also a context manager: closes its pool); store.url; store.system_user()
    add_user(actor, email, name, role, password, program="") -> User
    set_password(actor, email, password); disable_login(actor, email) -> bool
    disable_logins(actor, emails) -> int; login_enabled(email) -> bool
    reset_password(actor, email) -> str; enable_login(actor, email) -> str  (one-time password)
    login_disabled(email) -> bool; login_states(actor) -> dict[email, login]
    set_role(actor, email, role) -> User  (the chair role and chairs' accounts: chair or CLI)
    authenticate(email, password) -> User | None; user(email) -> User | None
    single_sign_on(email, *, verified=True) -> User  (matched by e-mail; refused: PermissionDenied)
    users(actor, role=None) -> list[User]
    create_cycle(actor, name, config_text, *, blind=None, avoid_own_program=None,
                 track=None) -> Cycle  (joins the track of the newest real cycle by default)
    tracks() -> list[str]; track_cycles(track) -> list[Cycle] (oldest first, no demo)
    previous_cycle(cycle) -> Cycle | None  (the year before in its track)
    final_cohort(actor, cycle) -> list[Applicant]  (the final run's members)
    earlier_applications(actor, cycle, applicant_id) -> list[EarlierApplication]
        (the same e-mail in the track's earlier cycles; chair and coordinator only)
    cycles() -> list[Cycle]; cycle(name=None) -> Cycle
    update_cycle_config(actor, cycle, config_text) -> Cycle
    check_importable(actor, cycle) -> Cycle  (never the demo cycle)
    preview_import(actor, cycle, intake) -> ImportReport
    import_applications(actor, cycle, intake, *, create_with=None,
                        allow_mass_withdrawal=False) -> ImportReport
    merge_applicants(actor, cycle, keep_id, other_id) -> MergeReport  (one person, two records)
    applicants(actor, cycle, *, include_withdrawn=False) -> list[Applicant]
    applicant(actor, cycle, applicant_id) -> Applicant
    withdraw_applicant / restore_applicant(actor, cycle, applicant_id)
    assign(actor, cycle, k=None) -> AssignmentReport
    set_assignment(actor, cycle, applicant_id, reviewer_email, assigned)
    set_assignments(actor, cycle, pairs, assigned=True)
    assignments(actor, cycle) -> list[(applicant_id, reviewer_email)]
    save_review(actor, cycle, review); save_reviews(actor, cycle, reviews, *, new_reviewers=())
        -> int
    review(actor, cycle, applicant_id, reviewer_email=None) -> Review | None
    reviews(actor, cycle) -> list[Review]
    declare_conflict(actor, cycle, applicant_id, reason="", *, reviewer_email=None, declared=True)
    conflicts(actor, cycle) -> list[Conflict]
    save_draft(actor, cycle, applicant_id, scores, comment=""); discard_draft(...) -> bool
    draft(actor, cycle, applicant_id) -> Draft | None; drafts(actor, cycle) -> {id: Draft}
    start_real_use(actor, coordinator, chair, cycle, config_text) -> (coordinator, chair, Cycle)
    selection_inputs(actor, cycle) -> (applicants, reviews)
    record_run(actor, cycle, *, config_text, decision, final=False, input_hash=None,
               inputs=None) -> int
    runs(actor, cycle) -> list[Run]  (an undone final run: final False, unfinalised True)
    unfinalise(actor, cycle, reason="") -> run id  (audited "run.unfinalise"; the chair)
    reviewer_options(actor, cycle, applicant_id) -> [(e-mail, load)]  (eligible to add)
    applicant_history(actor, cycle, applicant_id) -> list[AuditEntry]
    import_attachments(actor, cycle, archive) -> AttachmentReport  (one transaction)
    applicant_files(actor, cycle, applicant_id, *, history=False) -> ApplicantFiles
        (a reviewer: assigned only; blind: scrubbed names and the identity to cover)
    attachment_counts(actor, cycle) -> {applicant id: files}
    data_version() -> (count, last id) of the audit log
    letter_templates(actor, cycle) -> {outcome: text}  (edited ones; coordinator and chair)
    save_letter_template(actor, cycle, outcome, text)  (audited "letter.template")
    claim_letter(actor, cycle, applicant_id, outcome, address) -> bool  (False: sent already)
    letter_sent(actor, cycle, applicant_id, outcome, message_id); release_letter(...)
    release_interrupted(actor, cycle, applicant_id, outcome) -> bool  (audited; a checked claim)
    letters_sent(actor, cycle) -> list[SentLetter]
    audit_log(actor, cycle=None, *, newest=None) -> list[AuditEntry]
    offers(actor, cycle) -> list[Offer]  (in the order made)
    make_offers(actor, cycle, run_id, applicant_ids, *, deadline=None, replaces=None)
        -> list[Offer]  (coordinator or chair; audited "offer.make")
    record_answer(actor, cycle, applicant_id, status, *, no_answer=False, today=None) -> Offer
        (audited "offer.answer")
"""

from __future__ import annotations

from selector.demo_accounts import DEMO_CYCLE
from selector.store.applicants import ImportReport, MergeReport, mass_withdrawal
from selector.store.assignments import AssignmentReport, AssignmentsMixin
from selector.store.attachments import (
    ApplicantFiles,
    Attachment,
    AttachmentReport,
    AttachmentsMixin,
)
from selector.store.cycles import Cycle, NewAccount
from selector.store.drafts import Draft, DraftsMixin
from selector.store.engine import (
    DEFAULT_PATH,
    MIGRATION_LOCK_KEY,
    MIGRATIONS_DIR,
    READ_ONLY_OPTION,
    SQLITE_BUSY_TIMEOUT_MS,
    current_revision,
    default_url,
    head_revision,
    known_revisions,
    make_engine,
    migrate,
)
from selector.store.letters import LettersMixin, SentLetter
from selector.store.offers import Offer, OffersMixin
from selector.store.reviews import Conflict
from selector.store.runs import (
    AuditEntry,
    Run,
    input_hash,
    inputs_from_json,
    inputs_json,
)
from selector.store.schema import (
    ApplicantRow,
    AssignmentRow,
    AttachmentRow,
    AuditRow,
    Base,
    CycleRow,
    DraftRow,
    LetterSentRow,
    LetterTemplateRow,
    OfferRow,
    ReviewRow,
    RunRow,
    SecretRow,
    TrackRow,
    UserRow,
)
from selector.store.tracks import EarlierApplication, TracksMixin

__all__ = [
    "DEFAULT_PATH",
    "DEMO_CYCLE",
    "MIGRATIONS_DIR",
    "MIGRATION_LOCK_KEY",
    "READ_ONLY_OPTION",
    "SQLITE_BUSY_TIMEOUT_MS",
    "ApplicantFiles",
    "ApplicantRow",
    "AssignmentReport",
    "AssignmentRow",
    "Attachment",
    "AttachmentReport",
    "AttachmentRow",
    "AuditEntry",
    "AuditRow",
    "Base",
    "Conflict",
    "Cycle",
    "CycleRow",
    "Draft",
    "DraftRow",
    "EarlierApplication",
    "ImportReport",
    "LetterSentRow",
    "LetterTemplateRow",
    "MergeReport",
    "NewAccount",
    "Offer",
    "OfferRow",
    "ReviewRow",
    "Run",
    "RunRow",
    "SecretRow",
    "SentLetter",
    "Store",
    "TrackRow",
    "UserRow",
    "current_revision",
    "default_url",
    "head_revision",
    "input_hash",
    "inputs_from_json",
    "inputs_json",
    "known_revisions",
    "make_engine",
    "mass_withdrawal",
    "migrate",
]


class Store(
    TracksMixin, AssignmentsMixin, DraftsMixin, OffersMixin, AttachmentsMixin, LettersMixin
):
    """The review workflow's database. See the module docstring for the API."""
