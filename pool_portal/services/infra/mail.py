"""Mail: messages in the recipient's language, sent by SMTP or written to the outbox.

``PORTAL_SMTP_URL`` is ``smtp://host:port`` (plain), ``smtp+starttls://user:pass@host:587``
(STARTTLS) or ``smtps://user:pass@host:465`` (implicit TLS); user and password are
URL-decoded (``%40`` for ``@``). Without it, each mail is written as an ``.eml`` file to
``settings.outbox_dir`` and a log line says where.

``send_in_background`` never blocks the caller: mail goes out on two worker threads,
retrying transient failures (refused connection, timeout, SMTP 4xx) with a growing
delay. A mail that still cannot be sent, or that the server refuses for good (5xx), is
kept in ``outbox/failed/`` so a link is never lost.

Plain Python: no Reflex here.
"""

from __future__ import annotations

import html as _html
import logging
import os
import secrets
import smtplib
import ssl
import tempfile
import threading
from collections.abc import Sequence
from concurrent.futures import CancelledError, Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path
from time import monotonic
from urllib.parse import unquote, urlsplit

from pool_portal.presentation import palette
from pool_portal.services.core.i18n import catalogue, normalise_language, t
from pool_portal.settings import get_settings

log = logging.getLogger("pool_portal.mail")

# Waits before each retry: 5 retries after the first attempt. Tests patch this (or pass
# ``delays=`` to send_in_background).
RETRY_DELAYS_S: Sequence[float] = (0.5, 1.0, 2.0, 4.0, 8.0)
SMTP_TIMEOUT_S = 10
FAILED_DIR = "failed"

_executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="mail")
_pending: set[Future] = set()
_pending_lock = threading.Lock()
# Set by flush(): stop waiting between retries; what fails now is kept in failed/.
_hurry = threading.Event()


# -- the SMTP URL ---------------------------------------------------------------------------
_MODES = {"smtp": "plain", "smtp+starttls": "starttls", "smtps": "ssl"}
_DEFAULT_PORTS = {"plain": 25, "starttls": 587, "ssl": 465}


@dataclass(frozen=True)
class SmtpTarget:
    host: str
    port: int
    mode: str  # "plain" | "starttls" | "ssl"
    username: str | None = None
    password: str | None = field(default=None, repr=False)


def parse_smtp_url(url: str) -> SmtpTarget:
    """``smtp[s|+starttls]://[user[:password]@]host[:port]``; user and password are
    URL-decoded. Raises ValueError for another scheme or no host."""
    parts = urlsplit(url.strip())
    mode = _MODES.get(parts.scheme.lower())
    if mode is None or not parts.hostname:
        raise ValueError("must look like smtp://host:port or smtps://user:pass@host:465")
    return SmtpTarget(
        host=parts.hostname,
        port=parts.port or _DEFAULT_PORTS[mode],
        mode=mode,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password is not None else None,
    )


# -- templates ------------------------------------------------------------------------------
# kind -> the params its catalogue texts need. Texts live in the catalogue as
# mail.<kind>.subject / .body / .action (button) and, optionally, .note (after the quote).
KINDS: dict[str, tuple[str, ...]] = {
    "magic_link": ("tenant_name", "link", "minutes"),
    "invitation": ("tenant_name", "link", "days", "inviter_name"),
    "staff_invitation": ("tenant_name", "link", "days", "inviter_name"),
    "password_reset": ("tenant_name", "link", "days"),
    "password_changed": ("tenant_name", "link"),
    "staff_password_changed": ("tenant_name", "link"),
    "incident_reply": ("tenant_name", "reference", "link", "excerpt"),
    "incident_solved": ("tenant_name", "reference", "link", "resolution"),
    "new_incident": ("tenant_name", "reference", "link", "client_name", "site_name"),
    "incident_message": ("tenant_name", "reference", "link", "excerpt"),
    "quote_sent": ("tenant_name", "number", "link"),
    "invoice_issued": ("tenant_name", "number", "link"),
    "report_approved": ("tenant_name", "number", "link"),
    "payment_receipt": ("tenant_name", "number", "amount", "link"),
}
# Free text written by people: shown as a quote under the body, never formatted into it.
_QUOTED = ("excerpt", "resolution")

_MUTED = "font-size:12px;color:#555"
_BUTTON = f"display:inline-block;background:{palette.BRAND_DEFAULT};color:#fff;padding:10px 16px;border-radius:6px;text-decoration:none"
_QUOTE = f"margin:0 0 1em;padding:8px 12px;border-left:3px solid {palette.QUOTE_BORDER_HEX};background:{palette.QUOTE_BACKGROUND_HEX};color:{palette.TEXT_HEX}"


def is_web_link(url: object) -> bool:
    parts = urlsplit(str(url or "").strip())
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def _html_text(text: str) -> str:
    """Escaped paragraphs, single newlines as <br>."""
    return "".join(
        f"<p>{'<br>'.join(_html.escape(line) for line in para.split(chr(10)))}</p>"
        for para in text.strip().split("\n\n")
        if para.strip()
    )


def render(kind: str, lang: str, **params: object) -> tuple[str, str, str]:
    """(subject, text, html) of mail ``kind`` in ``lang`` (en/es; others fall back to
    English). Every value is escaped in the HTML part and only an http(s) link becomes a
    link. Raises ValueError for an unknown kind or a missing param."""
    if kind not in KINDS:
        raise ValueError(f"unknown mail kind {kind!r}")
    missing = [p for p in KINDS[kind] if params.get(p) is None]
    if missing:
        raise ValueError(f"mail {kind!r} needs {', '.join(missing)}")
    lang = normalise_language(lang)
    texts = catalogue(lang)
    fmt = {k: ("" if v is None else v) for k, v in params.items()}

    subject = " ".join(t(f"mail.{kind}.subject", lang, **fmt).split())
    body = t(f"mail.{kind}.body", lang, **fmt)
    quote = "\n\n".join(str(params[p]).strip() for p in _QUOTED if p in KINDS[kind] and str(params[p]).strip())
    note = t(f"mail.{kind}.note", lang, **fmt) if f"mail.{kind}.note" in texts else ""
    action = t(f"mail.{kind}.action" if f"mail.{kind}.action" in texts else "mail.open", lang)
    footer = t("mail.footer", lang, **fmt)
    link = str(params.get("link") or "").strip()

    quoted_text = "\n".join(f"> {line}".rstrip() for line in quote.splitlines())
    text = "\n\n".join(p for p in (body, quoted_text, note, f"{action}: {link}" if link else "", "-- \n" + footer) if p)

    parts = [_html_text(body)]
    if quote:
        lines = "<br>".join(_html.escape(line) for line in quote.splitlines())
        parts.append(f'<blockquote style="{_QUOTE}">{lines}</blockquote>')
    if note:
        parts.append(_html_text(note))
    if is_web_link(link):
        href = _html.escape(link, quote=True)
        parts.append(f'<p><a href="{href}" style="{_BUTTON}">{_html.escape(action)}</a></p>')
        parts.append(f'<p style="{_MUTED}">{_html.escape(link)}</p>')
    elif link:  # not a web address: shown, never clickable
        parts.append(f'<p style="{_MUTED}">{_html.escape(link)}</p>')
    parts.append(f'<p style="{_MUTED}">{_html.escape(footer)}</p>')
    html_part = (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{_html.escape(subject)}</title></head>"
        f'<body style="font-family:sans-serif;line-height:1.5;color:#111">{"".join(parts)}</body></html>'
    )
    return subject, text, html_part


# -- building -------------------------------------------------------------------------------
def _msgid_domain(mail_from: str) -> str:
    domain = parseaddr(mail_from)[1].rpartition("@")[2].strip().strip("[]")
    return domain or "pool-portal.local"


def build_message(to: str, subject: str, text: str, html: str | None, lang: str) -> EmailMessage:
    """A multipart/alternative mail (text, then HTML when given) from settings.mail_from,
    with Date, Message-ID and Content-Language."""
    mail_from = get_settings().mail_from
    msg = EmailMessage()
    msg["From"] = mail_from
    msg["To"] = to
    msg["Subject"] = " ".join(subject.split())  # no line breaks in a header
    msg["Date"] = format_datetime(datetime.now(UTC))
    msg["Message-ID"] = make_msgid(domain=_msgid_domain(mail_from))
    msg.set_content(text)
    if html:
        msg.add_alternative(html, subtype="html")
    # After the parts: turning the message multipart moves Content-* headers down.
    msg["Content-Language"] = normalise_language(lang)
    return msg


@dataclass(frozen=True)
class Message:
    """A mail to one recipient, before it becomes an EmailMessage."""

    to: str
    subject: str
    text: str
    html: str | None = None
    lang: str = "en"

    @classmethod
    def from_template(cls, kind: str, to: str, lang: str, **params: object) -> Message:
        subject, text, html = render(kind, lang, **params)
        return cls(to, subject, text, html, normalise_language(lang))

    def build(self) -> EmailMessage:
        return build_message(self.to, self.subject, self.text, self.html, self.lang)


def compose(kind: str, to: str, lang: str, **params: object) -> EmailMessage:
    """render() + build_message() in one go."""
    return Message.from_template(kind, to, lang, **params).build()


def _as_email(message: EmailMessage | Message) -> EmailMessage:
    return message.build() if isinstance(message, Message) else message


# -- the outbox -----------------------------------------------------------------------------
def _write_eml(msg: EmailMessage, folder: Path) -> Path:
    """Write ``msg`` whole under a private name, then rename it into place: a reader
    never sees half a file. Names sort by time (UTC, microseconds) + a random part."""
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / f"{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}-{secrets.token_hex(4)}.eml"
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".", suffix=".tmp")  # 0600: links are secrets
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(bytes(msg))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, final)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return final


def _keep_failed(msg: EmailMessage, reason: str) -> Path | None:
    try:
        path = _write_eml(msg, get_settings().outbox_dir / FAILED_DIR)
    except Exception:
        log.exception("mail to %s (%s) NOT sent and could not be kept: %s", msg["To"], msg["Subject"], reason)
        return None
    log.error("mail to %s (%s) not sent (%s); kept in %s", msg["To"], msg["Subject"], reason, path)
    return path


# -- sending --------------------------------------------------------------------------------
class PermanentMailError(Exception):
    """The server refused the mail for good (5xx, or a setup it cannot do): retrying
    will not help."""


def _smtp_send(msg: EmailMessage, target: SmtpTarget) -> None:
    context = ssl.create_default_context()  # verifies the server's certificate
    if target.mode == "ssl":
        client = smtplib.SMTP_SSL(target.host, target.port, timeout=SMTP_TIMEOUT_S, context=context)
    else:
        client = smtplib.SMTP(target.host, target.port, timeout=SMTP_TIMEOUT_S)
    with client:
        if target.mode == "starttls":
            client.starttls(context=context)
        if target.username:
            client.login(target.username, target.password or "")
        client.send_message(msg)


def _is_permanent(exc: BaseException) -> bool:
    if isinstance(exc, smtplib.SMTPResponseException):  # a reply with a code
        return 500 <= exc.smtp_code < 600
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return bool(codes) and all(500 <= c < 600 for c in codes)
    # No STARTTLS/AUTH on the server, or a certificate we cannot trust: a setup problem.
    return isinstance(exc, (smtplib.SMTPNotSupportedError, ssl.SSLCertVerificationError))


def is_transient(exc: BaseException) -> bool:
    """Worth trying again: refused connection, timeout, disconnect, SMTP 4xx."""
    if isinstance(exc, PermanentMailError) or _is_permanent(exc):
        return False
    return isinstance(exc, (OSError, smtplib.SMTPException))  # SMTPException is an OSError


def send(message: EmailMessage | Message) -> None:
    """Send now, by SMTP (10 s timeout) or into the outbox when PORTAL_SMTP_URL is unset.
    Raises PermanentMailError when the server refuses for good, else the error itself."""
    msg = _as_email(message)
    settings = get_settings()
    if not settings.smtp_url:
        path = _write_eml(msg, settings.outbox_dir)
        log.info("mail to %s (%s) written to %s", msg["To"], msg["Subject"], path)
        return
    target = parse_smtp_url(settings.smtp_url)
    try:
        _smtp_send(msg, target)
    except OSError as exc:  # smtplib's and ssl's errors are OSErrors
        if _is_permanent(exc):
            raise PermanentMailError(f"{type(exc).__name__}: {exc}") from exc
        raise
    log.info("mail to %s (%s) sent via %s:%s", msg["To"], msg["Subject"], target.host, target.port)


def _send_with_retries(msg: EmailMessage, delays: Sequence[float]) -> bool:
    waits = [0.0, *delays]
    for attempt, delay in enumerate(waits, start=1):
        if delay and _hurry.wait(delay):
            _keep_failed(msg, "shutting down")
            return False
        try:
            send(msg)
            return True
        except Exception as exc:
            if not is_transient(exc):
                # A refusal is the server's answer; anything else is our bug: show where.
                log.warning("mail to %s refused: %s", msg["To"], exc, exc_info=not isinstance(exc, PermanentMailError))
                _keep_failed(msg, f"refused: {exc}")
                return False
            log.warning("mail to %s failed (attempt %d of %d): %s", msg["To"], attempt, len(waits), exc)
            if _hurry.is_set():
                break
    _keep_failed(msg, f"{len(waits)} attempts failed" if not _hurry.is_set() else "shutting down")
    return False


def send_in_background(message: EmailMessage | Message, *, delays: Sequence[float] | None = None) -> Future:
    """Queue the mail and return at once. The future resolves to True when it was sent
    (or written to the outbox), False when it was kept in outbox/failed/. ``delays``:
    the waits before each retry (default RETRY_DELAYS_S)."""
    msg = _as_email(message)
    waits = tuple(RETRY_DELAYS_S if delays is None else delays)
    with _pending_lock:
        try:
            future = _executor.submit(_send_with_retries, msg, waits)
        except RuntimeError:  # the interpreter is shutting down: keep it, do not lose it
            future = Future()
            _keep_failed(msg, "shutting down")
            future.set_result(False)
            return future
        _pending.add(future)
    future.add_done_callback(_forget)
    return future


def _forget(future: Future) -> None:
    with _pending_lock:
        _pending.discard(future)


def pending() -> int:
    """How many queued mails are not done yet."""
    with _pending_lock:
        return len(_pending)


def wait_idle(timeout: float | None = None) -> bool:
    """Wait until every queued mail is sent or kept in failed/ (also those queued while
    waiting). True when none is left, False when ``timeout`` ran out first."""
    deadline = None if timeout is None else monotonic() + timeout
    while True:
        with _pending_lock:
            futures = list(_pending)
        if not futures:
            return True
        for future in futures:
            left = None if deadline is None else deadline - monotonic()
            if left is not None and left <= 0:
                return False
            try:
                future.exception(timeout=left)  # waits; never raises the mail's own error
            except TimeoutError:
                return False
            except CancelledError:
                pass


def flush(timeout: float | None = 30.0) -> bool:
    """For shutdown: stop waiting between retries, so each queued mail gets at most one
    more attempt and otherwise goes to outbox/failed/; wait up to ``timeout``. True when
    nothing is left."""
    _hurry.set()
    try:
        return wait_idle(timeout)
    finally:
        _hurry.clear()


# At interpreter exit the executor's threads are joined; flush first so that pending
# mails do not sit out their retry waits (threading runs these callbacks last-in
# first-out, so this one runs before concurrent.futures joins the workers).
_register_atexit = getattr(threading, "_register_atexit", None)
if _register_atexit is not None:
    _register_atexit(_hurry.set)
