"""Settings: one typed object from the environment, one-line errors naming the variable."""

from __future__ import annotations

import os
import stat
from concurrent.futures import ThreadPoolExecutor

import pytest

from pool_portal.settings import SettingsError, get_settings, load_settings


@pytest.mark.parametrize(
    "var,value",
    [
        ("PORT", "abc"),
        ("PORT", "70000"),
        ("REFLEX_DB_URL", "mysql://x"),
        ("REFLEX_DB_URL", "postgresql+asyncpg://u@h/db"),  # a driver that is not installed
        ("REFLEX_DB_URL", "not a url"),
        ("REFLEX_REDIS_URL", "http://x"),
        ("PORTAL_PUBLIC_URL", "ftp://x"),
        ("PORTAL_PUBLIC_URL", "localhost:3000"),
        ("PORTAL_BACKEND_URL", "ws://x"),
        ("PORTAL_SMTP_URL", "http://x"),
        ("PORTAL_SMTP_URL", "smtp://host:notaport"),
        ("CLOUDINARY_URL", "bad"),
        ("PORTAL_SECRET_KEY", "short"),
        ("PORTAL_SESSION_IDLE_MINUTES", "0"),
        ("PORTAL_SESSION_MAX_HOURS", "many"),
        ("PORTAL_EXTRA_ORIGINS", "*"),
        ("PORTAL_EXTRA_ORIGINS", "null"),
        ("PORTAL_EXTRA_ORIGINS", "https://ok.example.com, portal.example.com"),
        ("PORTAL_EXTRA_ORIGINS", "https://portal.example.com/app"),
        ("PORTAL_EXTRA_ORIGINS", "https://user@portal.example.com"),
        ("PORTAL_EXTRA_ORIGINS", "ws://portal.example.com"),
        ("PORTAL_EXTRA_ORIGINS", "https://portal.example.com:99999"),
    ],
)
def test_bad_value_names_the_variable_in_one_line(isolated_settings, monkeypatch, var, value):
    monkeypatch.setenv(var, value)
    with pytest.raises(SettingsError) as err:
        load_settings()
    message = str(err.value)
    assert message.startswith(f"{var}: ") and "\n" not in message
    assert len(message) < 200
    assert err.value.__cause__ is None and err.value.__suppress_context__  # no pydantic dump behind it


def test_defaults(isolated_settings, monkeypatch):
    monkeypatch.setenv("PORT", "8123")
    s = load_settings()
    assert s.data_dir == isolated_settings.resolve()
    assert s.db_url == f"sqlite:///{isolated_settings.resolve() / 'portal.db'}" and s.is_sqlite
    assert s.public_url == "http://localhost:8123"
    assert s.redis_url is None and s.smtp_url is None and s.cloudinary_url is None and s.backend_url is None
    assert s.outbox_dir == isolated_settings.resolve() / "outbox"
    assert s.files_dir == isolated_settings.resolve() / "files"
    assert not s.secure_cookies
    assert (s.session_idle_minutes, s.session_max_hours) == (30, 12)


def test_allowed_origins_are_the_portals_own_and_no_other(isolated_settings, monkeypatch):
    # A loopback public URL allows the machine's other names for itself, on its port only.
    assert load_settings().allowed_origins == ("http://localhost:3000", "http://127.0.0.1:3000", "http://[::1]:3000")
    monkeypatch.setenv("PORTAL_PUBLIC_URL", "https://Portal.Example.com:443/")
    monkeypatch.setenv(
        "PORTAL_EXTRA_ORIGINS", " https://pool.example.net , http://10.0.0.5:8080/,https://portal.example.com"
    )
    s = load_settings()
    # As a browser writes Origin: lower case, no default port, no path; each once.
    assert s.allowed_origins == ("https://portal.example.com", "https://pool.example.net", "http://10.0.0.5:8080")
    monkeypatch.delenv("PORTAL_EXTRA_ORIGINS")
    monkeypatch.setenv("PORTAL_PUBLIC_URL", "http://localhost:3000")
    monkeypatch.setenv("PORTAL_BACKEND_URL", "http://localhost:8000")  # `make dev`
    assert load_settings().allowed_origins == (
        "http://localhost:3000",
        "http://127.0.0.1:3000",
        "http://[::1]:3000",
        "http://localhost:8000",
        "http://127.0.0.1:8000",
        "http://[::1]:8000",
    )


def test_port_default_gives_the_public_url(isolated_settings):
    assert load_settings().public_url == "http://localhost:3000"


def test_blank_optional_values_count_as_unset(isolated_settings, monkeypatch):
    for var in ("REFLEX_REDIS_URL", "PORTAL_SMTP_URL", "CLOUDINARY_URL", "PORTAL_SECRET_KEY", "REFLEX_DB_URL"):
        monkeypatch.setenv(var, "  ")
    s = load_settings()
    assert s.redis_url is None and s.smtp_url is None and s.cloudinary_url is None and s.secret_key is None
    assert s.is_sqlite


def test_good_values_are_taken(isolated_settings, monkeypatch):
    monkeypatch.setenv("REFLEX_DB_URL", "postgresql+psycopg://u:p@db/portal")
    monkeypatch.setenv("REFLEX_REDIS_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("PORTAL_PUBLIC_URL", "https://portal.example.com/")
    monkeypatch.setenv("PORTAL_SMTP_URL", "smtps://user:p%40ss@mail.example.com:465")
    monkeypatch.setenv("CLOUDINARY_URL", "cloudinary://key:secret@demo")
    s = load_settings()
    assert s.public_url == "https://portal.example.com" and s.secure_cookies
    assert s.db_url == "postgresql+psycopg://u:p@db/portal" and not s.is_sqlite


@pytest.mark.parametrize(
    "given",
    ["postgresql://u:p@db:5432/portal", "postgres://u:p@db:5432/portal", "PostgreSQL://u:p@db:5432/portal"],
)
def test_plain_postgresql_urls_use_the_installed_driver(isolated_settings, monkeypatch, given):
    # SQLAlchemy would look for psycopg2 (not installed) for postgresql://.
    monkeypatch.setenv("REFLEX_DB_URL", given)
    assert load_settings().db_url == "postgresql+psycopg://u:p@db:5432/portal"


def test_get_settings_is_cached_until_cleared(isolated_settings, monkeypatch):
    first = get_settings()
    monkeypatch.setenv("PORT", "9999")
    assert get_settings() is first
    get_settings.cache_clear()
    assert get_settings().port == 9999


def test_secret_key_is_generated_once_private_and_reused(isolated_settings):
    assert not isolated_settings.exists()
    s = load_settings()
    key = s.get_secret_key()
    path = isolated_settings.resolve() / "secret_key"
    assert len(key) >= 32 and path.read_text() == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_settings().get_secret_key() == key
    assert sorted(p.name for p in isolated_settings.iterdir()) == ["secret_key"]  # no temporary files left


def test_secret_key_made_by_many_at_once_is_one_key(isolated_settings):
    settings = [load_settings() for _ in range(8)]
    with ThreadPoolExecutor(8) as pool:
        keys = set(pool.map(lambda s: s.get_secret_key(), settings))
    assert len(keys) == 1


def test_an_empty_secret_key_file_is_refused(isolated_settings):
    isolated_settings.mkdir(parents=True)
    (isolated_settings / "secret_key").write_text("\n")
    with pytest.raises(SettingsError) as err:
        load_settings().get_secret_key()
    assert str(err.value).startswith("PORTAL_DATA_DIR: ") and "\n" not in str(err.value)


def test_explicit_secret_key_wins(isolated_settings, monkeypatch):
    monkeypatch.setenv("PORTAL_SECRET_KEY", "k" * 40)
    assert load_settings().get_secret_key() == "k" * 40
    assert not (isolated_settings / "secret_key").exists()


@pytest.mark.parametrize("where", ["under-a-file", "proc"])
def test_unwritable_data_dir_is_one_line(isolated_settings, monkeypatch, tmp_path, where):
    if where == "proc":
        bad = "/proc/nonexistent/pool-portal"
    else:
        blocker = tmp_path / "a-file"
        blocker.write_text("x")
        bad = str(blocker / "sub")
    monkeypatch.setenv("PORTAL_DATA_DIR", bad)
    with pytest.raises(SettingsError) as err:
        load_settings().ensure_data_dir()
    assert str(err.value).startswith("PORTAL_DATA_DIR: ") and "\n" not in str(err.value)


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_read_only_data_dir_is_one_line(isolated_settings, monkeypatch, tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir(mode=0o500)
    monkeypatch.setenv("PORTAL_DATA_DIR", str(ro))
    with pytest.raises(SettingsError, match="^PORTAL_DATA_DIR: "):
        load_settings().ensure_data_dir()
