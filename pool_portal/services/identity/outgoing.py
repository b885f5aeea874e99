"""The mails of getting in (sign-in links, invitations, password links): what one is
(``Outgoing``), the link it carries, and sending them.

A service that issues a link registers its mails with ``send_after_commit``: they are
queued on the mail service's worker threads only once the caller's unit of work has
committed the link's token, so a failed transaction sends nothing (and no mail ever
carries a link that does not exist).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlmodel import Session

from pool_portal.services.core import uow
from pool_portal.services.infra import mail
from pool_portal.settings import get_settings


@dataclass(frozen=True)
class Outgoing:
    """A mail to send: template kind, recipient, language and parameters."""

    kind: str
    to: str
    lang: str
    params: dict = field(default_factory=dict)


def link(path: str, token: str) -> str:
    """The public address of a page of the app carrying a link token."""
    return f"{get_settings().public_url}{path}?token={token}"


def page_link(path: str) -> str:
    """The public address of a page of the app (no token)."""
    return f"{get_settings().public_url}{path}"


def send(mails: Sequence[Outgoing]) -> None:
    """Queue the mails; they go out on the mail service's worker threads with retries."""
    for m in mails:
        subject, text, html = mail.render(m.kind, m.lang, **m.params)
        mail.send_in_background(mail.build_message(m.to, subject, text, html, m.lang))


def send_after_commit(db: Session, mails: Sequence[Outgoing]) -> None:
    """Send ``mails`` once the unit of work of ``db`` has committed (never if it fails)."""
    if mails:
        batch = list(mails)
        uow.after_commit(db, lambda: send(batch))
