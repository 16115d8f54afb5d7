"""Sending letters over SMTP: the settings, and one connection that sends message by message.

Settings come from ``.streamlit/secrets.toml``'s ``[smtp]`` table (the file the dashboard
keeps its secrets in; never commit it), then environment variables ``SELECTOR_SMTP_<KEY>``
(``SELECTOR_SMTP_HOST``, ``SELECTOR_SMTP_PASSWORD``, ...), which win::

    [smtp]
    host = "smtp.hospital.org"
    port = 587                 # default 587
    starttls = true            # default true: upgrade the connection before logging in
    username = "gme-committee"
    password = "..."
    sender = "DEI Leadership Track <gme-committee@hospital.org>"   # the letters' From
    reply_to = ""              # optional
    ca_file = ""               # optional: a CA bundle for an in-house certificate
    timeout = 30               # seconds

An error about the settings never repeats the password; an error about one message names no
address (the server's text may quote it), only the SMTP code.
"""

from __future__ import annotations

import os
import smtplib
import ssl
import tomllib
from collections.abc import Mapping
from email.message import EmailMessage
from pathlib import Path
from types import TracebackType
from typing import Self

from pydantic import BaseModel, ConfigDict, SecretStr, ValidationError, field_validator

from selector.errors import ConfigError, InputError, Location

#: Where the dashboard keeps its secrets (relative to the folder it runs in).
SECRETS_FILE = Path(".streamlit") / "secrets.toml"
ENV_PREFIX = "SELECTOR_SMTP_"


class SmtpSettings(BaseModel):
    """How to reach the mail server, and who the letters come from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    host: str
    port: int = 587
    starttls: bool = True
    username: str = ""
    password: SecretStr = SecretStr("")
    sender: str
    reply_to: str = ""
    ca_file: str = ""
    timeout: float = 30.0

    @field_validator("host", "sender")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        return value.strip()


def load_smtp_settings(
    environ: Mapping[str, str] | None = None, secrets_file: Path | None = None
) -> SmtpSettings:
    """The SMTP settings: ``[smtp]`` of the secrets file, overridden key by key by the
    environment. A :class:`ConfigError` names the missing or wrong keys (never a value)."""
    environ = os.environ if environ is None else environ
    path = SECRETS_FILE if secrets_file is None else secrets_file
    data: dict[str, object] = {}
    if path.is_file():
        try:
            table = tomllib.loads(path.read_text(encoding="utf-8")).get("smtp", {})
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(
                "smtp_settings_unreadable",
                f"cannot read the secrets file ({type(exc).__name__})",
                Location(file=str(path)),
            ) from None
        if isinstance(table, Mapping):
            data.update(table)
    for key in SmtpSettings.model_fields:
        value = environ.get(ENV_PREFIX + key.upper())
        if value is not None:
            data[key] = value
    if not data:
        raise ConfigError(
            "smtp_not_configured",
            f"no mail server configured: add an [smtp] table to {path} or set "
            f"{ENV_PREFIX}HOST and {ENV_PREFIX}SENDER (see docs/letters.md)",
        )
    try:
        return SmtpSettings.model_validate(data)
    except ValidationError as exc:
        wrong = sorted({".".join(str(p) for p in e["loc"]) or "smtp" for e in exc.errors()})
        raise ConfigError(
            "smtp_settings_invalid",
            f"the mail server settings are incomplete or wrong: {', '.join(wrong)} "
            f"(in [smtp] of {path} or {ENV_PREFIX}<KEY>)",
            keys=wrong,
        ) from None


class LetterRefused(Exception):
    """The mail server refused one message; ``reason`` names no address."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Mailer:
    """One SMTP connection (STARTTLS and login as the settings say) that sends messages one
    at a time: ``with Mailer(settings) as mailer: mailer.send(msg)``."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> Self:
        s = self.settings
        where = f"{s.host}:{s.port}"
        try:
            smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
        except (OSError, smtplib.SMTPException) as exc:
            raise InputError(
                "smtp_unavailable",
                f"cannot reach the mail server {where} ({type(exc).__name__}); nothing was sent",
            ) from None
        try:
            smtp.ehlo()
            if s.starttls:
                context = ssl.create_default_context(cafile=s.ca_file or None)
                smtp.starttls(context=context)
                smtp.ehlo()
            if s.username:
                smtp.login(s.username, s.password.get_secret_value())
        except smtplib.SMTPAuthenticationError as exc:
            smtp.close()
            raise InputError(
                "smtp_login_refused",
                f"the mail server {where} refused the login ({exc.smtp_code}); nothing was sent",
            ) from None
        except (OSError, smtplib.SMTPException) as exc:
            smtp.close()
            raise InputError(
                "smtp_unavailable",
                f"the mail server {where} failed before sending ({type(exc).__name__}); "
                "nothing was sent",
            ) from None
        self._smtp = smtp
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (OSError, smtplib.SMTPException):
                self._smtp.close()
            self._smtp = None

    def send(self, msg: EmailMessage) -> None:
        """Send one message; :class:`LetterRefused` (by SMTP code) when the server does not
        take it. A lost connection is raised as it is (the rest cannot go either)."""
        assert self._smtp is not None, "use Mailer as a context manager"
        try:
            refused = self._smtp.send_message(msg)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = sorted({str(code) for code, _ in exc.recipients.values()})
            raise LetterRefused(
                f"the mail server refused the recipient ({', '.join(codes)})"
            ) from None
        except smtplib.SMTPSenderRefused as exc:
            raise LetterRefused(f"the mail server refused the sender ({exc.smtp_code})") from None
        except smtplib.SMTPNotSupportedError:
            raise LetterRefused("the mail server cannot take a non-ASCII address") from None
        except smtplib.SMTPDataError as exc:
            raise LetterRefused(f"the mail server refused the message ({exc.smtp_code})") from None
        if refused:
            codes = sorted({str(code) for code, _ in refused.values()})
            raise LetterRefused(f"the mail server refused the recipient ({', '.join(codes)})")
