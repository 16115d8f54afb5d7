"""Every benchmark that has a floor, one after another: the project's figure next to the bare
minimum for the same work, and the ratio (the machine is shared and noisy: read the ratios).

Run: ``python bench/ratios.py [--full]``. Without ``--full`` each bench runs at its quick size.

| bench | the project | its floor |
|---|---|---|
| cli_bench | ``selector --help``, ``--version``, ``validate`` | ``python -c pass`` |
| store_bench | opening the store, saving 60,000 reviews, loading a cycle | bare ``sqlite3`` |
| selection_bench | ``decide`` (optimum, and with every explanation) | the bare ILP in ``highspy`` |
| intake_bench | ``read_applications`` | python-calamine's raw parse |
| robustness_bench | 1,000 bootstrap draws over reviewers | one full ``decide`` (goal: < 10×) |
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
QUICK = {
    "cli_bench.py": ["--runs", "5"],
    "store_bench.py": ["--quick"],
    "selection_bench.py": ["--quick"],
    "intake_bench.py": ["--repeat", "3"],
    "robustness_bench.py": ["--quick"],
}


def main() -> int:
    full = "--full" in sys.argv[1:]
    failed = 0
    for script, quick in QUICK.items():
        print(f"\n== {script}", flush=True)
        done = subprocess.run([sys.executable, str(HERE / script), *([] if full else quick)])
        failed += done.returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
