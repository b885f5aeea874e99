"""The `portal` command for self-hosters: migrate, demo data, tenants, admins, checks.

Every failure is one line on stderr and a non-zero exit; nothing is half-created
(each command writes in one transaction).
"""

from __future__ import annotations

import functools
import os
import re
import sys
import unicodedata
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False, help="Pool Portal administration."
)


class CliError(Exception):
    """A failure to report in one line."""


def _fail(message: str, code: int = 1) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _one_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def command(fn):
    """Run a command with every expected failure turned into one line and exit 1."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from alembic.util import CommandError
        from sqlalchemy.exc import ArgumentError, IntegrityError, SQLAlchemyError

        from pool_portal.settings import SettingsError

        try:
            return fn(*args, **kwargs)
        except (typer.Exit, typer.Abort):
            raise
        except (CliError, SettingsError) as exc:
            _fail(str(exc))
        except ArgumentError as exc:  # a URL SQLAlchemy cannot parse, or an unknown dialect
            _fail(f"REFLEX_DB_URL: {_one_line(exc)}")
        except IntegrityError as exc:
            _fail(f"database refused the change: {_one_line(exc)}")
        except SQLAlchemyError as exc:
            _fail(f"database: {_one_line(exc)}")
        except CommandError as exc:
            _fail(f"migrations: {_one_line(exc)}")
        except OSError as exc:
            _fail(f"{exc.filename or 'file'}: {exc.strerror or exc}")
        finally:
            while _open_engines:
                _open_engines.pop().dispose()

    return wrapper


def _settings():
    from pool_portal.settings import load_settings

    settings = load_settings()
    settings.ensure_data_dir()
    return settings


def _make_engine(url: str):
    """make_engine, with a connect timeout on PostgreSQL: an unreachable host fails in
    seconds instead of hanging for the TCP timeout."""
    from sqlalchemy.engine import make_url

    from pool_portal.db import make_engine

    if make_url(url).get_backend_name() == "postgresql":
        return make_engine(url, connect_args={"connect_timeout": 10})
    return make_engine(url)


_open_engines: list = []


def _engine():
    """The settings' database; disposed of when the command ends (see ``command``)."""
    engine = _make_engine(_settings().db_url)
    _open_engines.append(engine)
    return engine


def _migrate(engine) -> None:
    from pool_portal import migrations

    migrations.upgrade(engine)


@app.command()
@command
def migrate() -> None:
    """Apply the database migrations (safe to run again)."""
    engine = _engine()
    _migrate(engine)
    from pool_portal import migrations

    typer.echo(f"database at revision {migrations.current_revision(engine)}")


@app.command()
@command
def demo(
    scale: Annotated[str, typer.Option(help="small: AquaDemo and BlueWave; large: adds a big tenant")] = "small",
    reset: Annotated[bool, typer.Option(help="delete ALL data first")] = False,
    if_empty: Annotated[
        bool,
        typer.Option("--if-empty", help="load only into an empty embedded default database (what `make run` does)"),
    ] = False,
) -> None:
    """Load the AquaDemo demo data (migrating first).

    With --if-empty (`make run`), only into the embedded default SQLite database: on a
    database named by REFLEX_DB_URL (a production PostgreSQL) it only migrates, so the
    demo accounts with their published passwords never land there unasked. `portal demo`
    without --if-empty loads into any empty database."""
    if scale not in ("small", "large"):
        _fail("--scale must be small or large", 2)
    from pool_portal import demo as demo_data

    settings = _settings()
    engine = _engine()
    _migrate(engine)
    if if_empty and not reset and not settings.is_embedded_db:
        typer.echo("REFLEX_DB_URL is set: demo data not loaded (`portal demo` loads it on purpose)")
        return
    if if_empty and not reset and not demo_data.database_is_empty(engine):
        typer.echo("database already has data: demo data not loaded")
        return
    try:
        counts = demo_data.load_demo(engine, scale=scale, reset=reset)
    except demo_data.DemoDataExists:
        _fail("the database already has data; use --reset to replace it (deletes everything)")
    typer.echo(", ".join(f"{name} {n}" for name, n in counts.items() if n))


def _slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:60]


@app.command("create-tenant")
@command
def create_tenant(name: Annotated[str, typer.Argument(help="the service company's name")]) -> None:
    """Create a tenant (a service company) with default portal settings."""
    from sqlmodel import or_, select

    from pool_portal.db import session_scope
    from pool_portal.models import PortalSettings, Tenant

    name = name.strip()
    slug = _slug(name)
    if not name or not slug or len(name) > 120:
        _fail("the tenant name must have letters or digits (at most 120 characters)", 2)
    engine = _engine()
    _migrate(engine)
    with session_scope(engine) as db:
        existing = db.exec(select(Tenant).where(or_(Tenant.name == name, Tenant.slug == slug))).first()
        if existing is not None:
            raise CliError(f"a tenant named {existing.name!r} (slug {existing.slug}) already exists")
        tenant = Tenant(name=name, slug=slug)
        db.add(tenant)
        db.flush()
        db.add(PortalSettings(tenant_id=tenant.id))
    typer.echo(f"created tenant {name} (slug {slug})")


def _interactive() -> bool:
    return sys.stdin.isatty()


def _read_password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if os.environ.get("PORTAL_ADMIN_PASSWORD"):
        return os.environ["PORTAL_ADMIN_PASSWORD"]
    if not _interactive():
        raise CliError("no password: type it at a terminal, or use --password-stdin or PORTAL_ADMIN_PASSWORD")
    return typer.prompt("Password", hide_input=True, confirmation_prompt=True)


@app.command("create-admin")
@command
def create_admin(
    email: Annotated[str, typer.Argument(help="the admin's email address")],
    tenant: Annotated[str, typer.Option("--tenant", help="the tenant's name or slug")],
    name: Annotated[str, typer.Option(help="display name")] = "",
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="read the password from stdin")] = False,
) -> None:
    """Create a staff ADMIN for a tenant.

    The password is asked twice at a terminal; scripts use --password-stdin or
    PORTAL_ADMIN_PASSWORD."""
    from sqlmodel import Session, or_, select

    from pool_portal.db import session_scope
    from pool_portal.models import StaffRole, StaffUser, Tenant
    from pool_portal.services.core.i18n import t
    from pool_portal.services.identity.access import normalise_email  # email-validator, no DNS
    from pool_portal.services.identity.passwords import hash_password, password_problem

    address = normalise_email(email)
    if address is None:
        _fail(f"{email!r} is not a valid email address", 2)
    engine = _engine()
    _migrate(engine)

    def find_tenant(db: Session) -> Tenant:
        row = db.exec(select(Tenant).where(or_(Tenant.name == tenant, Tenant.slug == tenant))).first()
        if row is None:
            raise CliError(f"no tenant named {tenant!r}")
        if db.exec(select(StaffUser.id).where(StaffUser.tenant_id == row.id, StaffUser.email == address)).first():
            raise CliError(f"{address} is already a staff user of {row.name}")
        return row

    # Check before asking for the password, and ask with no transaction open.
    with Session(engine) as db:
        find_tenant(db)
    password = _read_password(password_stdin)
    problem = password_problem(password)
    if problem:
        raise CliError(t(problem))
    password_hash = hash_password(password)
    with session_scope(engine) as db:
        row = find_tenant(db)  # again, in the writing transaction
        db.add(
            StaffUser(
                tenant_id=row.id,
                email=address,
                name=name.strip() or address.split("@")[0],
                role=StaffRole.ADMIN,
                password_hash=password_hash,
            )
        )
        tenant_name = row.name
    typer.echo(f"created ADMIN {address} for {tenant_name}")


api_key_app = typer.Typer(no_args_is_help=True, help="Keys of the integration REST API (/api/v1).")
app.add_typer(api_key_app, name="api-key")


def _api_tenant(db, tenant: str):
    from pool_portal.services.identity import api_keys

    row = api_keys.find_tenant(db, tenant)
    if row is None:
        raise CliError(f"no tenant named {tenant!r}")
    return row


@api_key_app.command("create")
@command
def api_key_create(
    tenant: Annotated[str, typer.Option("--tenant", help="the tenant's name or slug")],
    name: Annotated[str, typer.Option("--name", help="a label for the key, e.g. the ERP's name")],
) -> None:
    """Make a key. It is printed once, on the last line: store it now, it cannot be shown again."""
    from pool_portal.db import session_scope
    from pool_portal.services.identity import api_keys

    engine = _engine()
    _migrate(engine)
    with session_scope(engine) as db:
        row = _api_tenant(db, tenant)
        try:
            key, raw = api_keys.create_key(db, row.id, name)
        except api_keys.ApiKeyError as exc:
            raise CliError(str(exc)) from None
        key_id, tenant_name = key.id, row.name
    typer.echo(f"created API key {key_id} ({name.strip()}) for {tenant_name}; it is shown only now:")
    typer.echo(raw)


@api_key_app.command("list")
@command
def api_key_list(tenant: Annotated[str, typer.Option("--tenant", help="the tenant's name or slug")]) -> None:
    """The tenant's keys: id, prefix, name, created, last used, revoked."""
    from sqlmodel import Session

    from pool_portal.services.identity import api_keys

    engine = _engine()
    _migrate(engine)
    with Session(engine) as db:
        keys = api_keys.list_keys(db, _api_tenant(db, tenant).id)

    def when(value) -> str:
        return value.strftime("%Y-%m-%d %H:%M") if value else "-"

    if not keys:
        typer.echo("no API keys")
    for k in keys:
        state = f"revoked {when(k.revoked_at)}" if k.revoked_at else "active"
        typer.echo(
            f"{k.id}\t{k.key_prefix}...\t{k.name}\tcreated {when(k.created_at)}\t"
            f"last used {when(k.last_used_at)}\t{state}"
        )


@api_key_app.command("revoke")
@command
def api_key_revoke(
    key_id: Annotated[int, typer.Argument(help="the key's id (see `portal api-key list`)")],
    tenant: Annotated[str, typer.Option("--tenant", help="the tenant's name or slug")],
) -> None:
    """Revoke a key: requests with it get 401 from now on."""
    from pool_portal.db import session_scope
    from pool_portal.services.identity import api_keys

    engine = _engine()
    _migrate(engine)
    with session_scope(engine) as db:
        try:
            row = api_keys.revoke_key(db, _api_tenant(db, tenant).id, key_id)
        except api_keys.ApiKeyError as exc:
            raise CliError(str(exc)) from None
        name = row.name
    typer.echo(f"revoked API key {key_id} ({name})")


@app.command()
@command
def backup(
    path: Annotated[Path, typer.Argument(help="the backup file to write, e.g. portal-2026-11-23.tar")],
    force: Annotated[bool, typer.Option("--force", help="overwrite PATH if it exists")] = False,
) -> None:
    """Back up the database and the private files into one tar file (safe while the app runs)."""
    from pool_portal.services.infra import backup as backups

    settings = _settings()
    try:
        manifest = backups.backup(_engine(), settings.files_dir, path, overwrite=force)
    except backups.BackupError as exc:
        raise CliError(str(exc)) from None
    rows = sum(manifest.row_counts.values())
    typer.echo(
        f"backed up {manifest.database} database (revision {manifest.schema_revision}, {rows} rows)"
        f" and {manifest.files} files to {path}"
    )


@app.command()
@command
def restore(
    path: Annotated[Path, typer.Argument(help="a file written by `portal backup`")],
    yes: Annotated[bool, typer.Option("--yes", help="do not ask: replace the current data")] = False,
) -> None:
    """Replace the database and the private files with a backup (stop the app first)."""
    from pool_portal.services.infra import backup as backups

    settings = _settings()
    if not yes:
        if not _interactive():
            _fail("restore replaces ALL current data: pass --yes to confirm", 2)
        typer.confirm(f"Replace ALL data in {_safe_url(settings.db_url)} and {settings.files_dir}?", abort=True)
    try:
        manifest = backups.restore(_engine(), settings.files_dir, path)
    except backups.BackupError as exc:
        raise CliError(str(exc)) from None
    rows = sum(manifest.row_counts.values())
    typer.echo(
        f"restored {manifest.database} database from {manifest.created_at} ({rows} rows) and {manifest.files} files"
    )


@app.command()
@command
def check() -> None:
    """Check settings, storage, database, Redis and mail (exit 1 when something is wrong)."""
    problems = 0

    def line(ok: bool, what: str, detail: str) -> None:
        nonlocal problems
        problems += not ok
        typer.echo(f"{'ok  ' if ok else 'FAIL'} {what}: {detail}")

    from pool_portal.settings import SettingsError, load_settings

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
        from pool_portal import migrations

        engine = _make_engine(settings.db_url)
        try:
            current = migrations.current_revision(engine)
        finally:
            engine.dispose()
        head = migrations.head_revision()
        if current == head:
            line(True, "database", f"{_safe_url(settings.db_url)} reachable, migrations at head ({head})")
        else:
            line(
                False,
                "database",
                f"{_safe_url(settings.db_url)} reachable, at {current or 'no revision'}"
                f" but head is {head}: run `portal migrate`",
            )
    except Exception as exc:  # noqa: BLE001 - any failure is reported as one line
        line(False, "database", f"{_safe_url(settings.db_url)}: {_one_line(exc)}")

    from pool_portal.services.infra.health import probe_redis

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
        import smtplib
        from urllib.parse import urlsplit

        parts = urlsplit(settings.smtp_url)
        port = parts.port or (465 if parts.scheme == "smtps" else 587 if parts.scheme == "smtp+starttls" else 25)
        try:
            cls = smtplib.SMTP_SSL if parts.scheme == "smtps" else smtplib.SMTP
            with cls(parts.hostname, port, timeout=5) as smtp:
                smtp.noop()
            line(True, "mail", f"SMTP server {parts.hostname}:{port} answers")
        except OSError as exc:
            line(False, "mail", f"SMTP server {parts.hostname}:{port} does not answer ({_one_line(exc)})")
    else:
        line(True, "mail", f"no PORTAL_SMTP_URL: outbox at {settings.outbox_dir}")
    if problems:
        raise typer.Exit(1)


def _safe_redis_url(url: str) -> str:
    """The Redis URL without its password."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password:
        netloc = f"{parts.username or ''}:***@{parts.hostname}{f':{parts.port}' if parts.port else ''}"
        parts = parts._replace(netloc=netloc)
    return urlunsplit(parts)


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


if __name__ == "__main__":
    app()
