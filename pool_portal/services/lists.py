"""The portal's list pages, one machinery for jobs, quotes, invoices, reports, assets
and defects.

A list is a *spec*: its columns (an SQL expression each, a kind, the values of a choice
column) and its base query, which carries the visibility rules (the view's sites; no
draft or expired quotes, no draft invoices, approved reports only, published defects
only, the tenant's document switches). A *query*, read from the URL, holds the general
search, per-column filters (they combine with AND), the sort column and direction, a
status filter and the page. A page and a CSV export read the same query, so an export
is exactly the filtered list, in the same order.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import String, and_, case, func, literal, or_, select, type_coerce
from sqlalchemy.orm import Session

from pool_portal.models import (
    Asset,
    Invoice,
    InvoiceStatus,
    Job,
    JobKind,
    JobStage,
    PortalSettings,
    Quote,
    QuoteKind,
    QuoteStatus,
    Remark,
    RemarkStatus,
    Report,
    ReportStatus,
    Severity,
)
from pool_portal.models import Site
from pool_portal.models.portal_settings import DEFAULT_ASSET_COLUMNS
from pool_portal.services.dashboard import (
    document_switches,
    open_quote,
    severity_rank,
    site_scope,
    tenant_today,
    visible_remark,
)
from pool_portal.services.scope import Viewer
from pool_portal.services.search import _like, _pattern

PER_PAGE = 25
CSV_LIMIT = 50_000
MAX_TEXT = 100
LISTS = ("jobs", "quotes", "invoices", "reports", "assets", "defects")


@dataclass(frozen=True)
class Column:
    """A column of a list. ``kind``: text (filter: contains), choice (filter: one of
    ``choices``), date (filter: a year, a month or a day), money (cents; sort only).
    ``shown`` False: in the rows (and the CSV) but not a table column."""

    key: str
    label: str
    kind: str = "text"
    choices: tuple[str, ...] = ()
    prefix: str = ""
    sortable: bool = True
    filterable: bool = True
    shown: bool = True


def _choices(enum, *skip) -> tuple[str, ...]:
    return tuple(e.value for e in enum if e.value not in skip)


COLUMNS: dict[str, tuple[Column, ...]] = {
    "jobs": (
        Column("number", "overlay.number"),
        Column("date", "overlay.date", "date"),
        Column("site", "overlay.site"),
        Column("address", "detail.address", shown=False),
        Column("kind", "detail.kind", "choice", _choices(JobKind), "kind."),
        Column("stage", "overlay.status", "choice", _choices(JobStage), "stage."),
        Column("description", "overlay.title"),
        Column("po", "jobs.po"),
    ),
    "quotes": (
        Column("number", "overlay.number"),
        Column("site", "overlay.site"),
        Column("title", "overlay.title"),
        Column("kind", "detail.kind", "choice", _choices(QuoteKind), "quotekind."),
        Column("issued", "pdf.issued", "date"),
        Column("expires", "pdf.expires", "date"),
        Column("status", "overlay.status", "choice", ("AWAITING_ACCEPTANCE", "APPROVED", "DECLINED"), "docstatus."),
        Column("total_cents", "overlay.amount", "money", filterable=False),
        Column("approver", "quote.name", shown=False),
        Column("reference", "quote.reference", shown=False),
        Column("comment", "quote.comment", shown=False),
    ),
    "invoices": (
        Column("number", "overlay.number"),
        Column("site", "overlay.site"),
        Column("issued", "pdf.issued", "date"),
        Column("due", "pdf.due", "date"),
        Column("status", "overlay.status", "choice", ("AWAITING_PAYMENT", "OVERDUE", "PAID", "VOID"), "docstatus."),
        Column("total_cents", "overlay.amount", "money", filterable=False),
        Column("po", "jobs.po", shown=False),
    ),
    "reports": (
        Column("number", "overlay.number"),
        Column("date", "overlay.date", "date"),
        Column("site", "overlay.site"),
        Column("title", "overlay.title"),
        Column("summary", "reports.summary", shown=False),
    ),
    "assets": (
        Column("asset_code", "assets.asset_code"),
        Column("asset_type", "assets.asset_type"),
        Column("site", "overlay.site"),
        Column("model", "assets.model"),
        Column("serial_number", "assets.serial_number"),
        Column("customer_ref", "assets.customer_ref"),
        Column("location", "assets.location"),
        Column("last_test_number", "assets.last_test_number"),
        Column("last_test_date", "assets.last_test_date", "date"),
        Column("next_service_due", "assets.next_service_due", "date"),
    ),
    "defects": (
        Column("number", "overlay.number", filterable=False),
        Column("raised", "defects.raised_on", "date"),
        Column("site", "overlay.site"),
        Column("asset", "assets.asset_code"),
        Column("severity", "defects.severity", "choice", _choices(Severity), "severity."),
        Column("status", "overlay.status", "choice", _choices(RemarkStatus), "remark."),
        Column("title", "overlay.title"),
        Column("resolved", "defects.resolved", "date"),
    ),
}

# The status selector above each list (besides the per-column filters).
STATUSES: dict[str, tuple[str, ...]] = {
    "jobs": ("all", "future", "past"),
    "quotes": ("all", "awaiting", "approved", "declined"),
    "invoices": ("all", "awaiting", "overdue", "paid"),
    "reports": ("all",),
    "assets": ("all",),
    "defects": ("all", "open", "resolved"),
}

ASSET_COLUMN_KEYS = tuple(c.key for c in COLUMNS["assets"])
# Columns an asset list always has, whatever the tenant chose.
ASSET_FIXED = ("asset_code", "site")


@dataclass
class ListQuery:
    status: str = "all"
    text: str = ""
    sort: str = ""
    desc: bool | None = None
    filters: dict[str, str] = field(default_factory=dict)
    page: int = 1
    site_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None


@dataclass
class Page:
    rows: list[dict[str, str]]
    total: int
    page: int
    pages: int
    sort: str = ""
    desc: bool = False


def paged(session: Session, query, page: int, per_page: int = PER_PAGE) -> tuple[list, int, int, int]:
    """(rows of the page, total, page, pages) for an ordered query; the page is clamped."""
    total = session.execute(select(func.count()).select_from(query.order_by(None).subquery())).scalar_one()
    pages = max((total + per_page - 1) // per_page, 1)
    page = min(max(page, 1), pages)
    rows = session.execute(query.offset((page - 1) * per_page).limit(per_page)).all()
    return rows, total, page, pages


def _day(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _int(raw: str, default: int | None = None) -> int | None:
    return int(raw) if raw.isdigit() and len(raw) < 10 else default


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
        if col.kind == "date" and _date_range(raw) is None:
            continue
        filters[key] = raw
    return ListQuery(
        status=status if status in STATUSES[kind] else "all",
        text=" ".join(str(params.get("q", "")).split())[:MAX_TEXT],
        sort=sort if sort in columns and columns[sort].sortable else "",
        desc={"asc": False, "desc": True}.get(direction),
        filters=filters,
        page=_int(str(params.get("page", "1")), 1) or 1,
        site_id=_int(str(params.get("site", ""))),
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


def _date_range(raw: str) -> tuple[date, date] | None:
    """"2026" / "2026-03" / "2026-03-14" as [start, end)."""
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


@dataclass
class _Built:
    exprs: dict[str, object]
    base: object  # a Select with joins and the visibility rules
    search: list
    statuses: dict[str, object]
    default: tuple[str, bool]
    sort_exprs: dict[str, object] = field(default_factory=dict)
    extra: list = field(default_factory=list)


def _s(column):
    """An enum column read as its plain string value."""
    return type_coerce(column, String)


def _build(session: Session, viewer: Viewer, kind: str, query: ListQuery, today: date) -> _Built | None:
    t, scope = viewer.tenant_id, site_scope(viewer)
    docs = document_switches(session, t)
    if kind in ("quotes", "invoices", "reports") and not docs[kind]:
        return None
    if kind == "jobs":
        when = func.coalesce(Job.scheduled_date, Job.due_date)
        exprs = {"id": Job.id, "number": Job.number, "date": when, "site": Site.name, "address": Site.address,
                 "kind": _s(Job.kind), "stage": _s(Job.stage), "description": Job.description, "po": Job.customer_po}
        base = select().select_from(Job).join(Site, Site.id == Job.site_id).where(
            Job.tenant_id == t, Job.site_id.in_(scope))
        extra = []
        if query.site_id is not None:
            extra.append(Job.site_id == query.site_id)
        if query.date_from:
            extra.append(when >= query.date_from)
        if query.date_to:
            extra.append(when <= query.date_to)
        return _Built(exprs, base, [Job.number, Job.description, Job.notes, Job.customer_po, Site.address],
                      {"future": when >= today, "past": when < today},
                      ("date", query.status != "future"), extra=extra)
    if kind == "quotes":
        visible = or_(Quote.status.in_([QuoteStatus.APPROVED, QuoteStatus.DECLINED]), open_quote(today))
        exprs = {"id": Quote.id, "number": Quote.number, "site": Site.name, "title": Quote.title,
                 "kind": _s(Quote.kind), "issued": Quote.issued_on, "expires": Quote.expires_on,
                 "status": _s(Quote.status), "total_cents": Quote.total_cents, "approver": Quote.approver_name,
                 "reference": Quote.approver_reference, "comment": Quote.decline_comment}
        base = select().select_from(Quote).join(Site, Site.id == Quote.site_id).where(
            Quote.tenant_id == t, Quote.site_id.in_(scope), visible)
        return _Built(exprs, base, [Quote.number, Quote.title, Site.name],
                      {"awaiting": open_quote(today), "approved": Quote.status == QuoteStatus.APPROVED,
                       "declined": Quote.status == QuoteStatus.DECLINED}, ("issued", True))
    if kind == "invoices":
        overdue = and_(Invoice.status == InvoiceStatus.AWAITING_PAYMENT, Invoice.due_on < today)
        status = case((overdue, literal("OVERDUE")), else_=_s(Invoice.status))
        exprs = {"id": Invoice.id, "number": Invoice.number, "site": Site.name, "issued": Invoice.issued_on,
                 "due": Invoice.due_on, "status": status, "total_cents": Invoice.total_cents, "po": Invoice.customer_po}
        base = select().select_from(Invoice).join(Site, Site.id == Invoice.site_id).where(
            Invoice.tenant_id == t, Invoice.site_id.in_(scope), Invoice.status != InvoiceStatus.DRAFT)
        return _Built(exprs, base, [Invoice.number, Site.name, Invoice.customer_po],
                      {"awaiting": Invoice.status == InvoiceStatus.AWAITING_PAYMENT, "overdue": overdue,
                       "paid": Invoice.status == InvoiceStatus.PAID}, ("issued", True))
    if kind == "reports":
        exprs = {"id": Report.id, "number": Report.number, "date": Report.report_date, "site": Site.name,
                 "title": Report.title, "summary": Report.summary}
        base = select().select_from(Report).join(Site, Site.id == Report.site_id).where(
            Report.tenant_id == t, Report.site_id.in_(scope), Report.status == ReportStatus.APPROVED)
        return _Built(exprs, base, [Report.number, Report.title, Report.summary, Site.name], {}, ("date", True))
    if kind == "assets":
        exprs = {"id": Asset.id, "site_id": Asset.site_id, **{k: getattr(Asset, k) for k in ASSET_COLUMN_KEYS if k != "site"},
                 "site": Site.name}
        base = select().select_from(Asset).join(Site, Site.id == Asset.site_id).where(
            Asset.tenant_id == t, Asset.site_id.in_(scope), Asset.is_active == True)  # noqa: E712
        return _Built(exprs, base, [Asset.asset_code, Asset.asset_type, Asset.model, Asset.serial_number,
                                    Asset.customer_ref, Asset.location, Site.name], {}, ("asset_code", False))
    if kind == "defects":
        exprs = {"id": Remark.id, "number": Remark.id, "raised": Remark.raised_on, "site": Site.name,
                 "asset": Asset.asset_code, "severity": _s(Remark.severity), "status": _s(Remark.status),
                 "title": Remark.title, "resolved": Remark.resolved_on, "description": Remark.description}
        base = (select().select_from(Remark).join(Site, Site.id == Remark.site_id)
                .outerjoin(Asset, Asset.id == Remark.asset_id)
                .where(Remark.tenant_id == t, Remark.site_id.in_(scope), visible_remark(t)))
        return _Built(exprs, base, [Remark.title, Remark.description, Site.name, Asset.asset_code],
                      {"open": Remark.status == RemarkStatus.OPEN, "resolved": Remark.status == RemarkStatus.RESOLVED},
                      ("raised", True), sort_exprs={"severity": severity_rank()})
    raise ValueError(kind)


def _conditions(built: _Built, kind: str, query: ListQuery) -> list:
    where = list(built.extra)
    if query.status in built.statuses:
        where.append(built.statuses[query.status])
    if len(query.text) >= 2:
        p = _pattern(query.text)
        where.append(or_(*[_like(e, p) for e in built.search]))
    columns = {c.key: c for c in COLUMNS[kind]}
    for key, raw in query.filters.items():
        col, expr = columns[key], built.exprs[key]
        if col.kind == "choice":
            where.append(expr == raw)
        elif col.kind == "date":
            start, end = _date_range(raw)
            where.append(and_(expr >= start, expr < end))
        else:
            where.append(_like(expr, _pattern(raw)))
    return where


def _order(built: _Built, query: ListQuery) -> tuple[list, str, bool]:
    key = query.sort or built.default[0]
    desc = built.default[1] if not query.sort or query.desc is None else query.desc
    expr = built.sort_exprs.get(key, built.exprs[key])
    # Severity ranks 0 (critical) upwards: "descending severity" is ascending rank.
    if key in built.sort_exprs:
        ordered = expr.asc() if desc else expr.desc()
    else:
        ordered = (expr.desc() if desc else expr.asc()).nulls_last()
    tie = built.exprs["id"].desc() if desc else built.exprs["id"].asc()
    return [ordered, tie], key, desc


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value.value if hasattr(value, "value") else str(value)


def _statement(session: Session, viewer: Viewer, kind: str, query: ListQuery, now: datetime | None):
    if kind not in LISTS:
        raise ValueError(kind)
    today = tenant_today(session, viewer.tenant_id, now)
    built = _build(session, viewer, kind, query, today)
    if built is None:
        return None
    where = _conditions(built, kind, query)
    stmt = built.base.add_columns(*[e.label(k) for k, e in built.exprs.items()]).where(*where)
    order, key, desc = _order(built, query)
    return stmt, order, key, desc


def _row(kind: str, mapping) -> dict[str, str]:
    row = {k: _text(v) for k, v in mapping.items()}
    if kind == "defects":
        row["number"] = f"D-{row['id']}"
    return row


def fetch(session: Session, viewer: Viewer, kind: str, query: ListQuery, *, now: datetime | None = None,
          per_page: int = PER_PAGE) -> Page | None:
    """One page of a list; None when its document type is switched off for the tenant."""
    built = _statement(session, viewer, kind, query, now)
    if built is None:
        return None
    stmt, order, key, desc = built
    if not viewer.client_ids:
        return Page([], 0, 1, 1, key, desc)
    rows, total, page, pages = paged(session, stmt.order_by(*order), query.page, per_page)
    return Page([_row(kind, r._mapping) for r in rows], total, page, pages, key, desc)


def asset_columns(session: Session, tenant_id: int) -> tuple[list[str], str]:
    """The asset columns the tenant shows (in the list's order) and its "Asset ID" label."""
    settings = session.execute(select(PortalSettings).where(PortalSettings.tenant_id == tenant_id)).scalar_one_or_none()
    chosen = set((settings.asset_columns if settings else DEFAULT_ASSET_COLUMNS).split(",")) | set(ASSET_FIXED)
    label = (settings.asset_id_label if settings else "") or ""
    return [k for k in ASSET_COLUMN_KEYS if k in chosen], label.strip()


def shown_columns(session: Session, viewer: Viewer, kind: str) -> list[Column]:
    cols = [c for c in COLUMNS[kind] if c.shown]
    if kind == "assets":
        keys = asset_columns(session, viewer.tenant_id)[0]
        cols = [c for c in cols if c.key in keys]
    return cols


def _safe_cell(value: str) -> str:
    """Spreadsheet programs run cells that start with = + - @ (and tab/CR) as formulas."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def export_csv(session: Session, viewer: Viewer, kind: str, query: ListQuery, tr, *, now: datetime | None = None,
               limit: int = CSV_LIMIT) -> Iterator[str] | None:
    """The whole filtered list (in its order, up to ``limit`` rows) as CSV text chunks,
    headed by the translated column names; None when the list is switched off."""
    built = _statement(session, viewer, kind, query, now)
    if built is None:
        return None
    stmt, order, _key, _desc = built
    # Every column (hidden ones too: the CSV carries more than the table), but for
    # assets only the ones the tenant shows.
    cols = shown_columns(session, viewer, kind) if kind == "assets" else list(COLUMNS[kind])
    label = asset_columns(session, viewer.tenant_id)[1] if kind == "assets" else ""
    header = [(label if c.key == "asset_code" and label else tr(c.label)) for c in cols]
    rows = [] if not viewer.client_ids else session.execute(stmt.order_by(*order).limit(limit)).mappings().all()

    def chunks() -> Iterator[str]:
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(header)
        for i, mapping in enumerate(rows, 1):
            row = _row(kind, mapping)
            values = []
            for c in cols:
                v = row.get(c.key, "")
                if c.kind == "money" and v:
                    v = f"{int(v) / 100:.2f}"
                elif c.kind == "choice" and v:
                    v = tr(c.prefix + v)
                values.append(_safe_cell(v))
            writer.writerow(values)
            if i % 500 == 0:
                yield buf.getvalue()
                buf.seek(0)
                buf.truncate()
        yield buf.getvalue()

    return chunks()
