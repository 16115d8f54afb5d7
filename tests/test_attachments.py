"""Attachments: the hostile-safe zip read, matching by each form tool's layout, the store's
import (replacements kept) and access rules, blind redaction of PDFs, the CLI."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from selector.attachments import (
    DOCX,
    JPEG,
    PDF,
    PNG,
    ArchiveFile,
    Limits,
    Matcher,
    find,
    identity_terms,
    plain_path,
    read_archive,
    sniff,
    view,
    view_isolated,
)
from selector.auth import User
from selector.cli import main
from selector.errors import InputError, PermissionDenied
from selector.store import Store
from tests.attachment_files import bomb, make_docx, make_pdf, make_png, make_zip
from tests.test_store import CONFIG, intake, make_rows

NAME, EMAIL, PROGRAM = "María José Núñez", "mj.nunez@hospital.org", "St. Elsewhere Hospital"
CV_LINES = [
    f"Curriculum vitae of {NAME}",
    f"E-mail: {EMAIL}",
    "Trained at St Elsewhere Hospital",
    "Research in sepsis outcomes",
]

# ------------------------------------------------------------------ the zip, hostile or not


def test_kinds_are_sniffed_from_content_not_the_name() -> None:
    pdf, docx, png = make_pdf(["x"]), make_docx(["x"]), make_png()
    found = read_archive(
        make_zip(
            {
                "cv.txt": pdf,
                "statement.bin": docx,
                "photo.pdf": png,
                "fake.pdf": b"hello, not a pdf",
                "letter.jpg": b"\xff\xd8\xff\xe0" + b"\0" * 20,
            }
        ),
        "files.zip",
    )
    kinds = {f.path: f.media_type for f in found.files}
    assert kinds == {"cv.txt": PDF, "statement.bin": DOCX, "photo.pdf": PNG, "letter.jpg": JPEG}
    assert sniff(b"%PDF-1.7\n") == PDF and sniff(b"MZ\x90\0") is None
    assert found.refused == {"fake.pdf": "not a PDF, Word (.docx), PNG or JPEG file"}


def test_a_zip_bomb_is_stopped_at_the_budget_whatever_it_claims() -> None:
    packed = bomb(64 * 1024 * 1024)
    assert len(packed) < 1024 * 1024
    with pytest.raises(InputError) as caught:
        read_archive(packed, "bomb.zip", Limits(file_bytes=128 << 20, inflated_bytes=8 << 20))
    assert caught.value.code == "attachments_too_large_inflated"
    one_file = read_archive(packed, "bomb.zip", Limits(file_bytes=4 << 20))
    assert one_file.files == [] and one_file.refused == {"cv.pdf": "larger than 4 MB"}


def test_thousands_of_members_are_refused_before_any_is_read() -> None:
    many = make_zip({f"f{i}.pdf": b"%PDF-1.4" for i in range(3000)})
    with pytest.raises(InputError) as caught:
        read_archive(many, "many.zip")
    assert caught.value.code == "attachments_too_many_files"
    assert "3,000" in caught.value.message


def test_an_oversized_upload_and_a_non_zip_are_refused() -> None:
    with pytest.raises(InputError) as caught:
        read_archive(b"\0" * 2048, "big.zip", Limits(zip_bytes=1024))
    assert caught.value.code == "attachments_zip_too_large"
    with pytest.raises(InputError) as caught:
        read_archive(b"not a zip at all", "x.zip")
    assert caught.value.code == "attachments_unreadable"


def test_path_traversal_names_are_neutralised_and_nested_zips_not_opened() -> None:
    pdf = make_pdf(["x"])
    found = read_archive(
        make_zip(
            {
                "../../etc/A001_cv.pdf": pdf,
                "/abs/A002_cv.pdf": pdf,
                "C:\\Users\\x\\..\\A003_cv.pdf": pdf,
                "inner.zip": make_zip({"A004_cv.pdf": pdf}),
                "__MACOSX/._A001_cv.pdf": b"junk",
            }
        ),
        "evil.zip",
    )
    assert sorted(f.path for f in found.files) == [
        "Users/x/A003_cv.pdf",
        "abs/A002_cv.pdf",
        "etc/A001_cv.pdf",
    ]
    assert found.refused == {"inner.zip": "a zip inside the zip is not opened"}
    assert plain_path("..\\..\\x/./y/../z.pdf") == "x/y/z.pdf"


def test_a_docx_is_checked_under_the_same_limits() -> None:
    docx = make_docx(["word " * 20_000])
    found = read_archive(make_zip({"s.docx": docx}), "z.zip", Limits(docx_inflated_bytes=50_000))
    assert found.files == []
    assert "inflates to more than" in found.refused["s.docx"]


# ------------------------------------------------------------------ matching by layout


def _file(path: str) -> ArchiveFile:
    return ArchiveFile(path, b"%PDF-1.4", PDF)


MATCHER = Matcher(
    {"R_1abcXYZ": "R_1abcXYZ", "R_9newONE": "R_1abcXYZ", "A007": "A007", "E1A2B3C4": "E1A2B3C4"},
    {"ann.lee@example.org": "E1A2B3C4", "mj@example.org": "A007"},
)


@pytest.mark.parametrize(
    ("path", "applicant", "slot"),
    [
        ("Q12_CV/R_1abcXYZ_cv.pdf", "R_1abcXYZ", "Q12_CV"),  # Qualtrics
        ("Q14_Letter/R_9newONE_letter.pdf", "R_1abcXYZ", "Q14_Letter"),  # a re-submission
        ("7_cv_upload.pdf", "A007", "cv_upload"),  # REDCap: record id first
        ("export/Ann.Lee@Example.org_CV.pdf", "E1A2B3C4", "export"),  # e-mail in the name
        ("E1A2B3C4/statement.pdf", "E1A2B3C4", "statement"),  # applicant id as a folder
        ("statement - A007.docx", "A007", "statement"),
    ],
)
def test_each_layout_matches_its_applicant(path: str, applicant: str, slot: str) -> None:
    matched, unmatched = MATCHER.match([_file(path)])
    assert unmatched == []
    assert [(m.applicant_id, m.slot) for m in matched] == [(applicant, slot)]


@pytest.mark.parametrize(
    "path",
    [
        "Q12_CV/R_unknown_cv.pdf",
        "17_cv.pdf",  # no record 17
        "someone@else.org_cv.pdf",
        "A0071_cv.pdf",  # not the id A007 as a whole word
        "A007_and_mj@example.org_and_E1A2B3C4.pdf",  # two applicants: not guessed
    ],
)
def test_a_file_naming_no_single_applicant_is_unmatched(path: str) -> None:
    assert MATCHER.match([_file(path)]) == ([], [path])


def test_two_files_of_one_applicant_in_one_folder_get_their_own_slots() -> None:
    matched, _ = MATCHER.match(
        [_file("files/A007_cv.pdf"), _file("files/A007_statement.pdf"), _file("Q1/7.pdf")]
    )
    assert [m.slot for m in matched] == ["files/cv", "files/statement", "Q1"]


# ------------------------------------------------------------------ the store


def qualtrics_cycle(store: Store, people: dict[str, User], *, blind: bool = False) -> list[str]:
    """Cycle "att" with applicants R_1... (Qualtrics response ids) and NAME as the first;
    r1 is assigned the first, r2 the second."""
    coord = people["coordinator"]
    rows = make_rows(4)
    for i, row in enumerate(rows):
        row["ID"] = f"R_{i}qualTRX"
    rows[0].update(Name=NAME, Email=EMAIL, Program="St Elsewhere Hospital")
    store.create_cycle(coord, "att", CONFIG, blind=blind)
    store.import_applications(coord, "att", intake(rows))
    ids = [r["ID"] for r in rows]
    store.set_assignments(coord, "att", [(ids[0], people["r1"].email)])
    store.set_assignments(coord, "att", [(ids[1], people["r2"].email)])
    return ids


def qualtrics_zip(ids: list[str], cv: bytes) -> bytes:
    return make_zip(
        {
            f"Q12_CV/{ids[0]}_cv.pdf": cv,
            f"Q13_Statement/{ids[0]}_statement.docx": make_docx(["I care.", f"— {NAME}"]),
            f"Q12_CV/{ids[1]}_cv.pdf": make_pdf(["Second applicant"]),
            "Q12_CV/R_ghost_cv.pdf": make_pdf(["nobody"]),
            "Q12_CV/notes.txt": b"just text",
        }
    )


def test_import_matches_reports_and_replaces_keeping_history(
    store: Store, people: dict[str, User]
) -> None:
    coord = people["coordinator"]
    ids = qualtrics_cycle(store, people)
    cv = make_pdf(CV_LINES)
    zipped = qualtrics_zip(ids, cv)  # made once: a PDF made a second later differs (its date)
    report = store.import_attachments(coord, "att", read_archive(zipped, "q.zip"))
    assert report.to_json() == {
        "matched": 3,
        "unmatched": ["Q12_CV/R_ghost_cv.pdf"],
        "applicants_without": sorted(ids[2:]),
        "refused": {"Q12_CV/notes.txt": "not a PDF, Word (.docx), PNG or JPEG file"},
        "replaced": 0,
        "unchanged": 0,
    }
    # The same zip again changes nothing; a new CV replaces the old, which stays as history.
    again = store.import_attachments(coord, "att", read_archive(zipped, "q.zip"))
    assert (len(again.unchanged), again.replaced) == (3, [])
    new_cv = make_pdf(["A newer CV"])
    newer = store.import_attachments(
        coord, "att", read_archive(make_zip({f"Q12_CV/{ids[0]}_cv.pdf": new_cv}), "q2.zip")
    )
    assert newer.replaced == [f"Q12_CV/{ids[0]}_cv.pdf"]
    current = store.applicant_files(coord, "att", ids[0]).files
    assert {f.slot: f.data for f in current} == {
        "Q12_CV": new_cv,
        "Q13_Statement": current[1].data,
    }
    history = store.applicant_files(coord, "att", ids[0], history=True).files
    assert [f.data for f in history if f.slot == "Q12_CV"] == [new_cv, cv]
    assert [f.replaced_at is not None for f in history if f.slot == "Q12_CV"] == [False, True]
    assert store.attachment_counts(coord, "att") == {ids[0]: 2, ids[1]: 1}


def test_a_reviewer_reads_only_an_assigned_applicants_files(
    store: Store, people: dict[str, User]
) -> None:
    coord, r1 = people["coordinator"], people["r1"]
    ids = qualtrics_cycle(store, people)
    store.import_attachments(coord, "att", read_archive(qualtrics_zip(ids, b"%PDF-1.4"), "q.zip"))
    assert len(store.applicant_files(r1, "att", ids[0]).files) == 2
    for other in (ids[1], ids[2], "R_ghost"):
        with pytest.raises(PermissionDenied) as caught:
            store.applicant_files(r1, "att", other)
        assert caught.value.code == "not_assigned"
    with pytest.raises(PermissionDenied):
        store.import_attachments(r1, "att", read_archive(qualtrics_zip(ids, b""), "q.zip"))
    store.declare_conflict(r1, "att", ids[0], "knows her")
    with pytest.raises(PermissionDenied):
        store.applicant_files(r1, "att", ids[0])


def test_a_blind_reviewer_gets_scrubbed_names_and_the_identity_to_cover(
    store: Store, people: dict[str, User]
) -> None:
    coord, r1 = people["coordinator"], people["r1"]
    ids = qualtrics_cycle(store, people, blind=True)
    files = {f"Q12_CV/{ids[0]}_Maria_Nunez_CV.pdf": make_pdf(CV_LINES)}
    store.import_attachments(coord, "att", read_archive(make_zip(files), "q.zip"))
    pseudonym = store.applicants(r1, "att")[0].applicant_id
    with pytest.raises(PermissionDenied):
        store.applicant_files(r1, "att", ids[0])  # the real id is not how a blind reviewer asks
    got = store.applicant_files(r1, "att", pseudonym)
    assert [(f.filename, f.slot) for f in got.files] == [("attachment-1.pdf", "Q12_CV")]
    assert got.blind_terms is not None and "nunez" in got.blind_terms
    assert store.applicant_files(coord, "att", ids[0]).blind_terms is None


def test_attachments_never_go_into_the_demo_cycle(store: Store, people: dict[str, User]) -> None:
    from selector.demo_accounts import DEMO_CYCLE

    store.create_cycle(store.system_user(), DEMO_CYCLE, CONFIG)
    with pytest.raises(InputError) as caught:
        store.import_attachments(people["coordinator"], DEMO_CYCLE, read_archive(make_zip({}), "z"))
    assert caught.value.code == "demo_cycle"


# ------------------------------------------------------------------ blind redaction


def _dark(image: bytes, box: tuple[int, int, int, int]) -> float:
    """Mean brightness (0 black … 255 white) of a box of a PNG."""
    from PIL import Image, ImageStat

    with Image.open(io.BytesIO(image)) as page:
        return float(ImageStat.Stat(page.convert("L").crop(box)).mean[0])


def _char_boxes(pdf: bytes, word: str, scale: float = 1.5) -> list[tuple[int, int, int, int]]:
    """Pixel boxes of each occurrence of ``word`` on page 1, rendered at ``scale``."""
    import pypdfium2 as pdfium

    page = pdfium.PdfDocument(pdf)[0]
    textpage = page.get_textpage()
    text = textpage.get_text_range()
    height = page.get_height()
    boxes = []
    start = text.find(word)
    while start >= 0:
        lefts, rights, bottoms, tops = [], [], [], []
        for i in range(start, start + len(word)):
            left, bottom, right, top = textpage.get_charbox(i)
            lefts.append(left), rights.append(right), bottoms.append(bottom), tops.append(top)
        boxes.append(
            (
                int(min(lefts) * scale) + 1,
                int((height - max(tops)) * scale) + 1,
                int(max(rights) * scale) - 1,
                int((height - min(bottoms)) * scale) - 1,
            )
        )
        start = text.find(word, start + 1)
    return boxes


def test_a_blind_pdf_has_name_email_and_program_covered_and_nothing_else() -> None:
    cv = make_pdf(CV_LINES, photo=True, author=NAME)
    terms = identity_terms(NAME, EMAIL, PROGRAM)
    shown = view(cv, PDF, terms)
    assert shown.withheld is None and len(shown.pages) == 1
    assert (shown.hidden_words, shown.hidden_images) == (3, 1)
    page, plain = shown.pages[0], view(cv, PDF).pages[0]
    for word in ("Núñez", EMAIL, "Elsewhere"):
        for box in _char_boxes(cv, word):
            assert _dark(page, box) < 10, word  # painted over
            assert _dark(plain, box) > 100, word  # text, not a black box, without blind review
    for box in _char_boxes(cv, "sepsis"):
        assert _dark(page, box) == _dark(plain, box) > 100  # the rest reads as before


def test_after_redaction_no_text_holds_the_name_or_the_email() -> None:
    from PIL import Image
    from pypdf import PdfReader

    cv = make_pdf(CV_LINES, author=NAME)
    assert "Núñez" in PdfReader(io.BytesIO(cv)).pages[0].extract_text()
    shown = view_isolated(cv, PDF, identity_terms(NAME, EMAIL, PROGRAM))
    # What the reviewer gets, put back into a PDF: no text layer, no metadata.
    out = io.BytesIO()
    pages = [Image.open(io.BytesIO(p)) for p in shown.pages]
    pages[0].save(out, format="PDF", save_all=True, append_images=pages[1:])
    reader = PdfReader(io.BytesIO(out.getvalue()))
    text = "".join(p.extract_text() for p in reader.pages)
    meta = json.dumps({k: str(v) for k, v in (reader.metadata or {}).items()})
    for secret in ("Núñez", "Nunez", "nunez", EMAIL, "mj.nunez"):
        assert secret not in text and secret not in meta
        assert not any(secret.encode() in p for p in shown.pages)


@pytest.mark.parametrize(
    ("text", "hidden"),
    [
        ("NÚÑEZ wrote this", ["NÚÑEZ"]),
        ("contact mj.nunez@hospital.org now", ["mj.nunez@hospital.org"]),
        ("mail mj.nunez soon", ["mj.nunez"]),
        ("Dr. Maria Jose Nunez's resident", ["Maria Jose Nunez"]),
        ("José alone", ["José"]),
        ("at ST. ELSEWHERE hospital", ["ST. ELSEWHERE hospital"]),
        ("a nunezian idea", []),  # not a whole word
    ],
)
def test_identity_variants_are_found_as_whole_words(text: str, hidden: list[str]) -> None:
    spans = find(text, identity_terms(NAME, EMAIL, PROGRAM))
    assert [text[a:b] for a, b in spans] == hidden


def test_what_cannot_be_checked_is_withheld_in_blind_review_saying_why() -> None:
    terms = identity_terms(NAME, EMAIL, PROGRAM)
    scan = view(make_pdf([], scan=True), PDF, terms)
    assert scan.pages == [] and "no text layer" in (scan.withheld or "")
    image = view(make_png(), PNG, terms)
    assert image.image is None and "image cannot be checked" in (image.withheld or "")
    assert view(make_png(), PNG).image is not None  # shown outside blind review
    broken = view(b"%PDF-1.4 garbage", PDF, terms)
    assert broken.withheld and broken.pages == []


def test_a_word_documents_text_is_shown_with_the_identity_replaced() -> None:
    docx = make_docx(
        ["Personal statement", f"As {NAME}'s colleague at St Elsewhere Hospital"],
        header=f"{NAME} · {EMAIL}",
    )
    blind = view(docx, DOCX, identity_terms(NAME, EMAIL, PROGRAM))
    assert blind.text is not None and "Núñez" not in blind.text and "Elsewhere" not in blind.text
    assert blind.text.startswith("Personal statement") and blind.hidden_words == 2
    plain = view(docx, DOCX).text or ""
    assert NAME in plain and EMAIL not in plain  # the header part is never read
    assert view(make_zip({"word/document.xml": b"<not xml"}), DOCX).withheld


# ------------------------------------------------------------------ CLI and backup


def test_cli_imports_a_redcap_export_and_answers_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    export = tmp_path / "export.csv"
    rows = make_rows(3)
    export.write_text("\n".join([",".join(rows[0]), *(",".join(r.values()) for r in rows)]) + "\n")
    assert main(["import", str(export), "--db", db, "--cycle", "2027"]) == 0
    archive = tmp_path / "redcap.zip"
    archive.write_bytes(
        make_zip({"1_cv_upload.pdf": make_pdf(["one"]), "9_cv_upload.pdf": make_pdf(["x"])})
    )
    capsys.readouterr()
    assert main(["attachments", "import", str(archive), "--db", db, "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["matched"] == 1
    assert answer["unmatched"] == ["9_cv_upload.pdf"]
    assert answer["applicants_without"] == ["A002", "A003"]
    assert main(["attachments", "import", str(tmp_path / "none.zip"), "--db", db]) == 2
    assert "file not found" in capsys.readouterr().err
    bad = tmp_path / "bad.zip"
    bad.write_bytes(make_zip({f"{i}.pdf": b"%PDF-1.4" for i in range(1001)}))
    assert main(["attachments", "import", str(bad), "--db", db]) == 2
    assert "the limit is 1,000" in capsys.readouterr().err


def test_backup_and_restore_keep_the_attachments(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from selector.backup import backup, restore

    url = f"sqlite:///{tmp_path / 'live.db'}"
    cv = make_pdf(["kept"])
    with Store(url) as store:
        coord = store.system_user()
        store.create_cycle(coord, "2027", CONFIG)
        store.import_applications(coord, "2027", intake(make_rows(2)))
        store.import_attachments(coord, "2027", read_archive(make_zip({"1_cv.pdf": cv}), "z"))
    summary, _ = backup(url, tmp_path / "copy.db")
    assert summary.attachments == 1
    with Store(url) as store:  # lost after the backup: the restore brings it back
        store.import_attachments(
            store.system_user(), "2027", read_archive(make_zip({"1_cv.pdf": b"%PDF-2"}), "z")
        )
    restore(url, tmp_path / "copy.db")
    with Store(url) as store:
        files = store.applicant_files(store.system_user(), "2027", "A001").files
    assert [f.data for f in files] == [cv]
