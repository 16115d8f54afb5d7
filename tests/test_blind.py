"""Blind review: which answers a blind reviewer sees, and pseudonyms nobody can recompute."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from selector.blind import HIDDEN, Identity, normalize, pseudonyms
from selector.models import Applicant


def blind_view(answer: str, name: str, email: str = "", program: str = "") -> str | None:
    """The statement as a blind reviewer sees it: the answer, HIDDEN, or None (not shown)."""
    a = Applicant("A001", name, email, 2, "Neurology", program, answers={"Statement": answer})
    return a.reviewer_answers(blind=True).get("Statement")


@pytest.mark.parametrize(
    ("name", "answer"),
    [
        ("Ngozi Okafor", "I am Ngozi  Okafor, a PGY-2."),  # two spaces
        ("José Núñez", "Jose Nunez here, from the night shift."),  # accents dropped
        ("Mary-Jane O'Neil", "Mary Jane O’Neil led it."),  # hyphen and curly apostrophe
        ("Mary-Jane O'Neil", "Ask Dr. ONeil about it."),  # apostrophe left out
        ("Mary-Jane O'Neil", "Maryjane started the group."),
        ("Ann Smith", "Smith is kind to every patient."),  # a surname alone
        ("Ann Smith", "SMITH, A. (2024) Equity rounds."),
        ("Bo Łukasz", "Lukasz wrote the curriculum."),  # a letter NFKD does not split
        ("Ann Lee", "See Ann_Lee_CV.pdf for details."),  # a file name with the name
    ],
)
def test_answers_naming_the_applicant_in_any_spelling_are_not_shown(name: str, answer: str) -> None:
    assert blind_view(answer, name, "someone@example.org") != answer


@pytest.mark.parametrize(
    "answer",
    [
        "My CV is in resume_final.pdf",
        "Photo: IMG_2041.JPG",
        "Letter attached (letter.docx).",
        "https://www.linkedin.com/in/someone-md",
        "linkedin.com/in/someone-md",
        "See www.example.org for the project.",
        "Follow me @bobsmith_md for updates.",
        "Reach me at other.person@example.net",
        "![x](https://evil.example/t.png)",
    ],
)
def test_links_handles_addresses_and_file_names_are_hidden_with_a_note(answer: str) -> None:
    assert blind_view(answer, "Ann Lee", "ann.lee@example.org") == HIDDEN


@pytest.mark.parametrize(
    ("answer", "shown"),
    [
        ("My name is Ann Lee.", None),  # the full name: dropped, as before
        ("Write to ANN.LEE@example.org", None),  # the e-mail
        ("At Lantern Bay Health we started a clinic.", HIDDEN),  # the program
        ("I like the smithy at the fair.", "I like the smithy at the fair."),  # not a word match
        ("Annual reports and leeway.", "Annual reports and leeway."),
        ("Lee sides of the hills.", HIDDEN),  # a surname alone, whatever it means here
        ("I led a project on access to care.", "I led a project on access to care."),
        ("Results: 3.5 out of 5, e.g. better.", "Results: 3.5 out of 5, e.g. better."),
    ],
)
def test_what_a_blind_reviewer_reads(answer: str, shown: str | None) -> None:
    assert blind_view(answer, "Ann Lee", "ann.lee@example.org", "Lantern Bay Health") == shown


def test_identity_questions_stay_hidden_and_other_answers_stay_as_written() -> None:
    a = Applicant(
        "A001",
        "Ann Lee",
        "ann.lee@example.org",
        2,
        "Neurology",
        answers={"Preferred name": "Annie", "Project": "Lee taught me", "Goal": "Teach"},
    )
    assert a.reviewer_answers(blind=True) == {"Project": HIDDEN, "Goal": "Teach"}
    assert a.reviewer_answers() == a.answers


@pytest.mark.parametrize(
    ("text", "normal"),
    [
        ("José  Núñez", "jose nunez"),
        ("Mary‐Jane O’Neil", "mary jane o neil"),  # U+2010 hyphen, U+2019 apostrophe
        ("ANN_LEE.cv", "ann lee cv"),
        ("Straße", "strasse"),
    ],
)
def test_normalize(text: str, normal: str) -> None:
    assert normalize(text) == normal


def test_short_name_parts_alone_are_not_words_of_the_identity() -> None:
    assert "li" not in Identity.of("Wei Li").words  # would hide every "li" in any answer


# -- Property: any spelling of a name, anywhere in an answer, is never shown.

_LETTERS = st.sampled_from(list("abcdefghijklmnopqrstuvwxyzéíóúñüçøåäößłæ"))
_PART = st.lists(_LETTERS, min_size=3, max_size=9).map("".join)
_JOINERS = st.sampled_from(["-", "'", "’", "‐"])


@st.composite
def names(draw: st.DrawFn) -> str:
    """A name of 2–3 parts with accents; some parts joined by a hyphen or an apostrophe."""
    parts = draw(st.lists(_PART, min_size=2, max_size=3))
    out = parts[0].capitalize()
    for part in parts[1:]:
        out += draw(st.sampled_from([" ", *draw(st.lists(_JOINERS, min_size=1, max_size=1))]))
        out += part.capitalize()
    return out


def _strip_accents(text: str) -> str:
    import unicodedata

    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


@st.composite
def variants(draw: st.DrawFn, name: str) -> str:
    """The name as someone might retype it: case, accents, separators, one part alone."""
    words = normalize(name).split()
    choice = draw(st.sampled_from(["full", "part", "typed"]))
    if choice == "part":
        return draw(st.sampled_from([w for w in words if len(w) >= 3]))
    text = name if choice == "typed" else " ".join(words)
    if draw(st.booleans()):
        text = _strip_accents(text)
    if draw(st.booleans()):
        text = text.upper()
    seps = draw(st.sampled_from([" ", "  ", "-", "_", ".", "’"]))
    return seps.join(text.split()) if choice == "full" else text


@given(data=st.data())
def test_no_variant_of_a_name_is_ever_shown(data: st.DataObject) -> None:
    name = data.draw(names())
    variant = data.draw(variants(name))
    before = data.draw(st.sampled_from(["", "I am ", "Ask ", "(", "Dr. "]))
    after = data.draw(st.sampled_from(["", " wrote this.", ", PGY-2", ")", "'s project"]))
    answer = before + variant + after
    assert blind_view(answer, name, "x@example.org") in (None, HIDDEN)


# -- Pseudonyms


def test_pseudonyms_are_stable_distinct_and_need_the_secret() -> None:
    ids = [f"A{i:03d}" for i in range(500)]
    one = pseudonyms(b"k" * 32, "2026", ids)
    assert one == pseudonyms(b"k" * 32, "2026", reversed(ids))  # stable
    assert len(set(one.values())) == len(ids)
    assert one != pseudonyms(b"j" * 32, "2026", ids)  # another database, other pseudonyms
    assert one["A001"] != pseudonyms(b"k" * 32, "2027", ids)["A001"]  # another cycle too


def test_a_pseudonym_is_not_the_plain_hash_of_the_email_or_the_id() -> None:
    email = "ann.lee@example.org"
    plain = hashlib.sha256(email.encode()).hexdigest()[:8].upper()
    shown = pseudonyms(b"s" * 32, "2026", ["E" + plain])["E" + plain]
    assert plain not in shown.replace("-", "") and "E" + plain != shown
