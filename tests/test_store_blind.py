"""Blind review in the store: a reviewer sees and names applicants only by pseudonym."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from selector.auth import User
from selector.errors import PermissionDenied
from selector.intake import email_id
from selector.models import Review
from selector.store import Store, make_engine, migrate
from tests.test_store import CONFIG, full_scores, intake, make_rows


def blind_cycle(store: Store, people: dict[str, User]) -> list[str]:
    """Cycle "blind" with three applicants without an ID cell (ids made from e-mails), all
    assigned to r1; returns their applicant ids."""
    coord, r1 = people["coordinator"], people["r1"]
    rows = [{**row, "ID": ""} for row in make_rows(3)]
    store.create_cycle(coord, "blind", CONFIG, blind=True)
    store.import_applications(coord, "blind", intake(rows))
    real = [a.applicant_id for a in store.applicants(coord, "blind")]
    assert real == sorted(email_id(r["Email"]) for r in rows)
    store.set_assignments(coord, "blind", [(a, r1.email) for a in real])
    return real


def test_a_blind_reviewer_never_sees_an_id_made_from_an_email(
    store: Store, people: dict[str, User]
) -> None:
    real = blind_cycle(store, people)
    r1 = people["r1"]
    first = store.applicants(r1, "blind")[0].applicant_id
    store.save_review(r1, "blind", Review(first, r1.email, full_scores(4)))
    store.declare_conflict(r1, "blind", store.applicants(r1, "blind")[0].applicant_id, "knows")
    seen = [
        *(a.applicant_id for a in store.applicants(r1, "blind")),
        *(a.name for a in store.applicants(r1, "blind")),
        *(r.applicant_id for r in store.reviews(r1, "blind")),
        *(a for a, _ in store.assignments(r1, "blind")),
        *(c.applicant_id for c in store.conflicts(r1, "blind")),
    ]
    assert len(seen) >= 8  # two applicants, two reviews, assignments and the conflict
    assert not any(r in s for r in real for s in seen)


def test_reviews_and_conflicts_by_pseudonym_reach_the_right_applicant(
    store: Store, people: dict[str, User]
) -> None:
    real = blind_cycle(store, people)
    coord, r1 = people["coordinator"], people["r1"]
    by_email = {a.email: a.applicant_id for a in store.applicants(coord, "blind")}
    shown = {a.applicant_id: a for a in store.applicants(r1, "blind")}
    # The reviewer reads the first applicant's essay under a pseudonym and scores it.
    pseudonym = next(p for p, a in shown.items() if a.answers == {"Why DEI": "essay 1"})
    store.save_review(r1, "blind", Review(pseudonym, r1.email, full_scores(5)))
    assert store.review(r1, "blind", pseudonym) is not None
    assert store.review(r1, "blind", pseudonym).applicant_id == pseudonym  # type: ignore[union-attr]
    (chair_view,) = [r for r in store.reviews(coord, "blind") if r.reviewer == r1.email]
    assert chair_view.applicant_id == by_email["person1@example.org"] in real
    assert store.audit_log(coord, "blind")[-1].target == f"{chair_view.applicant_id} {r1.email}"

    other = next(p for p in shown if p != pseudonym)
    store.declare_conflict(r1, "blind", other, "a colleague")
    (conflict,) = store.conflicts(coord, "blind")
    assert conflict.applicant_id in real and conflict.applicant_id != chair_view.applicant_id
    assert other not in {a.applicant_id for a in store.applicants(r1, "blind")}


def test_a_blind_reviewer_cannot_name_an_applicant_by_its_id(
    store: Store, people: dict[str, User]
) -> None:
    real = blind_cycle(store, people)
    r1 = people["r1"]
    with pytest.raises(PermissionDenied, match="no applicant"):
        store.applicant(r1, "blind", real[0])
    with pytest.raises(PermissionDenied, match="no applicant"):
        store.save_review(r1, "blind", Review(real[0], r1.email, full_scores(3)))
    with pytest.raises(PermissionDenied, match="no applicant"):
        store.declare_conflict(r1, "blind", real[0])
    assert store.review(r1, "blind", real[0]) is None


def test_pseudonyms_last_across_reopening_and_differ_between_databases(
    store: Store, people: dict[str, User], tmp_path: object
) -> None:
    blind_cycle(store, people)
    r1 = people["r1"]
    before = [a.applicant_id for a in store.applicants(r1, "blind")]
    with Store(store.url) as again:
        assert [a.applicant_id for a in again.applicants(r1, "blind")] == before
    with Store(f"sqlite:///{tmp_path}/other.db") as other:
        assert other._pseudonym_key != store._pseudonym_key


def test_the_migration_makes_one_32_byte_secret_per_database(empty_url: str) -> None:
    engine = make_engine(empty_url)
    migrate(engine, "0002")
    migrate(engine)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT name, value FROM store_secrets")).all()
    engine.dispose()
    assert [name for name, _ in rows] == ["pseudonym"] and len(bytes(rows[0][1])) == 32
