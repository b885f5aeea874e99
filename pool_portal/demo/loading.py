"""Loading the demo into a migrated database: everything in one transaction, with
bulk inserts (one executemany per table and chunk, which is what makes the large
scale fast); refused when there is data, unless ``reset`` empties every table first."""

from __future__ import annotations

import random
from datetime import date

from sqlalchemy import func, insert, select, text
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

import pool_portal.models as m
from pool_portal.demo import tenants
from pool_portal.demo.builder import Builder
from pool_portal.services.identity.passwords import hash_password

DEMO_PASSWORD = "demo-portal-2026"
SEED = 20261123
CHUNK = 5000


class DemoDataExists(RuntimeError):
    """The database already has data; pass reset=True to replace it."""


# Insertion order respects foreign keys (deletion goes the other way).
TABLES: list[type[SQLModel]] = [
    m.Tenant,
    m.PortalSettings,
    m.StaffUser,
    m.Client,
    m.ClientGroup,
    m.ClientGroupMember,
    m.ClientPortalSettings,
    m.PortalUser,
    m.Membership,
    m.Site,
    m.Asset,
    m.Report,
    m.Remark,
    m.Job,
    m.Quote,
    m.QuoteLine,
    m.Invoice,
    m.InvoiceLine,
    m.Document,
    m.Incident,
    m.IncidentTask,
    m.IncidentMessage,
    m.IncidentAttachment,
    m.Visit,
    m.Notification,
    m.AuthToken,
    m.UserSession,
    m.AuditEvent,
]


def database_is_empty(engine: Engine) -> bool:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(m.Tenant)).scalar_one() == 0


def _delete_all(conn) -> None:
    """Empty every table (TABLES and anything else on the metadata), children first."""
    tables = SQLModel.metadata.sorted_tables
    if conn.dialect.name == "postgresql":
        # One TRUNCATE skips the per-row foreign-key triggers: DELETE took 30 s on the
        # large demo (quote_line.remark_id has no index, so each remark scanned quote_line).
        quote = conn.dialect.identifier_preparer.quote
        conn.execute(text(f"TRUNCATE {', '.join(quote(t.name) for t in tables)} RESTART IDENTITY"))
        return
    for table in reversed(tables):
        conn.execute(table.delete())


def _first_ids(conn) -> dict[type, int]:
    return {model: (conn.execute(select(func.max(model.id))).scalar() or 0) + 1 for model in TABLES}


def load_demo(
    engine: Engine, scale: str = "small", reset: bool = False, *, today: date | None = None
) -> dict[str, int]:
    """Load the demo data into a migrated database, in one transaction.

    Raises DemoDataExists (writing nothing) when there is data and ``reset`` is False.
    Returns the number of rows written per table.
    """
    if scale not in ("small", "large"):
        raise ValueError("scale must be 'small' or 'large'")
    builder = Builder(rng=random.Random(SEED), today=today or date.today(), password_hash=hash_password(DEMO_PASSWORD))
    with engine.begin() as conn:
        if reset:
            _delete_all(conn)
        elif conn.execute(select(func.count()).select_from(m.Tenant)).scalar_one():
            raise DemoDataExists("the database already has data")
        builder.next_id = _first_ids(conn)
        tenants.aquademo(builder)
        tenants.bluewave(builder)
        if scale == "large":
            tenants.megapools(builder)
        counts = {}
        for model in TABLES:
            rows = builder.rows.get(model, [])
            for start in range(0, len(rows), CHUNK):
                conn.execute(insert(model), rows[start : start + CHUNK])
            counts[model.__tablename__] = len(rows)
        # Fresh statistics: without them SQLite's planner picks slow plans for the
        # dashboard's aggregates (measured: about 3x slower on the large demo).
        conn.execute(text("ANALYZE"))
        if conn.dialect.name == "postgresql":  # ids were given explicitly: move the sequences on
            for model in TABLES:
                table = model.__tablename__
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
                    )
                )
    return counts
