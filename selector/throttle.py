"""Login throttling and a bound on concurrent password hashing, in process memory.

Two guards, both thread-safe:

* :class:`LoginThrottle` counts failed logins per account key (the normalised e-mail, known
  or not, so refusals do not reveal who has an account). After :attr:`~LoginThrottle.free`
  failures each further one locks the key out for a growing time (1 s, 2 s, 4 s … capped at
  15 minutes); while locked, attempts are refused *without hashing* and do not extend the
  lock. A successful login forgets the key.
* :data:`HASH_SLOTS`, a semaphore bounding argon2 hashes computed at once (each takes
  64 MiB): a hash that waits longer than :data:`HASH_WAIT_S` is refused as busy.

The state lives in this process only: the dashboard is one process (Streamlit), so that is
where logins happen; restarting it forgets the counts, and several server processes would
each count on their own. The clock is injectable so tests never sleep.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from selector.errors import SelectorError

#: Failures allowed before the lock-outs start.
FREE_FAILURES = 5
#: The first lock-out, in seconds; each further failure doubles it, up to :data:`MAX_LOCK_S`.
FIRST_LOCK_S = 1.0
MAX_LOCK_S = 15 * 60.0
#: Argon2 hashes computed at once in this process, and how long one may wait for a slot.
MAX_CONCURRENT_HASHES = 4
HASH_WAIT_S = 5.0
#: Keys remembered at most (the oldest are forgotten), so made-up e-mails cannot fill memory.
MAX_KEYS = 10_000


class LoginRefused(SelectorError):
    """A login refused before its password was checked: locked out, or the server is busy."""


@dataclass
class _Entry:
    failures: int = 0
    locked_until: float = 0.0
    in_flight: int = 0


class LoginThrottle:
    """Failed logins per key and the lock-outs they earn (see the module docstring)."""

    def __init__(
        self,
        *,
        free: int = FREE_FAILURES,
        first_lock_s: float = FIRST_LOCK_S,
        max_lock_s: float = MAX_LOCK_S,
        max_keys: int = MAX_KEYS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.free = free
        self.first_lock_s = first_lock_s
        self.max_lock_s = max_lock_s
        self.max_keys = max_keys
        self.clock = clock
        self._lock = threading.Lock()
        self._entries: OrderedDict[str, _Entry] = OrderedDict()

    def lock_for(self, failures: int) -> float:
        """Seconds of lock-out after ``failures`` failures in a row (0 while still free)."""
        if failures < self.free:
            return 0.0
        return min(self.first_lock_s * 2.0 ** (failures - self.free), self.max_lock_s)

    def begin(self, key: str) -> None:
        """Start an attempt for ``key``, or raise :class:`LoginRefused` (code
        ``login_locked``) while it is locked out. Once the free failures are used up, only
        one attempt per key is checked at a time, so parallel guesses gain nothing."""
        with self._lock:
            now = self.clock()
            entry = self._entries.get(key)
            if entry is None:
                entry = self._entries[key] = _Entry()
                while len(self._entries) > self.max_keys:
                    self._entries.popitem(last=False)
            self._entries.move_to_end(key)
            wait = entry.locked_until - now
            over = entry.failures + entry.in_flight >= max(self.free, entry.failures + 1)
            if wait > 0 or over:
                seconds = max(1, math.ceil(wait)) if wait > 0 else 1
                raise LoginRefused(
                    "login_locked",
                    f"too many attempts; try again in {seconds} s",
                    retry_after=seconds,
                )
            entry.in_flight += 1

    def end(self, key: str, ok: bool | None) -> None:
        """Finish an attempt: ``ok`` True forgets the key, False counts a failure (and locks
        when the free ones are used up), None (an error, not a wrong password) counts nothing."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return
            entry.in_flight = max(0, entry.in_flight - 1)
            if ok:
                del self._entries[key]
            elif ok is False:
                entry.failures += 1
                lock = self.lock_for(entry.failures)
                if lock:
                    entry.locked_until = self.clock() + lock

    @contextmanager
    def attempt(self, key: str) -> Iterator[list[bool | None]]:
        """``with throttle.attempt(key) as outcome: ...; outcome[0] = ok`` — :meth:`begin`
        and :meth:`end` around a login check (an exception counts nothing)."""
        self.begin(key)
        outcome: list[bool | None] = [None]
        try:
            yield outcome
        finally:
            self.end(key, outcome[0])

    def reset(self) -> None:
        """Forget every key (tests; a restart does the same)."""
        with self._lock:
            self._entries.clear()


class HashSlots:
    """A semaphore bounding the argon2 hashes computed at once (memory: 64 MiB each)."""

    def __init__(self, slots: int = MAX_CONCURRENT_HASHES, wait_s: float = HASH_WAIT_S) -> None:
        self.slots = slots
        self.wait_s = wait_s
        self._semaphore = threading.BoundedSemaphore(slots)

    @contextmanager
    def hold(self) -> Iterator[None]:
        """Hold one slot while hashing; :class:`LoginRefused` (``busy``) after waiting too long."""
        if not self._semaphore.acquire(timeout=self.wait_s):
            raise LoginRefused("busy", "busy, try again in a few seconds")
        try:
            yield
        finally:
            self._semaphore.release()


#: The process-wide guards (:mod:`selector.auth` hashes, :meth:`Store.authenticate` logins).
LOGINS = LoginThrottle()
HASH_SLOTS = HashSlots()
