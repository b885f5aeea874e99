"""`portal serve`: the whole app on one port from the installed package (no Node), after
migrating the database (an SQLite one backed up first when its schema changes), and
`portal --version`."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.engine import make_url

from pool_portal import migrations, resources, serving
from pool_portal.cli.common import CliError, command, connect, one_line, settings
from pool_portal.cli.database import demo_if_empty
from pool_portal.services.infra import backup as backups
from pool_portal.services.infra.health import schema_revision
from pool_portal.services.infra.upgrade import upgrade_on_start
from pool_portal.settings import get_settings
from pool_portal.version import package_version


def _absolute_sqlite(url: str) -> str:
    """A relative SQLite path made absolute: the server runs in its own directory."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        return parsed.set(database=str(Path(parsed.database).expanduser().resolve())).render_as_string(
            hide_password=False
        )
    return url


@command
def serve(
    port: Annotated[int | None, typer.Option(help="the port of pages and backend together [env PORT; 3000]")] = None,
    host: Annotated[str | None, typer.Option(help="the address to listen on [env PORTAL_HOST; 0.0.0.0]")] = None,
    workers: Annotated[
        int | None, typer.Option(help="backend workers; more than one needs REFLEX_REDIS_URL [env PORTAL_WORKERS]")
    ] = None,
    public_url: Annotated[
        str | None, typer.Option(help="the address users reach, for links in mail [env PORTAL_PUBLIC_URL]")
    ] = None,
    demo: Annotated[bool, typer.Option("--demo", help="load the demo data into an empty embedded database")] = False,
) -> None:
    """Serve the portal (pages and backend on one port), migrating the database first."""
    for var, value in (("PORT", port), ("PORTAL_HOST", host), ("PORTAL_WORKERS", workers)):
        if value is not None:
            os.environ[var] = str(value)
    if public_url is not None:
        os.environ["PORTAL_PUBLIC_URL"] = public_url
    get_settings.cache_clear()
    current = settings()
    # The server runs in a directory of its own: pin the data dir and the database.
    os.environ["PORTAL_DATA_DIR"] = str(current.data_dir)
    os.environ["REFLEX_DB_URL"] = _absolute_sqlite(current.db_url)
    get_settings.cache_clear()
    current = settings()
    if current.workers and current.workers > 1 and not current.redis_url:
        raise CliError(f"PORTAL_WORKERS: {current.workers} workers need REFLEX_REDIS_URL (they share state there)")
    web_dir = resources.packaged_frontend()
    if web_dir is None:
        raise CliError(
            "this installation has no built frontend: install the wheel or the zipapp that `make dist`"
            " builds (in a checkout, `make run` builds and serves it)"
        )
    engine = connect(current.db_url)
    try:
        try:
            done = upgrade_on_start(engine, current.files_dir, current.data_dir / "backups")
        except backups.BackupError as exc:
            raise CliError(f"backup before migrating failed, nothing migrated: {exc}") from None
        if done.backup is not None:
            typer.echo(f"backed up the database (revision {done.before}) to {done.backup}")
        if done.before != done.after:
            typer.echo(f"database migrated from {done.before or 'empty'} to {done.after}")
        if demo:
            typer.echo(demo_if_empty(current, engine))
    finally:
        engine.dispose()  # no connection crosses the fork into the workers
    typer.echo(
        f"Pool Portal {package_version()} on http://{current.host}:{current.port}"
        f" (public URL {current.public_url}); data in {current.data_dir}"
    )
    serving.serve(web_dir, current.host, current.port, current.workers)


def version_callback(value: bool) -> None:
    """`portal --version`: the package's version and the schema revision of the
    settings' database (or why it cannot be read); never fails."""
    if not value:
        return
    typer.echo(f"pool_portal {package_version()}")
    head = migrations.head_revision()
    try:
        current = get_settings()
        url = make_url(current.db_url)
        if url.get_backend_name() == "sqlite" and not Path(url.database or "").is_file():
            typer.echo(f"database schema: no database yet at {url.database} (this package's newest: {head})")
            raise typer.Exit()
        engine = connect(current.db_url)
        try:
            revision = schema_revision(engine)
        finally:
            engine.dispose()
        where = "not migrated" if revision is None else revision
        typer.echo(f"database schema {where} (this package's newest: {head})")
    except typer.Exit:
        raise
    except Exception as exc:  # noqa: BLE001 - a version line, whatever the setup
        typer.echo(f"database schema unknown: {one_line(exc)} (this package's newest: {head})")
    raise typer.Exit()
