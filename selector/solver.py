"""The HiGHS solver's one process-wide quirk, handled in one place: its start-up banner.

HiGHS prints a copyright banner from C++ straight to file descriptor 1 when the first solver
object of a process is made (never again after that). :func:`silence_highs_banner` makes that
first object itself, once per process and under a lock, with descriptor 1 pointed at the null
device, so the CLI's ``--json`` output stays one JSON object. Every solve after it runs with
``msg=False`` and prints nothing, so no solve redirects stdout: a per-solve redirect of the
process-wide descriptor would swallow other threads' output in the threaded Streamlit server.
"""

from __future__ import annotations

import os
import sys
import threading

_lock = threading.Lock()
_silenced = False


def silence_highs_banner() -> None:
    """Make this process's first HiGHS object with stdout silenced (a no-op after the first
    call); call it before anything that may create a HiGHS object."""
    global _silenced
    if _silenced:
        return
    with _lock:
        if _silenced:
            return
        import highspy

        sys.stdout.flush()
        saved = os.dup(1)
        try:
            with open(os.devnull, "w") as null:
                os.dup2(null.fileno(), 1)
                highspy.Highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
        _silenced = True
