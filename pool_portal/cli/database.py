"""`portal migrate` and `portal demo`: the database's schema and the AquaDemo data."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy.engine import Engine

from pool_portal import demo as demo_data
from pool_portal import migrations
from pool_portal.cli.common import command, fail, migrated_engine, settings
from pool_portal.settings import Settings


@command
def migrate() -> None:
    """Apply the database migrations (safe to run again)."""
    found = migrated_engine()
    typer.echo(f"database at revision {migrations.current_revision(found)}")


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
        fail("--scale must be small or large", 2)
    current = settings()
    found = migrated_engine()
    if if_empty and not reset:
        typer.echo(demo_if_empty(current, found, scale))
        return
    try:
        counts = demo_data.load_demo(found, scale=scale, reset=reset)
    except demo_data.DemoDataExists:
        fail("the database already has data; use --reset to replace it (deletes everything)")
    typer.echo(", ".join(f"{name} {n}" for name, n in counts.items() if n))


def demo_if_empty(current: Settings, found: Engine, scale: str = "small") -> str:
    """Load the small demo into an empty embedded default database (`make run`, `portal
    demo --if-empty`, `portal serve --demo`); the line that says what happened."""
    if not current.is_embedded_db:
        return "REFLEX_DB_URL is set: demo data not loaded (`portal demo` loads it on purpose)"
    if not demo_data.database_is_empty(found):
        return "database already has data: demo data not loaded"
    counts = demo_data.load_demo(found, scale=scale)
    return ", ".join(f"{name} {n}" for name, n in counts.items() if n)
