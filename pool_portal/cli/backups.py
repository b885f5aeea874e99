"""`portal backup` and `portal restore`: the database and the private files in one
tar file, and back (services/infra/backup.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pool_portal.cli import common
from pool_portal.cli.common import CliError, command, engine, fail, safe_url, settings
from pool_portal.services.infra import backup as backups


@command
def backup(
    path: Annotated[Path, typer.Argument(help="the backup file to write, e.g. portal-2026-11-23.tar")],
    force: Annotated[bool, typer.Option("--force", help="overwrite PATH if it exists")] = False,
) -> None:
    """Back up the database and the private files into one tar file (safe while the app runs)."""
    current = settings()
    try:
        manifest = backups.backup(engine(), current.files_dir, path, overwrite=force)
    except backups.BackupError as exc:
        raise CliError(str(exc)) from None
    rows = sum(manifest.row_counts.values())
    typer.echo(
        f"backed up {manifest.database} database (revision {manifest.schema_revision}, {rows} rows)"
        f" and {manifest.files} files to {path}"
    )


@command
def restore(
    path: Annotated[Path, typer.Argument(help="a file written by `portal backup`")],
    yes: Annotated[bool, typer.Option("--yes", help="do not ask: replace the current data")] = False,
) -> None:
    """Replace the database and the private files with a backup (stop the app first)."""
    current = settings()
    if not yes:
        if not common.interactive():
            fail("restore replaces ALL current data: pass --yes to confirm", 2)
        typer.confirm(f"Replace ALL data in {safe_url(current.db_url)} and {current.files_dir}?", abort=True)
    try:
        manifest = backups.restore(engine(), current.files_dir, path)
    except backups.BackupError as exc:
        raise CliError(str(exc)) from None
    rows = sum(manifest.row_counts.values())
    typer.echo(
        f"restored {manifest.database} database from {manifest.created_at.strftime(backups.STAMP)}"
        f" ({rows} rows) and {manifest.files} files"
    )
