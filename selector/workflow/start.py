"""From the demo to real use in one guided step: the coordinator's own account, the chair's,
the first real cycle, and the demo logins ended, all or nothing (nobody is locked out)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from selector.auth import User
    from selector.store import Cycle, Store


@dataclass(frozen=True)
class Started:
    """What the guided start made. ``chair_password`` is the chair's one-time password, to
    be shown once (None when a password for the chair was given)."""

    coordinator: User
    chair: User
    cycle: Cycle
    chair_password: str | None


def demo_coordinator(store: Store) -> User | None:
    """The demo coordinator's account while the demo logins work (the guided start acts as
    it from the login page), else None."""
    from selector.seed import demo_accounts

    for account in demo_accounts(store) or []:
        if account["role"] == "coordinator":
            return store.user(account["email"])
    return None


def start_real_use(
    store: Store,
    actor: User,
    *,
    coordinator_email: str,
    coordinator_name: str,
    password: str,
    password_again: str,
    chair_email: str,
    chair_name: str,
    cycle: str,
    chair_password: str | None = None,
    config_text: str | None = None,
) -> Started:
    """Make the coordinator's and the chair's accounts and the cycle (``config_text``, by
    default the bundled config) and end the demo logins, in one transaction; every problem is
    reported before anything is written. The chair gets ``chair_password``, else a one-time
    password returned in :attr:`Started.chair_password`."""
    from selector.config import DEFAULT_CONFIG_PATH
    from selector.store import NewAccount
    from selector.store.users import one_time_password

    one_time = one_time_password() if not chair_password else None
    text = config_text if config_text is not None else DEFAULT_CONFIG_PATH.read_text("utf-8")
    coordinator, chair, made = store.start_real_use(
        actor,
        NewAccount(coordinator_email, coordinator_name, password, password_again),
        NewAccount(chair_email, chair_name, chair_password or one_time or ""),
        cycle,
        text,
    )
    return Started(coordinator, chair, made, one_time)
