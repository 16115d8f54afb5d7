"""Intake speed: a 5,000-row xlsx export through intake, next to the raw parse of the same file.

Run: ``python bench/intake_bench.py [--rows N] [--repeat K]``. Prints the best of K timings for
the raw parse with python-calamine (what intake uses), openpyxl read-only (for reference),
``read_grid`` (the hostile-safe read: checks, then calamine in a child process, cells as text),
``read_applications`` (that read + header detection + mapping + validation) and intake after
the parse (``applications_from_grid``), with the ratio of intake to the calamine parse. Times
are CPU time of this process and its children (the child interpreter that parses the .xlsx).
Goal: intake under 1.5x the raw parse.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import io
import random
import resource
from collections.abc import Callable

import openpyxl
from python_calamine import CalamineWorkbook

from selector.demo import HEADERS, SITES
from selector.intake import applications_from_grid, read_applications
from selector.tables import Grid, read_grid

SPECIALTIES = ("IM", "Peds", "OB/GYN", "Psych", "EM", "FM", "General Surgery", "Anesthesia")
PGYS = ("PGY-1 (intern)", "PGY-2", "PGY-3", "PGY-4", "PGY-5 (fellow)")
WORDS = (
    "equity access community patients mentorship advocacy residents clinic language bias "
    "leadership project quality improvement outcomes housing interpreter curriculum data"
)


def build_export(rows: int, seed: int = 5000) -> bytes:
    """A Microsoft Forms-shaped export with ``rows`` responses and paragraph-long answers."""
    rng = random.Random(seed)
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Sheet1")
    ws.append(HEADERS)
    when = dt.datetime(2026, 1, 1, 8, 0)

    def text(n: int) -> str:
        return " ".join(rng.choice(WORDS.split()) for _ in range(n)).capitalize() + "."

    for i in range(1, rows + 1):
        when += dt.timedelta(minutes=rng.randint(1, 30))
        # About 2% resubmissions (an earlier applicant's e-mail) and 2% medical students.
        person = f"applicant{rng.randint(1, i) if rng.random() < 0.02 else i}"
        pgy = "MS4" if rng.random() < 0.02 else rng.choice(PGYS)
        approved = rng.choice(("Yes", "No")) if pgy.startswith("PGY-1") else "Not applicable"
        ws.append(
            [
                *(i, when - dt.timedelta(minutes=20), when, "anonymous", "anonymous"),
                *(f"Bench Person {i}", f"{person}@example.org", pgy, rng.choice(SPECIALTIES)),
                *(rng.choice(SITES), approved, text(120), text(80), text(40), "Yes", "Newsletter"),
            ]
        )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def cpu_time() -> float:
    """CPU time of this process and of its finished children (the .xlsx parser runs in one)."""
    me, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def best_of(repeat: int, *fns: Callable[[], object]) -> list[float]:
    """The best CPU time of each function over ``repeat`` rounds, run in turn.

    CPU time (not wall time), so other work on the machine skews it less.
    """
    best = [float("inf")] * len(fns)
    for _ in range(repeat):
        for k, fn in enumerate(fns):
            start = cpu_time()
            fn()
            best[k] = min(best[k], cpu_time() - start)
    return best


def fresh(grid: Grid) -> Grid:
    """A copy of a grid's rows (intake pads them in place)."""
    return dataclasses.replace(grid, rows=[list(r) for r in grid.rows])


def raw_calamine(data: bytes) -> list[list[object]]:
    wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    rows: list[list[object]] = wb.get_sheet_by_name(wb.sheet_names[0]).to_python()
    return rows


def raw_openpyxl(data: bytes) -> list[tuple[object, ...]]:
    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    ws = wb.worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    wb.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    data = build_export(args.rows)
    result = read_applications(data, filename="bench.xlsx")
    print(
        f"{args.rows:,}-row xlsx export, {len(data) / 1e6:.1f} MB, {len(HEADERS)} columns: "
        f"{len(result.accepted):,} accepted, {len(result.rejected):,} rejected, "
        f"{len(result.duplicates):,} duplicates"
    )
    grid = read_grid(data, "bench.xlsx")
    calamine, safe_read, intake, copy_and_validate, copy = best_of(
        args.repeat,
        lambda: raw_calamine(data),
        lambda: read_grid(data, "bench.xlsx"),
        lambda: read_applications(data, filename="bench.xlsx"),
        lambda: applications_from_grid(fresh(grid), file="bench.xlsx"),
        lambda: fresh(grid),
    )
    validate = copy_and_validate - copy
    [opx] = best_of(max(1, args.repeat // 3), lambda: raw_openpyxl(data))
    print(f"raw parse, python-calamine      {calamine * 1000:8.1f} ms")
    print(f"raw parse, openpyxl read-only   {opx * 1000:8.1f} ms")
    print(f"read_grid (checked, child)      {safe_read * 1000:8.1f} ms")
    print(f"intake (read_applications)      {intake * 1000:8.1f} ms")
    print(f"  of which after the parse      {validate * 1000:8.1f} ms")
    print(f"intake / calamine parse         {intake / calamine:8.2f}x  (goal < 1.5x)")
    print(f"intake / openpyxl parse         {intake / opx:8.2f}x")


if __name__ == "__main__":
    main()
