"""Cycles: one admission year each, with its config TOML and review options.

The demo cycle (:data:`~selector.demo_accounts.DEMO_CYCLE`) never takes real data: imports and
score files into it are refused (:func:`demo_cycle_refused`)."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from selector.auth import (
    MIN_PASSWORD_LENGTH,
    SYSTEM_USER,
    Action,
    Role,
    User,
    hash_password,
    normalize_email,
)
from selector.config import TrackConfig, loads_config
from selector.demo_accounts import DEMO_CYCLE, accounts, demo_emails
from selector.emails import is_email
from selector.errors import InputError, PermissionDenied, SelectorError
from selector.store.schema import CycleRow, TrackRow
from selector.store.users import UsersMixin, _to_user


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
    track: str = ""  # the name of the track the cycle belongs to

    @property
    def config(self) -> TrackConfig:
        """The validated track config of this cycle."""
        return _parse_config(self.config_text, self.name)


@dataclass(frozen=True)
class NewAccount:
    """An account the guided start makes: e-mail, name and password (as typed; typed twice
    when ``password_again`` is given)."""

    email: str
    name: str
    password: str
    password_again: str | None = None


def to_cycle(row: CycleRow) -> Cycle:
    track = row.track.name if row.track is not None else ""
    return Cycle(row.name, row.config_text, row.blind, row.avoid_own_program, row.created_at, track)


#: A track's name when neither the caller nor the config's ``[track] name`` gives one.
DEFAULT_TRACK = "Track"


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
        track: str | None = None,
    ) -> Cycle:
        """Create a cycle with its config; ``blind``/``avoid_own_program`` default to the
        config's ``[review]`` values. The cycle joins ``track`` (made when new), else the
        track of the newest real cycle, else a new track named by the config's ``[track]
        name`` (:meth:`_track_for`). A real cycle next to the demo one disables the demo
        logins, whose passwords are public (:mod:`selector.demo_accounts`); a demo account
        must first add an account for itself (else it would lock itself out)."""
        actor.require(Action.MANAGE_CYCLES)
        name = name.strip()
        leaving_demo = name != DEMO_CYCLE and self._leaving_demo(actor)
        with self._tx() as s:
            created = to_cycle(
                self._insert_cycle(s, actor, name, config_text, blind, avoid_own_program, track)
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
        track: str | None = None,
    ) -> CycleRow:
        """Add a cycle inside the caller's transaction (audited)."""
        if not name:
            raise InputError("cycle_name_empty", "a cycle needs a name")
        config = loads_config(config_text, f"cycle {name}")
        if s.scalars(select(CycleRow).where(CycleRow.name == name)).first() is not None:
            raise InputError("cycle_exists", f"a cycle named {name!r} already exists")
        row = CycleRow(
            name=name,
            track=self._track_for(s, actor, name, config, track),
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

    def _track_for(
        self, s: Session, actor: User, cycle: str, config: TrackConfig, track: str | None
    ) -> TrackRow:
        """The track a new cycle joins: the named one (made when new); else the track of the
        newest cycle that is not the demo's; else a new one named by the config's ``[track]
        name`` (or :data:`DEFAULT_TRACK`). The demo cycle always gets a track of its own."""
        if track is None or not track.strip():
            if cycle != DEMO_CYCLE:
                newest = s.scalars(
                    select(CycleRow)
                    .where(CycleRow.name != DEMO_CYCLE, CycleRow.track_id.is_not(None))
                    .order_by(CycleRow.created_at.desc(), CycleRow.id.desc())
                ).first()
                if newest is not None and newest.track is not None:
                    return newest.track
            track = config.track.name if config.track is not None else DEFAULT_TRACK
            if cycle == DEMO_CYCLE:
                track = f"{track} ({DEMO_CYCLE})"
        name = track.strip()[:200]
        row = s.scalars(select(TrackRow).where(TrackRow.name == name)).first()
        if row is None:
            row = TrackRow(name=name)
            s.add(row)
            s.flush()
            self._audit(s, actor, None, "track.create", name)
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

    def start_real_use(
        self,
        actor: User,
        coordinator: NewAccount,
        chair: NewAccount,
        cycle: str,
        config_text: str,
    ) -> tuple[User, User, Cycle]:
        """The guided way from the demo to real use, all or nothing: the coordinator's and
        the chair's own accounts and the first real cycle are made, and the demo logins end,
        in one transaction, so nobody is locked out on the way.

        Everything is checked before anything is written, and every problem is named at once
        (one :class:`InputError` ``start_invalid`` listing them). From the dashboard only the
        demo coordinator may, while the demo logins work; the CLI (system user) always."""
        if not actor.system and not (
            actor.role == Role.COORDINATOR and actor.email in demo_emails() and self._demo_live()
        ):
            raise PermissionDenied(
                "start_not_demo",
                "the guided start leaves the demo; with the demo over, add accounts under "
                "Reviewers & assignments and cycles on the Upload page",
                action="start real use",
                role=str(actor.role),
            )
        name = cycle.strip()
        problems = self._start_problems(coordinator, chair, name, config_text)
        if problems:
            raise InputError("start_invalid", "; ".join(problems), problems=problems)
        hashes = [hash_password(a.password) for a in (coordinator, chair)]  # slow: outside
        with self._tx() as s:
            made = [
                self._insert_user(
                    s, actor, normalize_email(a.email), a.name.strip() or a.email, role, h, ""
                )
                for a, role, h in zip(
                    (coordinator, chair), (Role.COORDINATOR, Role.CHAIR), hashes, strict=True
                )
            ]
            row = self._insert_cycle(s, actor, name, config_text)
            for demo in accounts():
                self._disable_login(s, SYSTEM_USER, demo["email"])
            return _to_user(made[0]), _to_user(made[1]), to_cycle(row)

    def _start_problems(
        self, coordinator: NewAccount, chair: NewAccount, cycle: str, config_text: str
    ) -> list[str]:
        """Every reason :meth:`start_real_use` would fail, in words (empty: it will not)."""
        problems: list[str] = []
        emails = {}
        for who, account in (("coordinator", coordinator), ("chair", chair)):
            email = normalize_email(account.email)
            emails[who] = email
            if not is_email(email):
                problems.append(f"the {who}'s e-mail {account.email.strip()!r} is not an address")
            elif email in demo_emails():
                problems.append(f"the {who}'s e-mail is a demo account's; use a real one")
            elif self.user(email) is not None:
                problems.append(f"an account {email!r} already exists")
            if len(account.password) < MIN_PASSWORD_LENGTH:
                problems.append(
                    f"the {who}'s password needs at least {MIN_PASSWORD_LENGTH} characters"
                )
            elif account.password_again not in (None, account.password):
                problems.append(f"the {who}'s two passwords differ")
        if emails["coordinator"] and emails["coordinator"] == emails["chair"]:
            problems.append("the chair needs an e-mail of their own, not the coordinator's")
        if not cycle:
            problems.append("the cycle needs a name")
        elif cycle == DEMO_CYCLE:
            problems.append(f"{DEMO_CYCLE!r} is the demo cycle's name; choose another")
        else:
            with self._tx(write=False) as s:
                if s.scalar(select(CycleRow.id).where(CycleRow.name == cycle)) is not None:
                    problems.append(f"a cycle named {cycle!r} already exists")
        try:
            loads_config(config_text, f"cycle {cycle or 'new'}")
        except SelectorError as exc:
            problems.append(str(exc))
        return problems
