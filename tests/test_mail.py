"""Mail through a real SMTP server (aiosmtpd on loopback), the outbox, and retries."""

from __future__ import annotations

import threading
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

from pool_portal.services import mail
from tests.conftest import free_port


class Collector:
    def __init__(self, reply: str = "250 OK"):
        self.reply = reply
        self.messages = []
        self.arrived = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        if self.reply.startswith("250"):
            self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
            self.arrived.set()
        return self.reply


@pytest.fixture
def smtp(isolated_settings, monkeypatch):
    servers = []

    def start(reply: str = "250 OK", port: int | None = None):
        collector = Collector(reply)
        controller = Controller(collector, hostname="127.0.0.1", port=port or free_port())
        controller.start()
        servers.append(controller)
        monkeypatch.setenv("PORTAL_SMTP_URL", f"smtp://127.0.0.1:{controller.port}")
        from pool_portal import settings

        settings.get_settings.cache_clear()
        return collector

    monkeypatch.setattr(mail, "RETRY_DELAYS_S", [0.2, 0.2, 0.2])
    yield start
    for controller in servers:
        controller.stop()


def _message(lang="es", **params):
    params = {"tenant_name": "AquaDemo", "link": "https://portal.example.com/portal/magic?token=abc", "minutes": 10, **params}
    subject, text, html_part = mail.render("magic_link", lang, **params)
    return mail.build_message("cliente@example.com", subject, text, html_part, lang)


def test_a_spanish_mail_arrives_whole(smtp):
    box = smtp()
    mail.send(_message("es"))
    got = box.messages[0]
    assert got["To"] == "cliente@example.com"
    assert got["Subject"] == "Tu enlace de acceso a AquaDemo"
    assert got["Content-Language"] == "es"
    text = got.get_body(preferencelist=("plain",)).get_content()
    html_part = got.get_body(preferencelist=("html",)).get_content()
    assert "caduca en 10 minutos" in text and "https://portal.example.com/portal/magic?token=abc" in text
    assert 'href="https://portal.example.com/portal/magic?token=abc"' in html_part


def test_html_escapes_what_it_is_given(smtp):
    box = smtp()
    mail.send(_message("en", tenant_name="<script>alert(1)</script>", link="javascript:alert(1)"))
    html_part = box.messages[0].get_body(preferencelist=("html",)).get_content()
    assert "<script>" not in html_part and "&lt;script&gt;" in html_part
    assert 'href="javascript' not in html_part


def test_smtp_url_forms():
    assert mail.parse_smtp_url("smtp://127.0.0.1:8025") == mail.SmtpTarget("127.0.0.1", 8025, "plain")
    target = mail.parse_smtp_url("smtps://me%40x.com:p%40ss%2Fw@mail.example.com")
    assert (target.port, target.mode, target.username, target.password) == (465, "ssl", "me@x.com", "p@ss/w")
    assert mail.parse_smtp_url("smtp+starttls://u:p@h").port == 587


def test_outbox_when_no_smtp(isolated_settings):
    mail.send(_message("en"))
    files = list((isolated_settings / "outbox").glob("*.eml"))
    assert len(files) == 1
    parsed = message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert "portal/magic?token=abc" in parsed.get_body(preferencelist=("plain",)).get_content()


def test_background_send_retries_until_the_server_is_up(smtp):
    port = free_port()
    from pool_portal import settings
    import os

    os.environ["PORTAL_SMTP_URL"] = f"smtp://127.0.0.1:{port}"
    settings.get_settings.cache_clear()
    future = mail.send_in_background(_message())
    box = smtp(port=port)  # comes up after the first attempt was refused
    assert future.result(timeout=30) is True
    assert box.arrived.wait(10) and len(box.messages) == 1


def test_kept_in_failed_when_the_server_never_answers(smtp, isolated_settings):
    from pool_portal import settings
    import os

    os.environ["PORTAL_SMTP_URL"] = f"smtp://127.0.0.1:{free_port()}"
    settings.get_settings.cache_clear()
    assert mail.send_in_background(_message()).result(timeout=30) is False
    assert len(list((isolated_settings / "outbox" / "failed").glob("*.eml"))) == 1


def test_a_permanent_refusal_is_not_retried(smtp, isolated_settings, monkeypatch):
    smtp(reply="550 no such user")
    calls = []
    real = mail._smtp_send
    monkeypatch.setattr(mail, "_smtp_send", lambda msg, target: (calls.append(1), real(msg, target)))
    assert mail.send_in_background(_message()).result(timeout=30) is False
    assert len(calls) == 1
    assert len(list((isolated_settings / "outbox" / "failed").glob("*.eml"))) == 1
