"""Benchmark of attachments: reading and importing a cohort's zip, and showing a file to a
reviewer (in the child process with limits, as the dashboard does), plain and blind.

Run: ``python bench/attachments_bench.py`` (``--applicants N``, default 60, three files each:
a 3-page CV PDF, a Word statement, a 1-page letter PDF). Prints seconds and sizes.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from selector.attachments import (  # noqa: E402
    DOCX,
    PDF,
    identity_terms,
    read_archive,
    view_isolated,
)
from selector.config import DEFAULT_CONFIG_PATH  # noqa: E402
from selector.intake import read_applications  # noqa: E402
from selector.store import Store  # noqa: E402
from tests.attachment_files import make_docx, make_pdf, make_zip  # noqa: E402


def timed(label: str, func, *args):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = func(*args)
    print(f"{label:<52} {time.perf_counter() - start:7.3f} s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--applicants", type=int, default=60)
    n = parser.parse_args().applicants
    lines = [f"Line {i} of a curriculum vitae about sepsis outcomes" for i in range(30)]
    files = {}
    for i in range(1, n + 1):
        name = f"Testperson {i:03d}"
        cv = make_pdf([f"CV of {name}", f"person{i}@example.org", *lines], pages=3)
        files[f"{i}_cv.pdf"] = cv
        files[f"{i}_statement.docx"] = make_docx([f"I am {name}.", *lines])
        files[f"{i}_letter.pdf"] = make_pdf([f"Letter for {name}", *lines[:10]])
    data = make_zip(files)
    print(f"zip: {len(files)} files, {len(data) / 1e6:.1f} MB")
    archive = timed("read_archive (limits, inflate, sniff)", read_archive, data, "bench.zip")
    header = "ID,Name,Email,PGY,Specialty,Program,Why DEI"
    rows = [
        f"{i},Testperson {i:03d},person{i}@example.org,2,Pediatrics,Program 1,essay"
        for i in range(1, n + 1)
    ]
    export = read_applications(("\n".join([header, *rows]) + "\n").encode(), filename="x.csv")
    with (
        tempfile.TemporaryDirectory() as folder,
        Store(f"sqlite:///{folder}/bench.db") as store,
    ):
        system = store.system_user()
        store.create_cycle(system, "2027", DEFAULT_CONFIG_PATH.read_text("utf-8"))
        store.import_applications(system, "2027", export)
        again = (store.import_attachments, system, "2027", archive)
        report = timed("import_attachments (match, one transaction)", *again)
        print(f"  matched {len(report.matched)}, without {len(report.applicants_without)}")
        timed("the same zip again (all unchanged)", *again)
    cv, statement = files["1_cv.pdf"], files["1_statement.docx"]
    terms = identity_terms("Testperson 001", "person1@example.org", "Program 1")
    plain = timed("show a 3-page CV (child process)", view_isolated, cv, PDF)
    blind = timed("show a 3-page CV, blind (child process)", view_isolated, cv, PDF, terms)
    timed("show a Word statement, blind (child process)", view_isolated, statement, DOCX, terms)
    print(f"  pages {len(plain.pages)}, PNG {sum(map(len, plain.pages)) / 1e3:.0f} kB in all;")
    print(f"  blind: {blind.hidden_words} places covered, withheld: {blind.withheld}")


if __name__ == "__main__":
    main()
