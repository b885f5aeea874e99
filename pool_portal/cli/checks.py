"""`portal check`: settings, storage, database, Redis and mail, one line each; exit 1
when something is wrong."""

from __future__ import annotations

import smtplib
from urllib.parse import urlsplit, urlunsplit

import typer

from pool_portal import migrations
from pool_portal.cli.common import command, connect, one_line, safe_url
from pool_portal.services.infra.health import probe_redis
from pool_portal.settings import SettingsError, load_settings


@command
def check() -> None:
    """Check settings, storage, database, Redis and mail (exit 1 when something is wrong)."""
    problems = 0

    def line(ok: bool, what: str, detail: str) -> None:
        nonlocal problems
        problems += not ok
        typer.echo(f"{'ok  ' if ok else 'FAIL'} {what}: {detail}")

    try:
        settings = load_settings()
    except SettingsError as exc:
        line(False, "settings", str(exc))
        raise typer.Exit(1) from None
    line(True, "settings", f"public URL {settings.public_url}")

    try:
        settings.ensure_data_dir()
        where = "photos on Cloudinary" if settings.cloudinary_url else "photos stored locally"
        line(True, "storage", f"data dir {settings.data_dir} writable; {where}")
    except SettingsError as exc:
        line(False, "storage", str(exc))

    try:
        engine = connect(settings.db_url)
        try:
            current = migrations.current_revision(engine)
        finally:
            engine.dispose()
        head = migrations.head_revision()
        if current == head:
            line(True, "database", f"{safe_url(settings.db_url)} reachable, migrations at head ({head})")
        else:
            line(
                False,
                "database",
                f"{safe_url(settings.db_url)} reachable, at {current or 'no revision'}"
                f" but head is {head}: run `portal migrate`",
            )
    except Exception as exc:  # noqa: BLE001 - any failure is reported as one line
        line(False, "database", f"{safe_url(settings.db_url)}: {one_line(exc)}")

    if settings.redis_url:
        where = _safe_redis_url(settings.redis_url)
        probe = probe_redis(settings.redis_url)
        if probe.ok:
            line(True, "redis", f"{where} answers ({probe.ms:.0f} ms): several backend workers can share state")
        else:
            line(False, "redis", f"{where} does not answer ({probe.error})")
    else:
        line(True, "redis", "not configured (single process)")

    if settings.smtp_url:
        parts = urlsplit(settings.smtp_url)
        port = parts.port or (465 if parts.scheme == "smtps" else 587 if parts.scheme == "smtp+starttls" else 25)
        try:
            cls = smtplib.SMTP_SSL if parts.scheme == "smtps" else smtplib.SMTP
            with cls(parts.hostname, port, timeout=5) as smtp:
                smtp.noop()
            line(True, "mail", f"SMTP server {parts.hostname}:{port} answers")
        except OSError as exc:
            line(False, "mail", f"SMTP server {parts.hostname}:{port} does not answer ({one_line(exc)})")
    else:
        line(True, "mail", f"no PORTAL_SMTP_URL: outbox at {settings.outbox_dir}")
    if problems:
        raise typer.Exit(1)


def _safe_redis_url(url: str) -> str:
    """The Redis URL without its password."""
    parts = urlsplit(url)
    if parts.password:
        netloc = f"{parts.username or ''}:***@{parts.hostname}{f':{parts.port}' if parts.port else ''}"
        parts = parts._replace(netloc=netloc)
    return urlunsplit(parts)
