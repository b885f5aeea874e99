"""Mail through a real SMTP server (aiosmtpd on loopback), the outbox, and retries.

No fixed sleeps: tests wait on futures, on events, or poll with a deadline.
"""

from __future__ import annotations

import json
import logging
import re
import smtplib
import socket
import threading
import time
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from pool_portal import settings as settings_module
from pool_portal.services.infra import mail

LINK = "https://portal.example.com/portal/magic?token=abc&x=1"
TRANSLATIONS = Path(settings_module.__file__).resolve().parent / "translations"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def parse(raw: bytes):
    return message_from_bytes(raw, policy=policy.default)


def parts(msg) -> tuple[str, str]:
    return (
        msg.get_body(preferencelist=("plain",)).get_content(),
        msg.get_body(preferencelist=("html",)).get_content(),
    )


class Collector:
    """aiosmtpd handler: keeps every mail it accepts; ``replies`` are given to DATA in
    turn (the last one repeats)."""

    def __init__(self, *replies: str):
        self.replies = list(replies or ["250 OK"])
        self.envelopes = []
        self.data_calls = 0
        self.arrived = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        reply = self.replies[min(self.data_calls, len(self.replies) - 1)]
        self.data_calls += 1
        if reply.startswith("250"):
            self.envelopes.append(envelope)
            self.arrived.set()
        return reply

    @property
    def messages(self):
        return [parse(e.content) for e in self.envelopes]


@pytest.fixture
def env(tmp_path, monkeypatch):
    """A private data dir, no SMTP URL; cached settings cleared before and after; no
    background mail left running after the test."""
    data = tmp_path / "var"
    monkeypatch.setenv("PORTAL_DATA_DIR", str(data))
    monkeypatch.delenv("PORTAL_SMTP_URL", raising=False)
    monkeypatch.delenv("PORTAL_MAIL_FROM", raising=False)
    settings_module.get_settings.cache_clear()

    def use(**variables: str) -> None:
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        settings_module.get_settings.cache_clear()

    use.data = data
    use.outbox = data / "outbox"
    use.failed = data / "outbox" / "failed"
    yield use
    assert mail.flush(timeout=30), "background mail still running after the test"
    settings_module.get_settings.cache_clear()


@pytest.fixture
def smtp_server(env):
    """Start aiosmtpd on 127.0.0.1 (a free port, or the one given) and point
    PORTAL_SMTP_URL at it; every server is stopped after the test."""
    controllers = []

    def start(*replies: str, port: int | None = None, set_url: bool = True) -> Collector:
        collector = Collector(*replies)
        controller = Controller(collector, hostname="127.0.0.1", port=port or free_port())
        controller.start()
        controllers.append(controller)
        if set_url:
            env(PORTAL_SMTP_URL=f"smtp://127.0.0.1:{controller.port}")
        return collector

    yield start
    for controller in controllers:
        controller.stop()


@pytest.fixture
def attempts(monkeypatch):
    """Counts SMTP attempts (and their failures) without changing them."""
    record = {"calls": 0, "failures": 0, "failed_once": threading.Event()}
    real = mail._smtp_send

    def spy(msg, target):
        record["calls"] += 1
        try:
            return real(msg, target)
        except Exception:
            record["failures"] += 1
            record["failed_once"].set()
            raise

    monkeypatch.setattr(mail, "_smtp_send", spy)
    return record


def magic(lang="es", to="cliente@example.com", **params):
    params = {"tenant_name": "Piscinas Ñandú", "link": LINK, "minutes": 15, **params}
    return mail.compose("magic_link", to, lang, **params)


def eml_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.eml")) if folder.is_dir() else []


# -- real SMTP ------------------------------------------------------------------------------
def test_a_spanish_mail_arrives_whole_over_smtp(smtp_server, env):
    env(PORTAL_MAIL_FROM="Piscinas Ñandú <avisos@piscinas.example>")
    box = smtp_server()
    mail.send(magic("es"))

    assert len(box.envelopes) == 1
    envelope = box.envelopes[0]
    assert envelope.mail_from == "avisos@piscinas.example"
    assert envelope.rcpt_tos == ["cliente@example.com"]
    got = box.messages[0]
    assert got.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in got.iter_parts()] == ["text/plain", "text/html"]
    assert got["To"] == "cliente@example.com"
    assert got["From"] == "Piscinas Ñandú <avisos@piscinas.example>"
    assert got["Subject"] == "Tu enlace de acceso a Piscinas Ñandú"
    assert got["Content-Language"] == "es"
    assert got["Date"] and got["Message-ID"].endswith("@piscinas.example>")
    text, html_part = parts(got)
    assert "Aquí tienes tu enlace" in text and "caduca en 15 minutos" in text
    assert "Sirve una sola vez" in text and "puedes ignorar este correo" in text
    assert LINK in text
    assert 'href="https://portal.example.com/portal/magic?token=abc&amp;x=1"' in html_part
    assert "Piscinas Ñandú" in html_part and '<html lang="es">' in html_part


def test_html_escapes_a_malicious_param(smtp_server):
    box = smtp_server()
    evil = "<script>alert(1)</script>"
    mail.send(magic("en", tenant_name=evil))
    got = box.messages[0]
    text, html_part = parts(got)
    assert "<script>" not in html_part
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html_part
    assert evil in text  # the text part is plain text: nothing to escape
    assert got["Subject"] == f"Your sign-in link for {evil}"


def test_a_4xx_reply_is_retried(smtp_server, env, attempts):
    box = smtp_server("451 try again later", "250 OK")
    future = mail.send_in_background(magic("en"), delays=[0.01] * 5)
    assert future.result(timeout=30) is True
    assert box.data_calls == 2 and len(box.envelopes) == 1
    assert attempts["calls"] == 2
    assert eml_files(env.failed) == []


def test_background_send_retries_until_the_server_is_up(smtp_server, env, attempts, monkeypatch):
    port = free_port()
    env(PORTAL_SMTP_URL=f"smtp://127.0.0.1:{port}")
    monkeypatch.setattr(mail, "RETRY_DELAYS_S", (0.1, 0.2, 0.4, 0.8, 1.6))  # the module default, patched

    future = mail.send_in_background(magic("es"))
    assert attempts["failed_once"].wait(10), "the first attempt should have been refused"
    box = smtp_server(port=port, set_url=False)  # comes up only now

    assert future.result(timeout=30) is True
    assert box.arrived.is_set() and len(box.envelopes) == 1
    assert box.messages[0]["Subject"] == "Tu enlace de acceso a Piscinas Ñandú"
    assert attempts["failures"] >= 1 and attempts["calls"] == attempts["failures"] + 1
    assert eml_files(env.failed) == []


def test_kept_in_failed_when_the_server_never_comes_up(env, attempts, monkeypatch, caplog):
    env(PORTAL_SMTP_URL=f"smtp://127.0.0.1:{free_port()}")  # nobody listens there
    monkeypatch.setattr(mail, "RETRY_DELAYS_S", (0.01,) * 5)
    caplog.set_level(logging.WARNING, logger="pool_portal.mail")

    assert mail.send_in_background(magic("en")).result(timeout=30) is False
    assert attempts["calls"] == 6  # the first attempt + 5 retries
    [kept] = eml_files(env.failed)
    text, _ = parts(parse(kept.read_bytes()))
    assert LINK in text
    assert eml_files(env.outbox) == []  # only in failed/
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert errors and str(kept) in errors[-1].getMessage()


def test_a_5xx_refusal_is_not_retried(smtp_server, env, attempts):
    box = smtp_server("550 no such user")
    assert mail.send_in_background(magic("en"), delays=[0.01] * 5).result(timeout=30) is False
    assert attempts["calls"] == 1 and box.data_calls == 1 and box.envelopes == []
    [kept] = eml_files(env.failed)
    assert parse(kept.read_bytes())["To"] == "cliente@example.com"


def test_send_raises_permanent_error_on_5xx(smtp_server):
    smtp_server("554 go away")
    with pytest.raises(mail.PermanentMailError):
        mail.send(magic("en"))


def test_flush_stops_waiting_between_retries(env, monkeypatch):
    env(PORTAL_SMTP_URL=f"smtp://127.0.0.1:{free_port()}")
    future = mail.send_in_background(magic("en"), delays=[30.0] * 5)
    assert not future.done()  # the caller never waits for the mail
    started = time.monotonic()
    assert mail.flush(timeout=20) is True
    assert time.monotonic() - started < 15  # not 150 s of retry waits
    assert future.result(timeout=0) is False
    assert len(eml_files(env.failed)) == 1
    assert mail.pending() == 0


# -- the outbox -----------------------------------------------------------------------------
def test_outbox_when_no_smtp_url(env, caplog):
    caplog.set_level(logging.INFO, logger="pool_portal.mail")
    mail.send(magic("en"))
    [eml] = eml_files(env.outbox)
    assert re.fullmatch(r"\d{8}T\d{12}Z-[0-9a-f]{8}\.eml", eml.name)
    assert [p.name for p in env.outbox.iterdir() if p.is_file()] == [eml.name]  # no temp file left
    got = parse(eml.read_bytes())
    text, html_part = parts(got)
    assert LINK in text and "expires in 15 minutes" in text
    assert 'href="https://portal.example.com/portal/magic?token=abc&amp;x=1"' in html_part
    assert got["Content-Language"] == "en"
    assert any(str(eml) in r.getMessage() for r in caplog.records if r.name == "pool_portal.mail")


def test_outbox_in_background_and_wait_idle(env):
    futures = [mail.send_in_background(magic("en", to=f"c{i}@example.com")) for i in range(5)]
    assert mail.wait_idle(timeout=30) is True
    assert [f.result(timeout=0) for f in futures] == [True] * 5
    files = eml_files(env.outbox)
    assert len(files) == 5 and len({f.name for f in files}) == 5
    assert sorted(parse(f.read_bytes())["To"] for f in files) == [f"c{i}@example.com" for i in range(5)]


def test_the_sender_pool_is_small():
    assert mail._executor._max_workers == 2


# -- the SMTP URL ---------------------------------------------------------------------------
def test_smtp_url_forms():
    assert mail.parse_smtp_url("smtp://127.0.0.1:8025") == mail.SmtpTarget("127.0.0.1", 8025, "plain")
    assert mail.parse_smtp_url("smtp://mail.example.com").port == 25
    target = mail.parse_smtp_url("smtp+starttls://me%40x.com:p%40ss%2Fw%3A1@mail.example.com:587")
    assert target == mail.SmtpTarget("mail.example.com", 587, "starttls", "me@x.com", "p@ss/w:1")
    assert mail.parse_smtp_url("smtp+starttls://u:p@h").port == 587
    target = mail.parse_smtp_url("smtps://user:s%40cr%20t@smtp.example.com")
    assert (target.port, target.mode, target.username, target.password) == (465, "ssl", "user", "s@cr t")
    assert "s@cr t" not in repr(target)  # the password stays out of logs
    with pytest.raises(ValueError):
        mail.parse_smtp_url("http://example.com")


@pytest.mark.parametrize(
    ("url", "starttls"),
    [
        ("smtp+starttls://me%40x.com:p%40ss@mail.example.com:587", True),
        ("smtps://me%40x.com:p%40ss@mail.example.com", False),
    ],
)
def test_tls_modes_log_in_with_the_decoded_credentials(env, monkeypatch, url, starttls):
    calls = []

    def fake(name):
        class FakeSMTP:
            def __init__(self, host, port, timeout=None, context=None):
                calls.append((name, host, port, timeout, context and context.verify_mode.name))

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                return False

            def starttls(self, context=None):
                calls.append(("starttls", context.verify_mode.name))

            def login(self, user, password):
                calls.append(("login", user, password))

            def send_message(self, msg):
                calls.append(("sent", msg["To"]))

        return FakeSMTP

    monkeypatch.setattr(mail.smtplib, "SMTP", fake("SMTP"))
    monkeypatch.setattr(mail.smtplib, "SMTP_SSL", fake("SMTP_SSL"))
    env(PORTAL_SMTP_URL=url)
    mail.send(magic("en"))
    if starttls:
        expected = [("SMTP", "mail.example.com", 587, 10, None), ("starttls", "CERT_REQUIRED")]
    else:
        expected = [("SMTP_SSL", "mail.example.com", 465, 10, "CERT_REQUIRED")]
    assert calls == [*expected, ("login", "me@x.com", "p@ss"), ("sent", "cliente@example.com")]


# -- templates ------------------------------------------------------------------------------
SAMPLE = {
    "tenant_name": "AquaDemo",
    "link": LINK,
    "minutes": 15,
    "days": 3,
    "inviter_name": "Marta Gómez",
    "reference": "INC-0042",
    "excerpt": "The pump is still noisy.\nCan you come on Monday?",
    "resolution": "Replaced the pump seal & cleaned the filter.",
    "client_name": "Hotel Mar Azul",
    "site_name": "Main pool",
    "number": "Q-2025-007",
    "amount": "€121.00",
}


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("kind", sorted(mail.KINDS))
def test_every_kind_renders_in_both_languages(kind, lang):
    params = {p: SAMPLE[p] for p in mail.KINDS[kind]}
    subject, text, html_part = mail.render(kind, lang, **params)
    for part in (subject, text, html_part):
        assert "mail." not in part and "{" not in part, part  # no missing key, no placeholder left
    assert "\n" not in subject
    assert LINK in text and 'href="https://portal.example.com/portal/magic?token=abc&amp;x=1"' in html_part
    assert f'<html lang="{lang}">' in html_part
    for p in ("reference", "number", "client_name", "site_name", "inviter_name"):
        if p in params:
            assert params[p] in text and params[p] in html_part
    if "excerpt" in params:
        assert "> The pump is still noisy.\n> Can you come on Monday?" in text
        assert "The pump is still noisy.<br>Can you come on Monday?" in html_part
    if "resolution" in params:
        assert "Replaced the pump seal &amp; cleaned the filter." in html_part
    other = "es" if lang == "en" else "en"
    assert mail.render(kind, other, **params)[0] != subject  # really translated


@pytest.mark.parametrize(
    ("lang", "phrases"),
    [
        ("en", ["works once", "expires in 15 minutes", "If you did not ask for it, you can ignore"]),
        ("es", ["Sirve una sola vez", "caduca en 15 minutos", "Si no lo has pedido, puedes ignorar"]),
    ],
)
def test_the_magic_link_mail_says_once_expiry_and_ignore(lang, phrases):
    _, text, html_part = mail.render("magic_link", lang, tenant_name="AquaDemo", link=LINK, minutes=15)
    for phrase in phrases:
        assert phrase in text and phrase in html_part


def test_people_written_text_is_escaped_and_only_web_links_are_links():
    _, text, html_part = mail.render(
        "incident_reply",
        "en",
        tenant_name="A&B <Pools>",
        reference='"><img src=x onerror=alert(1)>',
        link="javascript:alert(1)",
        excerpt="<iframe src=//evil></iframe>\n{not_a_placeholder}",
    )
    assert "<img" not in html_part and "<iframe" not in html_part and "<Pools>" not in html_part
    assert "A&amp;B &lt;Pools&gt;" in html_part and "&lt;iframe src=//evil&gt;" in html_part
    assert "href=" not in html_part  # a javascript: link is shown, never clickable
    assert "javascript:alert(1)" in html_part.replace("&#x27;", "'")
    assert "{not_a_placeholder}" in text  # free text is quoted, never formatted


def test_a_line_break_in_a_param_cannot_inject_a_header(env):
    msg = magic("en", tenant_name="Evil\r\nBcc: victim@example.com")
    assert msg["Bcc"] is None
    assert "\n" not in msg["Subject"] and parse(bytes(msg))["Bcc"] is None


def test_render_refuses_unknown_kinds_and_missing_params():
    with pytest.raises(ValueError, match="unknown mail kind"):
        mail.render("spam", "en", tenant_name="x")
    with pytest.raises(ValueError, match="minutes"):
        mail.render("magic_link", "en", tenant_name="x", link=LINK)


def test_an_unknown_language_falls_back_to_english(env):
    msg = mail.Message.from_template(
        "quote_sent", "c@example.com", "fr", tenant_name="AquaDemo", number="Q-1", link=LINK
    )
    assert msg.lang == "en" and msg.subject == "New quote Q-1 from AquaDemo"
    assert msg.build()["Content-Language"] == "en"


def test_mail_keys_are_in_both_catalogues():
    en, es = (json.loads((TRANSLATIONS / f"{lang}.json").read_text(encoding="utf-8")) for lang in ("en", "es"))
    for kind in mail.KINDS:
        for suffix in ("subject", "body", "action"):
            key = f"mail.{kind}.{suffix}"
            assert key in en and key in es and en[key] != es[key], key


def test_smtp_exceptions_are_classified():
    assert mail.is_transient(ConnectionRefusedError())
    assert mail.is_transient(TimeoutError())
    assert mail.is_transient(smtplib.SMTPServerDisconnected("bye"))
    assert mail.is_transient(smtplib.SMTPDataError(451, b"later"))
    assert not mail.is_transient(smtplib.SMTPDataError(550, b"no such user"))
    assert not mail.is_transient(smtplib.SMTPAuthenticationError(535, b"bad credentials"))
    assert not mail.is_transient(smtplib.SMTPRecipientsRefused({"a@b": (550, b"no")}))
    assert mail.is_transient(smtplib.SMTPRecipientsRefused({"a@b": (452, b"full")}))
    assert not mail.is_transient(ValueError("a bug"))
