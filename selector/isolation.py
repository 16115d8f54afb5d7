"""Work on a user's file in a child process held to memory and CPU limits, so a file made to
exhaust them ends the child, never the server.

The child is a new interpreter (``python -m <module> <argument>``), not a fork of the caller,
whose threads (a Streamlit server's) must not be forked. It reads the file from stdin, calls
:func:`hold` first, and writes its answer to stdout."""

from __future__ import annotations

import signal
import subprocess
import sys


def hold(memory_bytes: int, seconds: int) -> None:
    """In the child: at most ``memory_bytes`` of address space and ``seconds`` of CPU, and
    stderr to nowhere (a parser that aborts writes its last words there: not the user's)."""
    import os
    import resource

    os.dup2(os.open(os.devnull, os.O_WRONLY), 2)
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))


def run_held(module: str, argument: str, data: bytes, seconds: int) -> tuple[int, bytes]:
    """Run the child ``module`` on ``data``: its exit code and stdout. A child still running
    5 s after its CPU limit counts as stopped by that limit (``-SIGXCPU``)."""
    try:
        done = subprocess.run(
            [sys.executable, "-m", module, argument],
            input=data,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            timeout=seconds + 5,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return -signal.SIGXCPU, b""
    return done.returncode, done.stdout
