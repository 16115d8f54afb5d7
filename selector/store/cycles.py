"""Cycles: one admission year each, with its config TOML and review options.

The demo cycle (:data:`~selector.demo_accounts.DEMO_CYCLE`) never takes real data: imports and
score files into it are refused (:func:`demo_cycle_refused`)."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from selector.auth import Action, User
from selector.config import TrackConfig, loads_config
from selector.demo_accounts import DEMO_CYCLE
from selector.errors import InputError
from selector.store.schema import CycleRow
from selector.store.users import UsersMixin


@functools.lru_cache(maxsize=32)
def _parse_config(config_text: str, cycle_name: str) -> TrackConfig:
    """A cycle's config, parsed once per text (configs are frozen, so sharing is safe)."""
    return loads_config(config_text, f"cycle {cycle_name}")


@dataclass(frozen=True)
class Cycle:
    """One admission year: its name, config TOML and review options."""

    name: str
    config_text: str
    blind: bool
    avoid_own_program: bool
    created_at: dt.datetime

    @property
    def config(self) -> TrackConfig:
        """The validated track config of this cycle."""
        return _parse_config(self.config_text, self.name)


def to_cycle(row: CycleRow) -> Cycle:
    return Cycle(row.name, row.config_text, row.blind, row.avoid_own_program, row.created_at)


def demo_cycle_refused(cycle: str) -> InputError:
    """Real applications or scores never go into the demo cycle: its logins are public and
    its applicants' ids (A001…) would be overwritten and inherit made-up reviews."""
    return InputError(
        "demo_cycle",
        f"cycle {cycle!r} holds only the made-up demo data; create a cycle of your own first "
        "(`selector cycles create NAME`, or New cycle on the Upload page) and import into it",
    )


class CyclesMixin(UsersMixin):
    """Creating, listing and configuring cycles."""

    def create_cycle(
        self,
        actor: User,
        name: str,
        config_text: str,
        *,
        blind: bool | None = None,
        avoid_own_program: bool | None = None,
    ) -> Cycle:
        """Create a cycle with its config; ``blind``/``avoid_own_program`` default to the
        config's ``[review]`` values. A real cycle next to the demo one disables the demo
        logins, whose passwords are public (:mod:`selector.demo_accounts`); a demo account
        must first add an account for itself (else it would lock itself out)."""
        actor.require(Action.MANAGE_CYCLES)
        name = name.strip()
        leaving_demo = name != DEMO_CYCLE and self._leaving_demo(actor)
        with self._tx() as s:
            created = to_cycle(
                self._insert_cycle(s, actor, name, config_text, blind, avoid_own_program)
            )
        if leaving_demo:
            self.retire_demo()
        return created

    def _insert_cycle(
        self,
        s: Session,
        actor: User,
        name: str,
        config_text: str,
        blind: bool | None = None,
        avoid_own_program: bool | None = None,
    ) -> CycleRow:
        """Add a cycle inside the caller's transaction (audited)."""
        if not name:
            raise InputError("cycle_name_empty", "a cycle needs a name")
        config = loads_config(config_text, f"cycle {name}")
        if s.scalars(select(CycleRow).where(CycleRow.name == name)).first() is not None:
            raise InputError("cycle_exists", f"a cycle named {name!r} already exists")
        row = CycleRow(
            name=name,
            config_text=config_text,
            blind=config.review.blind if blind is None else blind,
            avoid_own_program=(
                config.review.avoid_own_program if avoid_own_program is None else avoid_own_program
            ),
        )
        s.add(row)
        s.flush()
        self._audit(s, actor, row, "cycle.create", name)
        return row

    def cycles(self) -> list[Cycle]:
        """Every cycle, newest first."""
        with self._tx(write=False) as s:
            rows = s.scalars(
                select(CycleRow).order_by(CycleRow.created_at.desc(), CycleRow.id.desc())
            )
            return [to_cycle(r) for r in rows]

    def cycle(self, name: str | None = None) -> Cycle:
        """The named cycle, or the newest one."""
        with self._tx(write=False) as s:
            return to_cycle(self._cycle_row(s, name))

    def update_cycle_config(self, actor: User, cycle: str | None, config_text: str) -> Cycle:
        """Replace a cycle's config TOML after validating it (old and new text audited).
        A ``[review]`` ``blind`` or ``avoid_own_program`` value the new config changes is
        applied to the cycle; one it leaves alone keeps the cycle's setting (which
        :meth:`create_cycle` may have set apart from the config)."""
        actor.require(Action.EDIT_CONFIG)
        with self._tx() as s:
            row = self._cycle_row(s, cycle)
            new = loads_config(config_text, f"cycle {row.name}").review
            old = to_cycle(row).config.review
            if new.blind != old.blind:
                row.blind = new.blind
            if new.avoid_own_program != old.avoid_own_program:
                row.avoid_own_program = new.avoid_own_program
            if row.config_text != config_text:
                self._audit(s, actor, row, "cycle.config", row.name, row.config_text, config_text)
                row.config_text = config_text
            return to_cycle(row)
