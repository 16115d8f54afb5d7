"""Specialty aliases: free text → canonical ACGME names, unknown text kept."""

from __future__ import annotations

import pytest

from selector.specialties import (
    alias_table,
    canonical_specialties,
    normalize_specialty,
    specialty_key,
)


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("IM", "Internal Medicine"),
        ("Internal Med", "Internal Medicine"),
        ("internal medicine", "Internal Medicine"),
        ("Internal Medicine Residency", "Internal Medicine"),
        ("Peds", "Pediatrics"),
        ("Paediatrics", "Pediatrics"),
        ("OB/GYN", "Obstetrics and Gynecology"),
        ("OBGYN", "Obstetrics and Gynecology"),
        ("Ob-Gyn", "Obstetrics and Gynecology"),
        ("Obstetrics & Gynecology", "Obstetrics and Gynecology"),
        ("Psych", "Psychiatry"),
        ("EM", "Emergency Medicine"),
        ("FM", "Family Medicine"),
        ("Surgery", "Surgery"),
        ("General Surgery", "Surgery"),
        ("Department of Surgery", "Surgery"),
        ("Anesthesia", "Anesthesiology"),
        ("Orthopedic", "Orthopaedic Surgery"),
        ("Orthopaedic", "Orthopaedic Surgery"),
        ("Orthopedic Surgery", "Orthopaedic Surgery"),
        ("PM&R", "Physical Medicine and Rehabilitation"),
        ("Med-Peds", "Internal Medicine-Pediatrics"),
        ("ENT", "Otolaryngology - Head and Neck Surgery"),
        ("Cardiology fellowship", "Cardiovascular Disease"),
        ("  Dermatology ", "Dermatology"),
    ],
)
def test_known(text: str, canonical: str) -> None:
    assert normalize_specialty(text) == (canonical, True)


@pytest.mark.parametrize(
    ("text", "kept"),
    [("Lifestyle   Medicine", "Lifestyle Medicine"), ("Wizardry", "Wizardry"), ("", "")],
)
def test_unknown_is_kept_tidied(text: str, kept: str) -> None:
    assert normalize_specialty(text) == (kept, False)


def test_every_canonical_name_matches_itself() -> None:
    names = canonical_specialties()
    assert len(names) >= 30
    for name in names:
        assert normalize_specialty(name) == (name, True)


def test_table_keys_are_comparison_keys() -> None:
    table = alias_table()
    assert all(key == specialty_key(key) for key in table)
    assert specialty_key("Dept. of OB/GYN") == "obgyn"
    assert specialty_key("Residency") == "residency"  # noise words only: keep them
