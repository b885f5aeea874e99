"""Bring the database to this package's schema when the app starts (`portal serve`):
refuse a database of a newer schema, back up an SQLite database before a migration
changes its schema, then migrate.

The backup is an ordinary `portal backup` file in ``PORTAL_DATA_DIR/backups/``, named
after the revisions it goes from and to; `portal restore` of it (with the previous
package) is the way back. A fresh database (never migrated) has nothing to back up.
PostgreSQL is backed up by its operator (`portal backup`, docs/install.md), before the
upgrade: pg_dump must match the server's version, which the app cannot promise.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import Engine

from pool_portal import migrations
from pool_portal.services.infra import backup as backups


@dataclass
class SchemaUpgrade:
    before: str | None  # None: a fresh database
    after: str
    backup: Path | None  # the backup taken before migrating, if any


def backup_name(before: str, after: str, now: datetime) -> str:
    return f"before-{before}-to-{after}-{now.strftime('%Y%m%dT%H%M%SZ')}.tar"


def upgrade_on_start(engine: Engine, files_dir: Path, backups_dir: Path) -> SchemaUpgrade:
    """Migrate ``engine``'s database to head, backing up an SQLite one first when that
    changes its schema. Raises migrations.NewerSchemaError (nothing touched) for a
    database of a newer schema, backups.BackupError when the backup fails (nothing
    migrated)."""
    head = migrations.head_revision()
    current = migrations.current_revision(engine)
    migrations.refuse_newer_schema(current)
    taken = None
    if current is not None and current != head and engine.dialect.name == "sqlite":
        backups_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        taken = backups_dir / backup_name(current, head, datetime.now(UTC))
        backups.backup(engine, files_dir, taken)
    migrations.upgrade(engine)
    return SchemaUpgrade(current, head, taken)
