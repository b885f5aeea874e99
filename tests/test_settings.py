"""Settings: one typed object from the environment, one-line errors naming the variable."""

from __future__ import annotations

import stat

import pytest

from pool_portal.settings import SettingsError, load_settings


@pytest.mark.parametrize(
    "var,value",
    [
        ("PORT", "abc"),
        ("PORT", "70000"),
        ("REFLEX_DB_URL", "mysql://x/y"),
        ("REFLEX_REDIS_URL", "http://x"),
        ("PORTAL_PUBLIC_URL", "ftp://x"),
        ("PORTAL_SMTP_URL", "http://mail"),
        ("PORTAL_SMTP_URL", "smtp://host:notaport"),
        ("CLOUDINARY_URL", "bad"),
        ("PORTAL_SECRET_KEY", "short"),
        ("PORTAL_SESSION_IDLE_MINUTES", "0"),
    ],
)
def test_bad_value_names_the_variable_in_one_line(isolated_settings, monkeypatch, var, value):
    monkeypatch.setenv(var, value)
    with pytest.raises(SettingsError) as err:
        load_settings()
    message = str(err.value)
    assert message.startswith(f"{var}: ") and "\n" not in message


def test_defaults(isolated_settings, monkeypatch):
    monkeypatch.setenv("PORT", "8123")
    s = load_settings()
    assert s.db_url == f"sqlite:///{isolated_settings.resolve() / 'portal.db'}"
    assert s.public_url == "http://localhost:8123"
    assert s.redis_url is None and s.smtp_url is None and s.cloudinary_url is None
    assert s.outbox_dir == isolated_settings.resolve() / "outbox"
    assert not s.secure_cookies


def test_good_values_are_taken(isolated_settings, monkeypatch):
    monkeypatch.setenv("REFLEX_DB_URL", "postgresql+psycopg://u:p@db/portal")
    monkeypatch.setenv("REFLEX_REDIS_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("PORTAL_PUBLIC_URL", "https://portal.example.com/")
    monkeypatch.setenv("PORTAL_SMTP_URL", "smtps://user:p%40ss@mail.example.com:465")
    monkeypatch.setenv("CLOUDINARY_URL", "cloudinary://key:secret@demo")
    s = load_settings()
    assert s.public_url == "https://portal.example.com" and s.secure_cookies
    assert not s.is_sqlite


def test_secret_key_is_generated_once_private_and_reused(isolated_settings):
    s = load_settings()
    key = s.get_secret_key()
    path = isolated_settings.resolve() / "secret_key"
    assert len(key) >= 32 and path.read_text() == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_settings().get_secret_key() == key


def test_explicit_secret_key_wins(isolated_settings, monkeypatch):
    monkeypatch.setenv("PORTAL_SECRET_KEY", "k" * 40)
    assert load_settings().get_secret_key() == "k" * 40
    assert not (isolated_settings / "secret_key").exists()


def test_unwritable_data_dir_is_one_line(isolated_settings, monkeypatch, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    monkeypatch.setenv("PORTAL_DATA_DIR", str(blocker / "sub"))
    with pytest.raises(SettingsError) as err:
        load_settings().ensure_data_dir()
    assert str(err.value).startswith("PORTAL_DATA_DIR: ") and "\n" not in str(err.value)
