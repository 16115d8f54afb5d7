"""Create a cycle: with a track config, or from the previous cycle of its track."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from selector.auth import User
    from selector.store import Cycle, Store


def read_config(path: str | Path) -> str:
    """The text of a track config file, checked: any error names the file and the key."""
    from selector.config import loads_config, read_config_text

    text = read_config_text(path)
    loads_config(text, str(path))
    return text


def create_cycle(
    store: Store,
    actor: User,
    name: str,
    config_text: str | None = None,
    *,
    from_cycle: str | None = None,
    track: str | None = None,
) -> Cycle:
    """A new cycle (its config's ``[review]`` settings give blind review and own-program
    avoidance); a cycle of real data next to the demo retires the demo logins.

    It starts from a previous cycle (:func:`~selector.workflow.track.new_cycle_base`):
    ``from_cycle``, else the newest cycle of ``track``, else the newest real cycle. It joins
    that cycle's track (``track`` when given; the demo cycle's track never) and, without
    ``config_text``, takes its config; a first cycle takes the bundled default config."""
    from selector.config import DEFAULT_CONFIG_PATH, read_config_text
    from selector.demo_accounts import DEMO_CYCLE
    from selector.workflow.track import new_cycle_base

    base = new_cycle_base(store, from_cycle=from_cycle, track=track)
    if config_text is None:
        config_text = (
            base.config_text if base is not None else read_config_text(DEFAULT_CONFIG_PATH)
        )
    if track is None and base is not None and base.name != DEMO_CYCLE:
        track = base.track or None
    return store.create_cycle(actor, name, config_text, track=track)
