"""Mail: messages in the recipient's language, sent by SMTP or written to the outbox.

``PORTAL_SMTP_URL`` is ``smtp://host:port`` (plain), ``smtp+starttls://user:pass@host:587``
or ``smtps://user:pass@host:465``. Without it, each mail is written as an ``.eml`` file
to ``var/outbox/`` and logged. ``send_in_background`` never blocks the caller: mail
goes out on two worker threads, retrying transient failures with a growing delay; a
mail that still cannot be sent is kept in ``outbox/failed/`` so a link is never lost.
"""

from __future__ import annotations

import html
import logging
import os
import secrets
import smtplib
import socket
import tempfile
import time
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from urllib.parse import unquote, urlsplit

from pool_portal.services.i18n import normalise_language, t
from pool_portal.settings import get_settings

log = logging.getLogger("pool_portal.mail")

RETRY_DELAYS_S = [0.5, 1.0, 2.0, 4.0, 8.0]  # patched by tests
SMTP_TIMEOUT_S = 10

_executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="mail")
_pending: set[Future] = set()


@dataclass(frozen=True)
class SmtpTarget:
    host: str
    port: int
    mode: str  # "plain" | "starttls" | "ssl"
    username: str | None = None
    password: str | None = None


def parse_smtp_url(url: str) -> SmtpTarget:
    parts = urlsplit(url)
    mode = {"smtp": "plain", "smtp+starttls": "starttls", "smtps": "ssl"}[parts.scheme]
    default_port = {"plain": 25, "starttls": 587, "ssl": 465}[mode]
    return SmtpTarget(
        host=parts.hostname or "localhost",
        port=parts.port or default_port,
        mode=mode,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


# -- composing ------------------------------------------------------------------------
TEMPLATES = {
    "magic_link": ("link", "mail.magic_link.action"),
    "invitation": ("link", "mail.invitation.action"),
    "password_reset": ("link", "mail.password_reset.action"),
}


def render(kind: str, lang: str, **params) -> tuple[str, str, str]:
    """(subject, text, html) of mail ``kind`` in ``lang``; every value is escaped in
    the HTML part, and only http(s) links become links."""
    lang = normalise_language(lang)
    subject = t(f"mail.{kind}.subject", lang, **params)
    body = t(f"mail.{kind}.body", lang, **params)
    link = params.get("link")
    footer = t("mail.footer", lang, **params)
    text = "\n\n".join(p for p in (body, str(link) if link else "", footer) if p)
    paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in body.split("\n\n"))
    button = ""
    if link and urlsplit(str(link)).scheme in ("http", "https"):
        action = t(TEMPLATES.get(kind, ("", "mail.open"))[1], lang)
        button = (
            f'<p><a href="{html.escape(str(link), quote=True)}" '
            f'style="background:#0e7490;color:#fff;padding:10px 16px;border-radius:6px;text-decoration:none">'
            f"{html.escape(action)}</a></p>"
            f"<p style=\"font-size:12px;color:#555\">{html.escape(str(link))}</p>"
        )
    html_part = (
        f'<!doctype html><html lang="{lang}"><body style="font-family:sans-serif;line-height:1.5">'
        f"{paragraphs}{button}<p style=\"font-size:12px;color:#555\">{html.escape(footer)}</p></body></html>"
    )
    return subject, text, html_part


def build_message(to: str, subject: str, text: str, html_part: str | None, lang: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = get_settings().mail_from
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(datetime.now(UTC))
    msg["Message-ID"] = make_msgid(domain="pool-portal.local")
    msg.set_content(text)
    if html_part:
        msg.add_alternative(html_part, subtype="html")
    # After the parts: making the message multipart moves Content-* headers down.
    msg["Content-Language"] = normalise_language(lang)
    return msg


# -- sending ------------------------------------------------------------------------------
class PermanentMailError(Exception):
    """The server refused the mail for good (5xx): retrying will not help."""


def _write_eml(msg: EmailMessage, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{secrets.token_hex(4)}.eml"
    fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
    with os.fdopen(fd, "wb") as fh:
        fh.write(bytes(msg))
    final = folder / name
    os.replace(tmp, final)
    return final


def _smtp_send(msg: EmailMessage, target: SmtpTarget) -> None:
    try:
        if target.mode == "ssl":
            client = smtplib.SMTP_SSL(target.host, target.port, timeout=SMTP_TIMEOUT_S)
        else:
            client = smtplib.SMTP(target.host, target.port, timeout=SMTP_TIMEOUT_S)
        with client:
            if target.mode == "starttls":
                client.starttls()
            if target.username:
                client.login(target.username, target.password or "")
            client.send_message(msg)
    except smtplib.SMTPResponseException as exc:
        if 500 <= exc.smtp_code < 600:
            raise PermanentMailError(f"{exc.smtp_code} {exc.smtp_error!r}") from exc
        raise
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        if codes and all(500 <= c < 600 for c in codes):
            raise PermanentMailError(str(exc.recipients)) from exc
        raise


def send(msg: EmailMessage) -> None:
    """Send now (SMTP) or write to the outbox. Raises on failure."""
    settings = get_settings()
    if not settings.smtp_url:
        path = _write_eml(msg, settings.outbox_dir)
        log.info("mail to %s written to %s", msg["To"], path)
        return
    _smtp_send(msg, parse_smtp_url(settings.smtp_url))


def _send_with_retries(msg: EmailMessage) -> bool:
    attempts = [0.0, *RETRY_DELAYS_S]
    for attempt, delay in enumerate(attempts):
        if delay:
            time.sleep(delay)
        try:
            send(msg)
            return True
        except PermanentMailError as exc:
            log.error("mail to %s refused: %s", msg["To"], exc)
            break
        except (OSError, smtplib.SMTPException, socket.timeout) as exc:
            log.warning("mail to %s failed (attempt %d): %s", msg["To"], attempt + 1, exc)
    path = _write_eml(msg, get_settings().outbox_dir / "failed")
    log.error("mail to %s not sent; kept in %s", msg["To"], path)
    return False


def send_in_background(msg: EmailMessage) -> Future:
    """Queue ``msg``; the future resolves to True when sent, False when kept in failed/."""
    future = _executor.submit(_send_with_retries, msg)
    _pending.add(future)
    future.add_done_callback(_pending.discard)
    return future


def wait_idle(timeout: float | None = None) -> bool:
    """Wait until every queued mail is sent or kept; True when none is left."""
    done, not_done = wait(list(_pending), timeout=timeout)
    return not not_done
