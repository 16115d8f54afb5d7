"""Create a cycle with a track config."""

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


def create_cycle(store: Store, actor: User, name: str, config_text: str) -> Cycle:
    """A new cycle with this config (its ``[review]`` settings give blind review and
    own-program avoidance); a cycle of real data next to the demo retires the demo logins."""
    return store.create_cycle(actor, name, config_text)
