"""Login throttling and the bound on concurrent argon2 hashes (selector.throttle)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from selector import auth, throttle
from selector.auth import User
from selector.store import Store
from selector.throttle import HashSlots, LoginRefused, LoginThrottle


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def refused(call: Callable[[], object]) -> LoginRefused:
    with pytest.raises(LoginRefused) as caught:
        call()
    return caught.value


def test_lock_outs_start_after_five_failures_double_and_are_capped() -> None:
    clock = Clock()
    t = LoginThrottle(clock=clock)
    for _ in range(5):
        t.begin("a@x.org")
        t.end("a@x.org", False)
    error = refused(lambda: t.begin("a@x.org"))
    assert (error.code, str(error)) == ("login_locked", "too many attempts; try again in 1 s")
    t.begin("b@x.org")  # other accounts are not held up
    clock.now += 1.0
    t.begin("a@x.org")  # the lock expired: one more try
    t.end("a@x.org", False)
    assert "try again in 2 s" in str(refused(lambda: t.begin("a@x.org")))
    assert [t.lock_for(n) for n in (4, 5, 6, 7, 8)] == [0, 1, 2, 4, 8]
    assert t.lock_for(40) == 15 * 60
    clock.now += 2.0
    t.begin("a@x.org")
    t.end("a@x.org", True)  # a success forgets the failures
    for _ in range(4):
        t.begin("a@x.org")
        t.end("a@x.org", False)
    t.begin("a@x.org")


def test_parallel_guesses_gain_nothing_once_the_free_failures_are_used() -> None:
    clock = Clock()
    t = LoginThrottle(clock=clock)
    for _ in range(5):
        t.begin("a@x.org")
        t.end("a@x.org", False)
    clock.now += 1.0
    t.begin("a@x.org")  # one attempt in flight
    refused(lambda: t.begin("a@x.org"))  # a second one at the same time is not checked
    t.end("a@x.org", None)  # an error, not a wrong password: counts nothing
    t.begin("a@x.org")


def test_the_throttle_remembers_a_bounded_number_of_keys() -> None:
    t = LoginThrottle(max_keys=3)
    for i in range(10):
        t.begin(f"made-up-{i}@x.org")
        t.end(f"made-up-{i}@x.org", False)
    assert len(t._entries) == 3


def test_thirty_wrong_passwords_then_the_right_one_is_refused_while_locked(
    store: Store, people: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock()
    store.throttle = LoginThrottle(clock=clock)
    hashes = []
    verify = auth.verify_password
    monkeypatch.setattr(
        "selector.store.users.verify_password", lambda h, p: hashes.append(1) or verify(h, p)
    )
    outcomes = []
    for _ in range(30):
        try:
            outcomes.append(store.authenticate("R1@example.org ", "wrong-password"))
        except LoginRefused as exc:
            outcomes.append(exc.code)
    assert outcomes == [None] * 5 + ["login_locked"] * 25
    assert len(hashes) == 5  # refused attempts hash nothing
    assert refused(lambda: store.authenticate("r1@example.org", "pw-rev1-11")).code == (
        "login_locked"
    )
    clock.now += 1.0
    assert store.authenticate("r1@example.org", "pw-rev1-11") == people["r1"]


def test_unknown_emails_are_throttled_alike_so_refusals_reveal_no_account(
    store: Store, people: dict[str, User]
) -> None:
    clock = Clock()
    store.throttle = LoginThrottle(clock=clock)
    messages = []
    for email in ("r2@example.org", "nobody@example.org"):
        for _ in range(5):
            assert store.authenticate(email, "wrong-password") is None
        error = refused(lambda e=email: store.authenticate(e, "wrong-password"))  # type: ignore[misc]
        messages.append((type(error), error.code, str(error)))
    assert messages[0] == messages[1]


class SlowHasher:
    """A stand-in for argon2's PasswordHasher that counts how many hash at once."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.lock = threading.Lock()
        self.running = 0
        self.most = 0
        self.calls = 0

    def _work(self) -> None:
        with self.lock:
            self.running += 1
            self.calls += 1
            self.most = max(self.most, self.running)
        time.sleep(self.seconds)
        with self.lock:
            self.running -= 1

    def hash(self, password: str) -> str:
        self._work()
        return "$fake$" + password

    def verify(self, password_hash: str, password: str) -> bool:
        self._work()
        return password_hash == "$fake$" + password

    def check_needs_rehash(self, password_hash: str) -> bool:
        return False


def _run_threads(n: int, target: Callable[[int], Any]) -> list[Any]:
    results: list[Any] = [None] * n
    barrier = threading.Barrier(n)

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = target(i)
        except Exception as exc:
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return results


def test_concurrent_logins_never_hash_more_than_the_bound_at_once(
    store: Store, people: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    store.set_password(store.system_user(), "r1@example.org", "pw-rev1-11")  # real argon2
    fake = SlowHasher(0.02)
    monkeypatch.setattr(auth, "_hasher", fake)
    monkeypatch.setattr("selector.store.users._dummy_hash", lambda: "$fake$dummy")
    store.set_password(store.system_user(), "r2@example.org", "pw-rev2-22")  # a fake hash
    fake.calls = 0
    results = _run_threads(
        32,
        lambda i: store.authenticate(
            "r2@example.org" if i == 0 else f"nobody{i}@example.org", "pw-rev2-22"
        ),
    )
    assert fake.calls == 32  # every login was checked, none refused as busy
    assert fake.most == throttle.HASH_SLOTS.slots == 4
    assert results == [people["r2"]] + [None] * 31


def test_a_login_waiting_too_long_for_a_hashing_slot_is_refused_as_busy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(auth, "_hasher", SlowHasher(0.3))
    monkeypatch.setattr(throttle, "HASH_SLOTS", HashSlots(slots=1, wait_s=0.05))
    results = _run_threads(2, lambda i: auth.verify_password("$fake$x", "x"))
    busy = [r for r in results if isinstance(r, LoginRefused)]
    assert len(busy) == 1 and busy[0].code == "busy" and str(busy[0]).startswith("busy, try again")
    assert True in results
