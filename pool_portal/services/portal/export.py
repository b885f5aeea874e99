"""A portal list as CSV: the whole filtered list (``lists``' query, in its order), with
the hidden columns the table leaves out, headed by the translated column names; money
in units with two decimals, choices translated, and cells a spreadsheet would run as a
formula defused."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from datetime import datetime

from sqlalchemy.orm import Session

from pool_portal.presentation.lists import cell_text
from pool_portal.services.core.scope import Viewer
from pool_portal.services.portal.list_columns import COLUMNS, asset_columns, shown_columns
from pool_portal.services.portal.list_query import ListQuery
from pool_portal.services.portal.list_rows import row_of
from pool_portal.services.portal.lists import prepared_query, rows_statement

CSV_LIMIT = 50_000


def _safe_cell(value: str) -> str:
    """Spreadsheet programs run cells that start with = + - @ (and tab/CR) as formulas."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def export_csv(
    session: Session,
    viewer: Viewer,
    kind: str,
    query: ListQuery,
    tr: Callable[[str], str],
    *,
    now: datetime | None = None,
    limit: int = CSV_LIMIT,
) -> Iterator[str] | None:
    """The whole filtered list (in its order, up to ``limit`` rows) as CSV text chunks,
    headed by the translated column names; None when the list is switched off."""
    prepared = prepared_query(session, viewer, kind, query, now)
    if prepared is None:
        return None
    built, where, _scans, order, _key, _desc, _tables = prepared
    # Every column (hidden ones too: the CSV carries more than the table), but for
    # assets only the ones the tenant shows.
    cols = shown_columns(session, viewer, kind) if kind == "assets" else list(COLUMNS[kind])
    label = asset_columns(session, viewer.tenant_id)[1] if kind == "assets" else ""
    header = [(label if c.key == "asset_code" and label else tr(c.label)) for c in cols]
    rows = (
        []
        if not viewer.client_ids
        else session.execute(rows_statement(built, where, order).limit(limit)).mappings().all()
    )

    def chunks() -> Iterator[str]:
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(header)
        for i, mapping in enumerate(rows, 1):
            row = row_of(kind, mapping)
            values = []
            for c in cols:
                v = getattr(row, c.key)
                if c.kind == "money":
                    text = f"{v / 100:.2f}" if v is not None else ""
                else:
                    text = cell_text(v)
                    if c.kind == "choice" and text:
                        text = tr(c.prefix + text)
                values.append(_safe_cell(text))
            writer.writerow(values)
            if i % 500 == 0:
                yield buf.getvalue()
                buf.seek(0)
                buf.truncate()
        yield buf.getvalue()

    return chunks()
