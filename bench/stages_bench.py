"""An interview round at a track's scale: the bundled rubrics/with_interview.toml, 200
applicants screened by 3 of 12 reviewers each, a shortlist of 20 interviewed by 2 of 6.

Times the shortlist's decision, the final cohort's on the combined score (both explained:
margins, replacements, rule prices, reasons) and the final cohort's robustness (200 draws,
each resampling both stages), against the plain robustness of the shortlist.

Run: python bench/stages_bench.py
"""

from __future__ import annotations

import random
import time
from pathlib import Path

from selector.config import load_config
from selector.models import Applicant, Review
from selector.selection import decide
from selector.selection.robustness import robustness
from selector.selection.staged import staged_robustness
from selector.stages import decide_stage

CONFIG = Path(__file__).resolve().parent.parent / "rubrics" / "with_interview.toml"
SPECIALTIES = [f"Specialty {i}" for i in range(10)]
APPLICANTS, DRAWS = 200, 200


def main() -> None:
    rng = random.Random(7)
    config = load_config(CONFIG)
    people = [
        Applicant(
            f"A{i:03d}", f"Test Resident {i:03d}", f"r{i}@example.org", rng.choice([2, 3, 4]),
            rng.choice(SPECIALTIES), f"Program {i % 6}",
        )
        for i in range(APPLICANTS)
    ]  # fmt: skip
    screening = config.stage_config("screening")
    reviews = [
        Review(a.applicant_id, f"s{r}", {c.id: rng.randint(1, 5) for c in screening.criteria})
        for a in people
        for r in rng.sample(range(12), 3)
    ]
    decide(people, reviews, screening)  # warm: PuLP's import, HiGHS's first object
    start = time.perf_counter()
    decide(people, reviews, screening)  # the floor: one plain decision of the same size
    t_floor = time.perf_counter() - start
    start = time.perf_counter()
    shortlist = decide_stage(people, reviews, config, "screening")
    t_shortlist = time.perf_counter() - start
    interview = config.stage_config("interview")
    reviews += [
        Review(a, f"i{r}", {c.id: rng.randint(1, 5) for c in interview.criteria}, stage="interview")
        for a in shortlist.selected
        for r in rng.sample(range(6), 2)
    ]
    start = time.perf_counter()
    final = decide_stage(people, reviews, config, shortlist=shortlist.selected)
    t_final = time.perf_counter() - start
    start = time.perf_counter()
    plain = robustness(shortlist, [r for r in reviews if not r.stage], draws=DRAWS, seed="b")
    t_plain = time.perf_counter() - start
    start = time.perf_counter()
    found = staged_robustness(final, reviews, config, draws=DRAWS, seed="b")
    t_staged = time.perf_counter() - start
    print(f"{APPLICANTS} applicants, {len(reviews)} reviews; shortlist {len(shortlist.selected)}")
    print(f"  floor: one plain decision of 20      {t_floor:7.3f} s")
    print(
        f"  shortlist decided and explained      {t_shortlist:7.3f} s  "
        f"{t_shortlist / t_floor:.1f}x floor"
    )
    print(
        f"  cohort of {len(final.selected)} decided and explained    {t_final:7.3f} s  "
        f"{t_final / t_floor:.1f}x floor"
    )
    print(
        f"  shortlist robustness, {DRAWS} draws      {t_plain:7.3f} s: "
        f"{len(plain.secure)} of {len(shortlist.selected)} places secure"
    )
    print(
        f"  cohort robustness, {DRAWS} draws (2 stages) {t_staged:5.3f} s: "
        f"{len(found.secure)} of {len(final.selected)} seats secure; "
        f"{t_staged / t_plain:.1f}x the shortlist's"
    )


if __name__ == "__main__":
    main()
