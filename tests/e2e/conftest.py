"""Browser journeys: the built app served by `reflex run --env prod` on a free loopback
port, with its own data dir and demo data, driven by Playwright in Debian's Chromium."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
START_TIMEOUT_S = 600  # the first build installs the frontend packages

# Assertions wait for what they expect to see; on a loaded 2-core CI machine a page
# round trip can take a few seconds, so allow 15 s before calling it a failure.
from playwright.sync_api import expect  # noqa: E402

expect.set_options(timeout=15_000)


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(url: str, proc: subprocess.Popen, log: Path, deadline_s: float) -> None:
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"app exited with {proc.returncode}:\n{log.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)  # polling interval while waiting for the server to answer
    raise RuntimeError(f"app did not answer {url} in {deadline_s}s:\n{log.read_text()[-4000:]}")


class AppServer(str):
    """The base URL (a str), with the app's database URL and data dir."""

    def __new__(cls, base: str, db_url: str, data_dir: Path, log: Path):
        obj = super().__new__(cls, base)
        obj.db_url, obj.data_dir, obj.log = db_url, data_dir, log
        return obj

    def engine(self):
        from pool_portal.db import make_engine

        if not hasattr(self, "_engine"):
            self._engine = make_engine(self.db_url)
        return self._engine


class Mailbox:
    """A real SMTP server (aiosmtpd) on loopback that keeps what it receives."""

    def __init__(self):
        import threading

        self.messages: list = []
        self._cond = threading.Condition()

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes, policy

        with self._cond:
            self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
            self._cond.notify_all()
        return "250 OK"

    def wait_for(self, predicate, timeout: float = 30):
        """The first message matching ``predicate``, waiting until it arrives."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for msg in self.messages:
                    if predicate(msg):
                        return msg
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no matching mail in {timeout}s; got {[m['To'] for m in self.messages]}")
                self._cond.wait(left)

    @staticmethod
    def text_of(msg) -> str:
        return msg.get_body(preferencelist=("plain",)).get_content()


@pytest.fixture(scope="session")
def mailbox():
    from aiosmtpd.controller import Controller

    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=_free_port())
    controller.start()
    box.port = controller.port
    yield box
    controller.stop()


@pytest.fixture(scope="session")
def app_server(tmp_path_factory, mailbox):
    """Start the real app (migrated, AquaDemo loaded, mail to the test's SMTP server)
    and yield its base URL."""
    data_dir = tmp_path_factory.mktemp("e2e-data")
    port = _free_port()
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "REFLEX_USE_NPM": "1",
        "REFLEX_CHECK_LATEST_VERSION": "false",
        "PORTAL_DATA_DIR": str(data_dir),
        "REFLEX_DB_URL": f"sqlite:///{data_dir / 'portal.db'}",
        "PORT": str(port),
        "PORTAL_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "PORTAL_SMTP_URL": f"smtp://127.0.0.1:{mailbox.port}",
    }
    env.pop("REFLEX_REDIS_URL", None)
    subprocess.run([str(BIN / "portal"), "demo", "--if-empty"], env=env, cwd=ROOT, check=True)
    log = data_dir / "app.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [str(BIN / "reflex"), "run", "--env", "prod", "--single-port",
             "--frontend-port", str(port), "--backend-port", str(port)],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{base}/ping", proc, log, START_TIMEOUT_S)
        _wait_for(f"{base}/portal/login", proc, log, 60)
        yield AppServer(base, env["REFLEX_DB_URL"], data_dir, log)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is not installed: run `make test`, which installs it")
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"],
        )
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    yield pg
    context.close()


@pytest.fixture
def phone_page(browser):
    context = browser.new_context(viewport={"width": 360, "height": 740})
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    yield pg
    context.close()
