"""The portal's list pages as they show: each row's cells as text (days as ISO dates,
codes as their enum values, amounts in the tenant's currency), the links that change
the query (sort by a column, previous and next page, the CSV export of the filtered
list), and one asset's page. The names are the list states' vars."""

from __future__ import annotations

from dataclasses import fields
from datetime import date, datetime
from enum import Enum
from urllib.parse import urlencode

from pool_portal.presentation.display import money
from pool_portal.services.portal.assets import AssetDetail
from pool_portal.services.portal.jobs import AssetChoice
from pool_portal.services.portal.list_columns import COLUMNS, Column
from pool_portal.services.portal.list_query import ListQuery, query_params
from pool_portal.services.portal.list_rows import ListRow
from pool_portal.services.portal.lists import ListView


def cell_text(value) -> str:
    """A cell as plain text: "" for none, a day as its ISO date, a code as its value."""
    if value is None:
        return ""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value.value if isinstance(value, Enum) else str(value)


def row_cells(row: ListRow, currency: str, lang: str) -> dict[str, str]:
    """Every field of a row as text; with an amount, ``amount`` formatted too."""
    cells = {f.name: cell_text(getattr(row, f.name)) for f in fields(row)}
    cents = getattr(row, "total_cents", None)
    if cents is not None:
        cells["amount"] = money(cents, currency, lang)
    return cells


def list_values(kind: str, listed: ListView, query: ListQuery, lang: str) -> dict:
    """A list page's vars: its rows, the page, the query as the filter form shows it,
    and the links (sorting, paging, CSV) that keep the rest of the query."""
    page = listed.page
    out: dict = {
        "enabled": page is not None,
        "status": query.status,
        "text": query.text,
        "filters": dict(query.filters),
        "columns": listed.columns,
    }
    if page is None:
        out.update(rows=[], total=0, page=1, pages=1, sort="", desc=False)
    else:
        out.update(
            rows=[row_cells(r, listed.currency, lang) for r in page.rows],
            total=page.total,
            page=page.page,
            pages=page.pages,
            sort=page.sort,
            desc=page.desc,
        )
    query.page = out["page"]
    path = "/portal/" + kind

    def href(base: str = path, **changes) -> str:
        params = query_params(query, **changes)
        return base + ("?" + urlencode(params) if params else "")

    def next_dir(col: Column) -> str:
        if out["sort"] == col.key:
            return "asc" if out["desc"] else "desc"
        return "desc" if col.kind in ("date", "money") else "asc"

    out.update(
        sort_links={c.key: href(sort=c.key, dir=next_dir(c), page=None) for c in COLUMNS[kind] if c.sortable},
        prev_href=href(page=out["page"] - 1) if out["page"] > 1 else "",
        next_href=href(page=out["page"] + 1) if out["page"] < out["pages"] else "",
        csv_href=href(f"/files/export/{kind}.csv", page=None),
        # The filter form carries the sort along as hidden fields.
        hidden=[[k, val] for k, val in query_params(query).items() if k in ("sort", "dir")],
        filtered=query.filtered,
        loaded=True,
    )
    return out


def asset_choices(choices: list[AssetChoice]) -> list[list[str]]:
    """[id, "code · type"] of each asset, for the jobs list's asset selector."""
    return [[str(c.id), f"{c.code} · {c.type}"] for c in choices]


def site_options(sites: list[tuple[int, str]]) -> list[list[str]]:
    """[id, name] of each property, for a property selector."""
    return [[str(i), name] for i, name in sites]


def asset_values(detail: AssetDetail | None) -> dict:
    """The asset page's vars: ``detail`` (its fields as text), its defects and jobs."""
    if detail is None:
        return {"detail": {}, "detail_defects": [], "detail_jobs": []}
    return {
        "detail": {
            "id": str(detail.id),
            "site": detail.site,
            "site_id": str(detail.site_id),
            "description": detail.description,
            **{
                k: cell_text(getattr(detail, k))
                for k in (
                    "asset_code",
                    "asset_type",
                    "model",
                    "serial_number",
                    "customer_ref",
                    "location",
                    "last_test_number",
                    "last_test_date",
                    "next_service_due",
                )
            },
        },
        "detail_defects": [
            {
                "id": str(d.id),
                "number": d.number,
                "severity": d.severity.value,
                "status": d.status.value,
                "title": d.title,
                "raised": d.raised.isoformat(),
            }
            for d in detail.defects
        ],
        "detail_jobs": [
            {
                "id": str(j.id),
                "number": j.number,
                "kind": j.kind.value,
                "stage": j.stage.value,
                "date": j.on.isoformat(),
                "description": j.description,
            }
            for j in detail.jobs
        ],
    }
