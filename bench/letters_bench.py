"""Benchmark of the decision letters: who gets which letter, rendering every letter, writing the
.eml files, and sending them all to a local SMTP server (aiosmtpd, from the test extra), with
each letter claimed and confirmed in a SQLite store.

Run: ``python bench/letters_bench.py`` (``--applicants N``, default 1,000). Prints each step's
time and the time per letter, against the floor of sending the same messages over the same
connection with nothing recorded (``smtplib`` alone).
"""

from __future__ import annotations

import argparse
import datetime as dt
import smtplib
import socket
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from aiosmtpd.controller import Controller  # noqa: E402

from selector import workflow  # noqa: E402
from selector.intake import read_applications  # noqa: E402
from selector.letters import build_message, render_letters  # noqa: E402
from selector.letters.smtp import SmtpSettings  # noqa: E402
from selector.models import Review  # noqa: E402
from selector.selection import decide  # noqa: E402
from selector.store import Store  # noqa: E402
from tests.test_letters import CONFIG  # noqa: E402

SPECIALTIES = ("Surgery", "Pediatrics", "Psychiatry", "Neurology", "Internal Medicine")
DEADLINE = dt.date(2027, 1, 15)


class Count:
    """An SMTP handler that only counts what arrives."""

    def __init__(self) -> None:
        self.n = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.n += 1
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def cycle(url: str, n: int) -> None:
    lines = ["ID,Name,Email,PGY,Specialty,Program"]
    lines += [
        f"{i},Testperson {i},p{i}@example.org,{2 + i % 3},{SPECIALTIES[i % 5]},Program {i % 7}"
        for i in range(1, n + 1)
    ]
    with Store(url) as store:
        system = store.system_user()
        store.create_cycle(system, "2027", CONFIG.replace("size = 3", "size = 5"))
        intake = read_applications(("\n".join(lines) + "\n").encode(), filename="x.csv")
        store.import_applications(system, "2027", intake)
        reviews = [
            Review(a.applicant_id, "rev@example.org", {"merit": float(1 + i % 9)})
            for i, a in enumerate(store.applicants(system, "2027"))
        ]
        store.save_reviews(system, "2027", reviews, new_reviewers=["rev@example.org"])
        applicants, found = store.selection_inputs(system, "2027")
        decision = decide(applicants, found, store.cycle("2027").config)
        store.record_run(
            system,
            "2027",
            config_text=store.cycle("2027").config_text,
            decision=decision,
            final=True,
            inputs=(applicants, found),
        )


def timed(label: str, letters: int, fn: Any) -> Any:
    start = time.perf_counter()
    result = fn()
    took = time.perf_counter() - start
    print(f"{label:<44} {took:8.3f} s   {1000 * took / letters:7.2f} ms per letter")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--applicants", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'letters.db'}"
        cycle(url, args.applicants)
        handler = Count()
        controller = Controller(handler, hostname="127.0.0.1", port=free_port())
        controller.start()
        settings = SmtpSettings(
            host="127.0.0.1", port=controller.port, starttls=False, sender="c@hospital.org"
        )
        try:
            with Store(url) as store:
                system = store.system_user()
                n = args.applicants
                print(f"{n} applicants, one letter each, SQLite, a local aiosmtpd server")
                who = timed(
                    "letter_recipients",
                    n,
                    lambda: workflow.letter_recipients(store, system, "2027", deadline=DEADLINE),
                )
                found = workflow.cycle_templates(store, system, "2027")
                letters = timed(
                    "render_letters (checked, sandboxed)",
                    n,
                    lambda: render_letters(
                        who, found.templates, track=found.track, signature=found.signature
                    ),
                )
                messages = timed(
                    "build_message (RFC 5322)",
                    n,
                    lambda: [build_message(lt, sender="c@hospital.org") for lt in letters],
                )
                timed(
                    "render_to_folder (.eml files)",
                    n,
                    lambda: workflow.render_to_folder(
                        store, system, "2027", Path(tmp) / "out", sender="c@hospital.org",
                        deadline=DEADLINE,
                    ),
                )  # fmt: skip

                def bare() -> None:
                    with smtplib.SMTP("127.0.0.1", controller.port) as smtp:
                        for msg in messages:
                            smtp.send_message(msg)

                timed("floor: smtplib alone, same messages", n, bare)
                done = timed(
                    "send_letters (claimed, sent, recorded)",
                    n,
                    lambda: workflow.send_letters(
                        store, system, "2027", settings=settings, send=True, deadline=DEADLINE
                    ),
                )
                again = timed(
                    "send_letters again (nothing left to send)",
                    n,
                    lambda: workflow.send_letters(
                        store, system, "2027", settings=settings, send=True, deadline=DEADLINE
                    ),
                )
                print(
                    f"sent {len(done.sent)}, failed {len(done.failed)}; the re-run sent "
                    f"{len(again.sent)}, found {len(again.already_sent)} sent before; "
                    f"the server received {handler.n} (the floor's {n} included)"
                )
        finally:
            controller.stop()


if __name__ == "__main__":
    main()
