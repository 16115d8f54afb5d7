"""Schema migrations: a database made by the first schema (revision 0001) upgrades to the
newest without losing anything, and the models match what the migrations build."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

import selector.store.engine as store_module
from selector.auth import hash_password
from selector.config import DEFAULT_CONFIG_PATH
from selector.store import (
    Base,
    Store,
    current_revision,
    head_revision,
    make_engine,
    migrate,
)

CONFIG = DEFAULT_CONFIG_PATH.read_text(encoding="utf-8")
SCORES = (
    '{"awareness": 4, "reflection": 3, "empowerment": 5, "action": 2, "leadership": 4, '
    '"project": 3, "commitment": 5}'
)


def fill_first_schema(url: str) -> None:
    """Data as release 1 (schema 0001) wrote it: raw SQL, no models."""
    engine = make_engine(url)
    migrate(engine, "0001")
    now = dt.datetime(2026, 1, 15, 9, 30)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO users (email, name, role, program, password_hash, created_at) "
                "VALUES ('rev@example.org', 'Rev Iewer', 'reviewer', 'Program 9', :h, :t)"
            ),
            {"h": hash_password("old-password"), "t": now},
        )
        conn.execute(
            text(
                "INSERT INTO cycles (name, config_text, blind, avoid_own_program, created_at)"
                " VALUES ('2025', :c, :no, :yes, :t)"
            ),
            {"c": CONFIG, "t": now, "no": False, "yes": True},
        )
        for i in (1, 2, 3):
            conn.execute(
                text(
                    "INSERT INTO applicants (cycle_id, applicant_id, name, email, pgy, "
                    "specialty, program, pgy1_approved, answers, source_row, withdrawn, "
                    "created_at, updated_at) VALUES (1, :aid, :name, :email, 2, "
                    "'Psychiatry', 'Program 1', :no, '{\"Essay\": \"text\"}', :row, :w, :t, :t)"
                ),
                {
                    "aid": f"A00{i}",
                    "name": f"Oldperson {i}",
                    "email": f"old{i}@example.org",
                    "row": i + 1,
                    "w": i == 3,
                    "t": now,
                    "no": False,
                },
            )
        conn.execute(
            text(
                "INSERT INTO assignments (applicant_pk, reviewer_id, kind, created_at) "
                "VALUES (1, 1, 'auto', :t)"
            ),
            {"t": now},
        )
        conn.execute(
            text(
                "INSERT INTO reviews (applicant_pk, reviewer_id, scores, comment, conflict, "
                "created_at, updated_at) VALUES (1, 1, :s, 'strong', :no, :t, :t), "
                "(3, 1, :s, 'withdrawn later', :no, :t, :t), (2, 1, '{}', '', :yes, :t, :t)"
            ),
            {"s": SCORES, "t": now, "no": False, "yes": True},
        )
        conn.execute(
            text(
                "INSERT INTO runs (cycle_id, actor, created_at, config_text, input_hash, "
                "decision) VALUES (1, 'system', :t, :c, :h, '{\"selected\": [\"A001\"]}')"
            ),
            {"t": now, "c": CONFIG, "h": "0" * 64},
        )
        conn.execute(
            text(
                "INSERT INTO audit_log (at, actor, cycle_id, action, target, old, new) "
                "VALUES (:t, 'system', 1, 'import', '2025', NULL, '{\"added\": 3}')"
            ),
            {"t": now},
        )
    engine.dispose()


def test_first_schema_database_upgrades_to_head_without_loss(backend: str, empty_url: str) -> None:
    fill_first_schema(empty_url)
    engine = make_engine(empty_url)
    assert current_revision(engine) == "0001"
    engine.dispose()

    store = Store(empty_url)
    assert current_revision(store.engine) == head_revision() != "0001"
    system = store.system_user()
    assert store.authenticate("rev@example.org", "old-password") is not None
    assert [a.applicant_id for a in store.applicants(system, "2025")] == ["A001", "A002"]
    assert store.withdrawn(system, "2025") == ["A003"]
    assert store.applicant(system, "2025", "A001").answers == {"Essay": "text"}
    reviews = {r.applicant_id: r for r in store.reviews(system, "2025")}
    assert set(reviews) == {"A001", "A002", "A003"}
    assert reviews["A001"].scores["empowerment"] == 5 and reviews["A001"].comment == "strong"
    assert reviews["A002"].conflict
    assert store.conflicts(system, "2025")[0].reason == ""  # new column, filled for old rows
    assert store.assignments(system, "2025") == [("A001", "rev@example.org")]
    (run,) = store.runs(system, "2025")
    assert run.decision == {"selected": ["A001"]} and run.final is False
    assert store.audit_log(system, "2025")[0].new == {"added": 3}

    # The upgraded database takes new data in the new columns.
    store.declare_conflict(
        system, "2025", "A001", "now a colleague", reviewer_email="rev@example.org"
    )
    assert store.conflicts(system, "2025")[0].reason == "now a colleague"
    if backend == "sqlite":
        with store.engine.connect() as conn:
            assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
            assert conn.execute(text("PRAGMA foreign_key_check")).all() == []
    store.close()


def test_models_match_the_migrated_schema(empty_url: str) -> None:
    with Store(empty_url) as store, store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_opening_an_up_to_date_database_runs_no_migration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    Store(url).close()

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("migrate() called on an up-to-date database")

    monkeypatch.setattr(store_module, "migrate", refuse)
    Store(url).close()


def test_head_and_known_revisions_read_from_the_files_agree_with_alembic() -> None:
    from alembic.script import ScriptDirectory

    from selector.store import known_revisions
    from selector.store.engine import _alembic_config

    scripts = ScriptDirectory.from_config(_alembic_config())
    assert head_revision() == scripts.get_current_head()
    assert known_revisions() == {s.revision for s in scripts.walk_revisions()}


def test_opening_an_up_to_date_store_loads_neither_alembic_nor_the_demo_seeding(
    tmp_path: Path,
) -> None:
    import subprocess
    import sys

    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    Store(url).close()
    code = (
        "import sys; from selector.store import Store; Store(sys.argv[1]).close(); "
        "print(sorted(m for m in sys.modules if m.startswith(('alembic', 'selector.seed'))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, url], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def test_revision_0010_puts_old_reviews_assignments_and_runs_in_the_first_stage(
    backend: str, empty_url: str
) -> None:
    from sqlalchemy.exc import IntegrityError

    fill_first_schema(empty_url)
    engine = make_engine(empty_url)
    migrate(engine, "0005")
    migrate(engine, "0010")
    with engine.connect() as conn:
        for table in ("reviews", "assignments", "runs"):
            stages = conn.execute(text(f"SELECT DISTINCT stage FROM {table}")).scalars().all()
            assert stages == [""], table
    # The same reviewer may now review the same applicant once per stage, not twice in one.
    insert = text(
        "INSERT INTO reviews (applicant_pk, reviewer_id, scores, comment, conflict, "
        "conflict_reason, created_at, updated_at, stage) "
        "VALUES (1, 1, '{}', '', :no, '', :t, :t, :stage)"
    )
    now = dt.datetime(2026, 2, 1)
    with engine.begin() as conn:
        conn.execute(insert, {"no": False, "t": now, "stage": "interview"})
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(insert, {"no": False, "t": now, "stage": ""})
    engine.dispose()
    store = Store(empty_url)
    system = store.system_user()
    old = [r for r in store.reviews(system, "2025") if r.applicant_id == "A001"]
    assert [(r.comment, r.stage) for r in old] == [("strong", "")]  # the first stage's only
    assert len(store.reviews(system, "2025", every_stage=True)) == 4
    store.close()


def test_revision_0007_adds_the_letter_tables_and_takes_them_back(
    backend: str, empty_url: str
) -> None:
    """A database at 0005 (with data) upgrades to 0007: its data kept, the letter templates and
    the record of letters sent usable; a downgrade to 0006 (the revision before) drops the two
    tables alone."""
    from alembic import command
    from sqlalchemy import inspect

    from selector.store.engine import _alembic_config

    fill_first_schema(empty_url)
    engine = make_engine(empty_url)
    migrate(engine, "0005")
    assert not inspect(engine).has_table("letters_sent")
    migrate(engine, "0007")
    assert {"letter_templates", "letters_sent"} <= set(inspect(engine).get_table_names())
    engine.dispose()

    with Store(empty_url) as store:
        system = store.system_user()
        assert [a.applicant_id for a in store.applicants(system, "2025")] == ["A001", "A002"]
        store.save_letter_template(system, "2025", "invitation", "Subject: x\n\nDear {{ name }}")
        assert store.claim_letter(system, "2025", "A001", "invitation", "old1@example.org")
        assert not store.claim_letter(system, "2025", "A001", "invitation", "old1@example.org")
        store.letter_sent(system, "2025", "A001", "invitation", "<m1@example.org>")
        (sent,) = store.letters_sent(system, "2025")
        assert (sent.applicant_id, sent.status, sent.message_id) == (
            "A001",
            "sent",
            "<m1@example.org>",
        )
        assert store.letter_templates(system, "2025") == {
            "invitation": "Subject: x\n\nDear {{ name }}"
        }

    engine = make_engine(empty_url)
    with engine.begin() as conn:
        command.downgrade(_alembic_config(conn), "0006")
    tables = set(inspect(engine).get_table_names())
    assert not tables & {"letter_templates", "letters_sent"}
    assert {"applicants", "review_drafts", "runs", "offers"} <= tables
    engine.dispose()


def test_existing_cycles_land_in_one_track_named_by_the_newest_config(
    backend: str, empty_url: str
) -> None:
    """Revision 0008 on a database of the schema before it: every cycle, with its data, in
    one track named by the newest cycle's ``[track] name``; new cycles join it."""
    fill_first_schema(empty_url)
    engine = make_engine(empty_url)
    migrate(engine, "0005")
    renamed = CONFIG.replace('name = "DEI Leadership Track"', 'name = "Leadership Track"')
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO cycles (name, config_text, blind, avoid_own_program, created_at)"
                " VALUES ('2026', :c, :no, :yes, :t)"
            ),
            {"c": renamed, "t": dt.datetime(2026, 9, 1), "no": False, "yes": True},
        )
    engine.dispose()

    store = Store(empty_url)
    assert current_revision(store.engine) == head_revision()
    system = store.system_user()
    assert store.tracks() == ["Leadership Track"]
    assert {c.name: c.track for c in store.cycles()} == {
        "2025": "Leadership Track",
        "2026": "Leadership Track",
    }
    assert [a.applicant_id for a in store.applicants(system, "2025")] == ["A001", "A002"]
    (run,) = store.runs(system, "2025")
    assert run.decision == {"selected": ["A001"]}
    assert store.previous_cycle("2026") == store.cycle("2025")
    made = store.create_cycle(system, "2027", CONFIG)
    assert made.track == "Leadership Track"  # the newest cycle's track, not the config's name
    assert store.tracks() == ["Leadership Track"]
    store.close()


def test_a_database_without_cycles_gets_no_track(empty_url: str) -> None:
    engine = make_engine(empty_url)
    migrate(engine, "0005")
    engine.dispose()
    with Store(empty_url) as store:
        assert store.tracks() == []


def test_revision_0011_keeps_old_drafts_in_the_first_stage_and_takes_stages_back(
    backend: str, empty_url: str
) -> None:
    """A draft made before 0011 lands in the first stage; a reviewer may then keep one draft
    per stage of one applicant; a downgrade drops the later stages' drafts alone."""
    from alembic import command
    from sqlalchemy.exc import IntegrityError

    from selector.store.engine import _alembic_config

    fill_first_schema(empty_url)
    engine = make_engine(empty_url)
    migrate(engine, "0010")
    insert = text(
        "INSERT INTO review_drafts (applicant_pk, reviewer_id, scores, comment, updated_at"
        "{extra}) VALUES (1, 1, '{{}}', :comment, :t{value})"
    )
    now = dt.datetime(2026, 2, 1)
    with engine.begin() as conn:
        conn.execute(text(insert.text.format(extra="", value="")), {"comment": "old", "t": now})
    migrate(engine, "0011")
    with_stage = text(insert.text.format(extra=", stage", value=", :stage"))
    with engine.begin() as conn:
        assert conn.execute(text("SELECT stage FROM review_drafts")).scalars().all() == [""]
        conn.execute(with_stage, {"comment": "talk", "t": now, "stage": "interview"})
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(with_stage, {"comment": "again", "t": now, "stage": "interview"})
    with engine.begin() as conn:
        command.downgrade(_alembic_config(conn), "0010")
    with engine.connect() as conn:
        kept = conn.execute(text("SELECT comment FROM review_drafts")).scalars().all()
    assert kept == ["old"]
    engine.dispose()
