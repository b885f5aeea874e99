"""Browser journeys: the built app served by `reflex run --env prod` on a free loopback
port, with its own data dir and demo data, driven by Playwright in Debian's Chromium."""

from __future__ import annotations

import shutil
import socket
import time
from pathlib import Path

import pytest

from tests.conftest import selected_backend
from tests.e2e.apps import START_TIMEOUT_S, AppProcess, app_env, load_demo

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

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


class AppServer(str):
    """The base URL (a str), with the app's database URL and data dir."""

    def __new__(cls, base: str, db_url: str, data_dir: Path, log: Path, standin=None):
        obj = super().__new__(cls, base)
        obj.db_url, obj.data_dir, obj.log, obj.standin = db_url, data_dir, log, standin
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
def payment_standin():
    """The payment providers' stand-in (tests/payment_standin.py) the apps' SDKs talk to."""
    from tests.payment_standin import Standin

    server = Standin().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def app_server(request, tmp_path_factory, mailbox, payment_standin):
    """Start the real app (migrated, AquaDemo loaded, mail to the test's SMTP server)
    and yield its base URL. In the sqlite pass it runs as `make run` does (SQLite, one
    worker); with PORTAL_TEST_BACKEND=postgres on a fresh PostgreSQL database, with
    its state in Redis and two Granian workers. The payment SDKs talk to the stand-in."""
    data_dir = tmp_path_factory.mktemp("e2e-data")
    port = _free_port()
    providers = {"PORTAL_STRIPE_API_BASE": payment_standin.base, "PORTAL_MOLLIE_API_ENDPOINT": payment_standin.base}
    if selected_backend() == "postgres":
        pg = request.getfixturevalue("pg_server")
        env = app_env(
            port=port,
            data_dir=data_dir,
            db_url=pg.url(pg.create_database()),
            redis_url=request.getfixturevalue("redis_server"),
            workers=2,
            smtp_port=mailbox.port,
            **providers,
        )
    else:
        env = app_env(
            port=port,
            data_dir=data_dir,
            db_url=f"sqlite:///{data_dir / 'portal.db'}",
            smtp_port=mailbox.port,
            **providers,
        )
    load_demo(env)
    app = AppProcess(env, data_dir / "app.log")
    app.start(START_TIMEOUT_S)
    try:
        yield AppServer(app.base, env["REFLEX_DB_URL"], data_dir, app.log, payment_standin)
    finally:
        app.stop()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is not installed: run `make test`, which installs it")
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
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


class TwoWorkers:
    """Two backend processes sharing one PostgreSQL database, one Redis and one data
    dir: ``a`` and ``b`` are their base URLs (``bases`` both)."""

    def __init__(self, a: AppProcess, b: AppProcess, db_url: str, redis_url: str, data_dir: Path):
        self.apps = (a, b)
        self.a, self.b = a.base, b.base
        self.bases = (a.base, b.base)
        self.db_url, self.redis_url, self.data_dir = db_url, redis_url, data_dir

    def engine(self):
        from pool_portal.db import make_engine

        if not hasattr(self, "_engine"):
            self._engine = make_engine(self.db_url)
        return self._engine


@pytest.fixture(scope="session")
def two_workers(pg_server, redis_server, tmp_path_factory, mailbox):
    """Two `reflex run --env prod --backend-only` processes (one Granian worker each) on
    two free ports, sharing a fresh PostgreSQL database with the AquaDemo data, one
    Redis (Reflex's state manager: any process can serve any tab) and one data dir
    (the shared storage of the README's "Scaling out"), mail to the test's SMTP server.

    Backend-only because what is shared between workers (tab state, database,
    sessions, files) lives behind the websocket and the /auth and /files routes; the
    pages are the same static files on every host. Two --single-port processes would
    both build the frontend into this checkout's one .web directory at the same time.
    """
    data_dir = tmp_path_factory.mktemp("two-workers")
    db_url = pg_server.url(pg_server.create_database())
    apps = []
    try:
        for name in ("a", "b"):
            env = app_env(
                port=_free_port(),
                data_dir=data_dir,
                db_url=db_url,
                redis_url=redis_server,
                workers=1,
                smtp_port=mailbox.port,
            )
            if not apps:
                load_demo(env)
            apps.append(AppProcess(env, data_dir / f"worker-{name}.log", backend_only=True))
        for app in apps:
            app.start(120)
        workers = TwoWorkers(apps[0], apps[1], db_url, redis_server, data_dir)
        yield workers
        if hasattr(workers, "_engine"):
            workers._engine.dispose()
    finally:
        for app in apps:
            app.stop()
