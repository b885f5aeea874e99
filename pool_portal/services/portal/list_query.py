"""The query of a portal list, read from its URL and written back into its links: the
status, the general search, per-column filters (they combine with AND), the sort
column and direction, the page, and the jobs list's property, asset and dates. Anything
unknown or malformed is dropped, so a hand-edited URL never errors."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from pool_portal.services.core.params import parse_id, parse_page
from pool_portal.services.portal.list_columns import COLUMNS, STATUSES

MAX_TEXT = 100


@dataclass
class ListQuery:
    status: str = "all"
    text: str = ""
    sort: str = ""
    desc: bool | None = None
    filters: dict[str, str] = field(default_factory=dict)
    page: int = 1
    site_id: int | None = None
    asset_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None

    @property
    def filtered(self) -> bool:
        """Whether anything narrows the list."""
        return bool(
            self.filters
            or self.text
            or self.status != "all"
            or self.site_id is not None
            or self.asset_id is not None
            or self.date_from
            or self.date_to
        )


def plain_query(status: str = "all", text: str = "", page: int = 1, **extra) -> ListQuery:
    """A query from a status, a search text and a page (and any other fields)."""
    return ListQuery(status=status, text=" ".join(text.split())[:MAX_TEXT], page=page, **extra)


def _day(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def parse_query(kind: str, params: Mapping[str, str]) -> ListQuery:
    """The query of a list from URL parameters: anything unknown or malformed is
    dropped (a hand-edited URL never errors)."""
    columns = {c.key: c for c in COLUMNS[kind]}
    status = str(params.get("status", "all"))
    sort = str(params.get("sort", ""))
    direction = str(params.get("dir", ""))
    filters: dict[str, str] = {}
    for key, col in columns.items():
        raw = " ".join(str(params.get(f"f_{key}", "")).split())[:MAX_TEXT]
        if not raw or not col.filterable:
            continue
        if col.kind == "choice" and raw not in col.choices:
            continue
        if col.kind == "date" and date_range(raw) is None:
            continue
        filters[key] = raw
    return ListQuery(
        status=status if status in STATUSES[kind] else "all",
        text=" ".join(str(params.get("q", "")).split())[:MAX_TEXT],
        sort=sort if sort in columns and columns[sort].sortable else "",
        desc={"asc": False, "desc": True}.get(direction),
        filters=filters,
        page=parse_page(str(params.get("page", "1"))),
        site_id=parse_id(str(params.get("site", ""))),
        asset_id=parse_id(str(params.get("asset", ""))),
        date_from=_day(str(params.get("from", ""))),
        date_to=_day(str(params.get("to", ""))),
    )


def query_params(query: ListQuery, **changes) -> dict[str, str]:
    """The URL parameters of a query (non-defaults only), with ``changes`` applied."""
    params: dict[str, str] = {}
    if query.status != "all":
        params["status"] = query.status
    if query.text:
        params["q"] = query.text
    if query.sort:
        params["sort"] = query.sort
        params["dir"] = "desc" if query.desc else "asc"
    for key, value in query.filters.items():
        params[f"f_{key}"] = value
    if query.site_id is not None:
        params["site"] = str(query.site_id)
    if query.asset_id is not None:
        params["asset"] = str(query.asset_id)
    if query.date_from:
        params["from"] = query.date_from.isoformat()
    if query.date_to:
        params["to"] = query.date_to.isoformat()
    if query.page > 1:
        params["page"] = str(query.page)
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = str(value)
    return params


DATE_TEXT = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def date_range(raw: str) -> tuple[date, date] | None:
    """ "2026" / "2026-03" / "2026-03-14" as [start, end)."""
    m = DATE_TEXT.match(raw)
    if not m:
        return None
    y, mo, d = int(m.group(1)), m.group(2), m.group(3)
    try:
        if d:
            start = date(y, int(mo), int(d))
            return start, date.fromordinal(start.toordinal() + 1)
        if mo:
            start = date(y, int(mo), 1)
            return start, date(y + (start.month == 12), start.month % 12 + 1, 1)
        return date(y, 1, 1), date(y + 1, 1, 1)
    except ValueError:
        return None
