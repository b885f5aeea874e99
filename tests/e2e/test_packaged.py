"""The self-hoster's artefacts (docs/install.md): the wheel `make dist` builds, installed
into a fresh virtualenv whose PATH has no Node, and the single-file zipapp, each
started with `portal serve` on a free port with a fresh data dir (not the port the
frontend was built for, and reached on 127.0.0.1 while the public URL says localhost:
the frontend finds its backend on its own origin), and used through the browser.
Neither starts `node` or `npm`, and the installed package holds no `node_modules`.

An upgrade: a database of the oldest schema the project ships (0001) is migrated by
`portal serve` on start, after a backup (SQLite; on PostgreSQL the operator's `portal
backup`, as docs/install.md says), and that backup restores.

The build is cached by a hash of the sources (tests/e2e/packaged.py): the PostgreSQL
pass reuses the SQLite pass's. The figures measured are printed (``-s`` shows them).
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
import tarfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests
from playwright.sync_api import expect
from sqlalchemy import MetaData, insert

import pool_portal.models as m
from pool_portal import migrations
from pool_portal.db import make_engine
from pool_portal.services.identity.passwords import hash_password
from tests.conftest import free_port, selected_backend
from tests.e2e.packaged import Served, build_artefacts, clean_env, make_venv, no_node_path
from tests.e2e.test_incidents_journey import png
from tests.e2e.test_shell_journey import sign_in

PASSWORD = "demo-portal-2026"
OLDEST = "0001"  # alembic/versions/0001_initial_schema.py: the previous release's schema
FIGURES: dict[str, object] = {}


@pytest.fixture(scope="module")
def dist() -> Path:
    folder, took = build_artefacts()
    FIGURES["build_s"] = round(took, 1) if took is not None else "cached"
    FIGURES["wheel_mb"] = round(next(folder.glob("*.whl")).stat().st_size / 1e6, 1)
    FIGURES["pyz_mb"] = round((folder / "pool-portal.pyz").stat().st_size / 1e6, 1)
    yield folder
    print(f"\npackaged figures: {json.dumps(FIGURES)}")


@pytest.fixture
def database(request, tmp_path):
    """(env additions, database URL) of a fresh database for the pass: the embedded SQLite
    under the data dir, or a fresh PostgreSQL database with Redis and two workers."""
    if selected_backend() == "postgres":
        pg = request.getfixturevalue("pg_server")
        url = pg.url(pg.create_database())
        redis_url = request.getfixturevalue("redis_server")
        return {"REFLEX_DB_URL": url, "REFLEX_REDIS_URL": redis_url, "PORTAL_WORKERS": "2"}, url
    return {}, f"sqlite:///{tmp_path / 'data' / 'portal.db'}"


def _serve(command: list[str], env: dict[str, str], tmp_path: Path, *options: str) -> Served:
    """`<command> serve <options>` on a free loopback port, answering /portal/login."""
    port = free_port()
    argv = [*command, "serve", *options, "--port", str(port), "--host", "127.0.0.1"]
    served = Served(argv, env, tmp_path, port, tmp_path / f"serve-{port}.log")
    try:
        served.wait_ready()
    except BaseException:
        served.stop()
        raise
    return served


def _serve_demo(command: list[str], env: dict[str, str], tmp_path: Path) -> Served:
    """The demo served: `serve --demo` on SQLite (the embedded database, as `make run`);
    on PostgreSQL, which `--demo` leaves alone, `portal demo` first."""
    if "REFLEX_DB_URL" in env:
        subprocess.run([*command, "demo"], env=env, cwd=tmp_path, check=True, stdout=subprocess.DEVNULL)
        return _serve(command, env, tmp_path)
    return _serve(command, env, tmp_path, "--demo")


def _use_in_browser(browser, served: Served) -> None:
    """Sign in as a client, see the properties (the websocket), open an invoice PDF
    (/files), report a fault with a photo (/_upload) and see the photo (/files)."""
    base = served.base
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        sign_in(page, base, "/portal/login", "client@aquademo.example.com", PASSWORD)
        expect(page).to_have_url(re.compile(r"/portal/?$"))
        expect(page.locator("#properties-table tbody tr")).to_have_count(3)
        link = page.locator("#activity-invoices-items .activity-item a").first
        expect(link).to_be_visible()
        got = page.request.get(f"{base}{link.get_attribute('href')}")
        assert got.status == 200 and got.body().startswith(b"%PDF")

        page.goto(f"{base}/portal/incidents/new")
        expect(page.locator("#incident-site option").first).to_be_attached()
        page.locator("#incident-category").select_option("LEAK")
        page.locator("#incident-description").fill("Water is leaking from the pump room door since this morning.")
        page.locator("#incident-photos input[type=file]").set_input_files(
            files=[{"name": "leak.png", "mimeType": "image/png", "buffer": png()}]
        )
        expect(page.locator("#incident-photos-selected")).to_contain_text("leak.png")
        page.locator("#incident-submit").click()
        expect(page).to_have_url(re.compile(r"/portal/incident\?id=\d+"))
        expect(page.locator("#thread img").first).to_be_visible()
        page.wait_for_function(
            "() => { const i = document.querySelector('#thread img'); return i && i.complete && i.naturalWidth === 8; }"
        )
    finally:
        context.close()


def _health(served: Served) -> dict:
    r = requests.get(f"{served.base}/_health", timeout=30)
    assert r.status_code == 200, r.text
    return r.json()


def _no_node(served: Served) -> None:
    commands = served.commands()
    assert commands, "the server's process group is empty"
    assert not [c for c in commands if c in ("node", "npm", "npx") or c.startswith("node")], commands


def _check_serving(served: Served, browser, label: str) -> None:
    FIGURES[f"{label}_serve_to_login_s_{selected_backend()}"] = round(served.ready_after, 1)
    FIGURES[f"{label}_idle_pss_mb_{selected_backend()}"] = round(served.memory_mb())
    health = _health(served)
    assert health["version"] == "0.1.0" and health["schema"] == migrations.head_revision()
    _use_in_browser(browser, served)
    _no_node(served)


def test_the_wheel_installs_and_serves_without_node(dist, database, browser, tmp_path):
    extra, _url = database
    venv, install_s = make_venv(tmp_path / "venv", next(dist.glob("*.whl")))
    FIGURES["wheel_install_s"] = round(install_s, 1)
    site = next((venv / "lib").glob("python*/site-packages"))
    assert (site / "pool_portal" / "_web" / "build" / "client" / "index.html").is_file()
    assert not list(site.rglob("node_modules")), "the installed package carries node_modules"
    assert not [p for p in (venv / "bin").iterdir() if p.name in ("node", "npm", "npx")]
    assert shutil.which("node", path=no_node_path()) is None and shutil.which("npm", path=no_node_path()) is None

    # The frontend was built for another address (the build's default, port 3000) and
    # says to use the page's own origin: no rebuild for this port.
    (env_js,) = (site / "pool_portal" / "_web" / "build" / "client" / "assets").glob("reflex-env-*.js")
    built_for = re.findall(r"ws://[^\"']+/_event", env_js.read_text())
    assert built_for and "PORTAL_SAME_ORIGIN" in env_js.read_text()

    env = clean_env(tmp_path / "data", **extra)
    portal = [str(venv / "bin" / "portal")]
    served = _serve_demo(portal, env, tmp_path)
    try:
        assert f":{served.port}/" not in built_for[0]
        _check_serving(served, browser, "wheel")
    finally:
        served.stop()
    version = subprocess.run([*portal, "--version"], env=env, cwd=tmp_path, capture_output=True, text=True, check=True)
    assert version.stdout.splitlines() == [
        "pool_portal 0.1.0",
        f"database schema {migrations.head_revision()} (this package's newest: {migrations.head_revision()})",
    ]


def test_the_zipapp_serves_without_node(dist, database, browser, tmp_path):
    extra, _url = database
    pyz = tmp_path / "pool-portal.pyz"
    shutil.copy2(dist / "pool-portal.pyz", pyz)  # one file, copied to "the server"
    env = clean_env(tmp_path / "data", **extra)
    served = _serve_demo([str(pyz)], env, tmp_path)
    try:
        _check_serving(served, browser, "pyz")
    finally:
        served.stop()


def _previous_release_database(url: str) -> None:
    """A database as the previous release left it: the oldest migration's schema, with a
    tenant, its portal settings and an ADMIN (rows from the models' defaults, for the
    columns that schema has)."""
    migrations.upgrade(url, OLDEST)
    engine = make_engine(url)
    try:
        meta = MetaData()
        meta.reflect(engine, only=["tenant", "portal_settings", "staff_user"])
        now = datetime.now(UTC)
        rows = {
            "tenant": m.Tenant(id=1, name="Old Pools", slug="old-pools", created_at=now),
            "portal_settings": m.PortalSettings(id=1, tenant_id=1, updated_at=now),
            "staff_user": m.StaffUser(
                id=1,
                tenant_id=1,
                email="boss@old.example.com",
                name="Boss",
                role=m.StaffRole.ADMIN,
                password_hash=hash_password(PASSWORD),
                created_at=now,
            ),
        }
        with engine.begin() as conn:
            for name, model in rows.items():
                table = meta.tables[name]
                values = {c.name: getattr(model, c.name) for c in table.columns if hasattr(model, c.name)}
                conn.execute(insert(table).values(**{k: getattr(v, "value", v) for k, v in values.items()}))
    finally:
        engine.dispose()


def _staff_sign_in(served: Served) -> None:
    r = requests.post(
        f"{served.base}/auth/login",
        data={"kind": "staff", "email": "boss@old.example.com", "password": PASSWORD},
        allow_redirects=False,
        timeout=30,
    )
    assert r.status_code == 303 and r.cookies.get("pp_session"), r.headers.get("location")


def test_an_upgrade_migrates_on_start_after_a_backup_that_restores(dist, database, tmp_path):
    extra, url = database
    pyz = [str(dist / "pool-portal.pyz")]
    data = tmp_path / "data"
    env = clean_env(data, **extra)
    _previous_release_database(url)
    before = None
    if extra:  # PostgreSQL: the operator backs up before replacing the artefact
        before = tmp_path / "before.tar"
        subprocess.run([*pyz, "backup", str(before)], env=env, cwd=tmp_path, check=True, stdout=subprocess.DEVNULL)

    served = _serve(pyz, env, tmp_path)
    try:
        assert _health(served)["schema"] == migrations.head_revision()
        _staff_sign_in(served)
    finally:
        served.stop()
    log = served.log.read_text()
    assert f"database migrated from {OLDEST} to {migrations.head_revision()}" in log
    if not extra:
        (before,) = (data / "backups").glob(f"before-{OLDEST}-to-*.tar")
        assert f"backed up the database (revision {OLDEST}) to {before}" in log
    with tarfile.open(before) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
    assert manifest["schema_revision"] == OLDEST and manifest["row_counts"]["staff_user"] == 1

    # Rolling back: the backup restores (and this package migrates it to its schema again).
    done = subprocess.run(
        [*pyz, "restore", str(before), "--yes"], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode == 0 and done.stdout.startswith(f"restored {manifest['database']} database"), done.stderr
    assert migrations.current_revision(url) == migrations.head_revision()
    if not extra:
        with sqlite3.connect(data / "portal.db") as raw:
            assert raw.execute("SELECT email FROM staff_user").fetchall() == [("boss@old.example.com",)]


def test_a_database_of_a_newer_schema_is_refused_in_one_line(dist, tmp_path):
    pyz = [str(dist / "pool-portal.pyz")]
    env = clean_env(tmp_path / "data")
    subprocess.run([*pyz, "migrate"], env=env, cwd=tmp_path, check=True, stdout=subprocess.DEVNULL)
    with sqlite3.connect(tmp_path / "data" / "portal.db") as raw:
        raw.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    done = subprocess.run(
        [*pyz, "serve", "--port", str(free_port())], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "error: migrations: the database is at schema revision 9999_from_the_future, newer than this Pool Portal"
        f" knows (its newest is {migrations.head_revision()}): run the newer version, or restore the backup taken"
        " before it migrated"
    ]
