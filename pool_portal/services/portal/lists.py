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

from sqlalchemy import String, and_, case, false, func, literal, or_, select, type_coerce
from sqlalchemy.orm import Session

from pool_portal.models import (
    Asset,
    Invoice,
    InvoiceStatus,
    Job,
    JobKind,
    JobStage,
    Quote,
    QuoteKind,
    QuoteStatus,
    Remark,
    RemarkStatus,
    Report,
    ReportStatus,
    Severity,
    Site,
)
from pool_portal.services.core.clock import tenant_today
from pool_portal.services.core.params import parse_id, parse_page
from pool_portal.services.core.scope import Viewer
from pool_portal.services.portal.portal_settings import (
    ASSET_COLUMN_KEYS,
    ASSET_FIXED,
    document_switches,
    portal_settings,
)
from pool_portal.services.portal.search import _like, _pattern
from pool_portal.services.portal.visibility import open_quote, severity_rank, site_scope, visible_quote, visible_remark

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

assert tuple(c.key for c in COLUMNS["assets"]) == ASSET_COLUMN_KEYS  # one list of asset columns


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


def _date_range(raw: str) -> tuple[date, date] | None:
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


@dataclass(frozen=True)
class _Via:
    """A column of another table, reached from the list's own table by a foreign key
    (a job's site name, a defect's asset code). Filtering or searching on it becomes
    ``fk IN (SELECT pk FROM other WHERE <the test>)``, so that counting and choosing
    the page need no join; only the page's rows are joined."""

    fk: object
    pk: object
    column: object
    scope: object  # the other table's own tenant condition (keeps its subquery small)
    outer: bool = False  # the foreign key may be NULL: LEFT JOIN for display and sorting


@dataclass
class _Built:
    root: object  # the list's own table (Job, Quote...); its site_id column keeps it in the view
    exprs: dict[str, object]  # what each row shows; a _Via's column stands in for it here
    where: list  # the visibility rules, on the root table only
    search: list  # expressions or _Via
    statuses: dict[str, object]
    default: tuple[str, bool]
    via: dict[str, _Via] = field(default_factory=dict)  # columns of other tables, by key
    sort_exprs: dict[str, object] = field(default_factory=dict)
    extra: list = field(default_factory=list)

    @property
    def site_fk(self):
        return self.root.site_id

    def joins(self) -> list[_Via]:
        """One join per joined table (the first _Via of each)."""
        seen: dict[object, _Via] = {}
        for v in self.via.values():
            seen.setdefault(v.pk.table, v)
        return list(seen.values())

    def join(self, stmt, only: set | None = None):
        for v in self.joins():
            if only is None or v.pk.table in only:
                stmt = stmt.join(v.pk.table, v.pk == v.fk, isouter=v.outer)
        return stmt


def _s(column):
    """An enum column read as its plain string value."""
    return type_coerce(column, String)


def _test(target, predicate):
    """``predicate`` applied to an expression, or through its foreign key to a _Via."""
    if isinstance(target, _Via):
        return target.fk.in_(select(target.pk).where(target.scope, predicate(target.column)))
    return predicate(target)


def _build(session: Session, viewer: Viewer, kind: str, query: ListQuery, today: date) -> _Built | None:
    t = viewer.tenant_id
    docs = document_switches(session, t)
    if kind in ("quotes", "invoices", "reports") and not docs[kind]:
        return None

    def site(fk, column=Site.name) -> _Via:
        return _Via(fk, Site.id, column, Site.tenant_id == t)

    if kind == "jobs":
        when = func.coalesce(Job.scheduled_date, Job.due_date)
        via = {"site": site(Job.site_id), "address": site(Job.site_id, Site.address)}
        exprs = {
            "id": Job.id,
            "number": Job.number,
            "date": when,
            "site": Site.name,
            "address": Site.address,
            "kind": _s(Job.kind),
            "stage": _s(Job.stage),
            "description": Job.description,
            "po": Job.customer_po,
        }
        extra = []
        if query.site_id is not None:
            extra.append(Job.site_id == query.site_id)
        if query.asset_id is not None:
            extra.append(Job.asset_id == query.asset_id)
        if query.date_from:
            extra.append(when >= query.date_from)
        if query.date_to:
            extra.append(when <= query.date_to)
        return _Built(
            Job,
            exprs,
            [Job.tenant_id == t],
            [Job.number, Job.description, Job.notes, Job.customer_po, via["address"]],
            {"future": when >= today, "past": when < today},
            ("date", query.status != "future"),
            via=via,
            extra=extra,
        )
    if kind == "quotes":
        visible = visible_quote(today)
        via = {"site": site(Quote.site_id)}
        exprs = {
            "id": Quote.id,
            "number": Quote.number,
            "site": Site.name,
            "title": Quote.title,
            "kind": _s(Quote.kind),
            "issued": Quote.issued_on,
            "expires": Quote.expires_on,
            "status": _s(Quote.status),
            "total_cents": Quote.total_cents,
            "approver": Quote.approver_name,
            "reference": Quote.approver_reference,
            "comment": Quote.decline_comment,
        }
        return _Built(
            Quote,
            exprs,
            [Quote.tenant_id == t, visible],
            [Quote.number, Quote.title, via["site"]],
            {
                "awaiting": open_quote(today),
                "approved": Quote.status == QuoteStatus.APPROVED,
                "declined": Quote.status == QuoteStatus.DECLINED,
            },
            ("issued", True),
            via=via,
        )
    if kind == "invoices":
        overdue = and_(Invoice.status == InvoiceStatus.AWAITING_PAYMENT, Invoice.due_on < today)
        status = case((overdue, literal("OVERDUE")), else_=_s(Invoice.status))
        via = {"site": site(Invoice.site_id)}
        exprs = {
            "id": Invoice.id,
            "number": Invoice.number,
            "site": Site.name,
            "issued": Invoice.issued_on,
            "due": Invoice.due_on,
            "status": status,
            "total_cents": Invoice.total_cents,
            "po": Invoice.customer_po,
        }
        return _Built(
            Invoice,
            exprs,
            [Invoice.tenant_id == t, Invoice.status != InvoiceStatus.DRAFT],
            [Invoice.number, via["site"], Invoice.customer_po],
            {
                "awaiting": Invoice.status == InvoiceStatus.AWAITING_PAYMENT,
                "overdue": overdue,
                "paid": Invoice.status == InvoiceStatus.PAID,
            },
            ("issued", True),
            via=via,
        )
    if kind == "reports":
        via = {"site": site(Report.site_id)}
        exprs = {
            "id": Report.id,
            "number": Report.number,
            "date": Report.report_date,
            "site": Site.name,
            "title": Report.title,
            "summary": Report.summary,
        }
        return _Built(
            Report,
            exprs,
            [Report.tenant_id == t, Report.status == ReportStatus.APPROVED],
            [Report.number, Report.title, Report.summary, via["site"]],
            {},
            ("date", True),
            via=via,
        )
    if kind == "assets":
        via = {"site": site(Asset.site_id)}
        exprs = {
            "id": Asset.id,
            "site_id": Asset.site_id,
            **{k: getattr(Asset, k) for k in ASSET_COLUMN_KEYS if k != "site"},
            "site": Site.name,
        }
        return _Built(
            Asset,
            exprs,
            [Asset.tenant_id == t, Asset.is_active == True],
            [
                Asset.asset_code,
                Asset.asset_type,
                Asset.model,
                Asset.serial_number,
                Asset.customer_ref,
                Asset.location,
                via["site"],
            ],
            {},
            ("asset_code", False),
            via=via,
        )
    if kind == "defects":
        via = {
            "site": site(Remark.site_id),
            "asset": _Via(Remark.asset_id, Asset.id, Asset.asset_code, Asset.tenant_id == t, outer=True),
        }
        exprs = {
            "id": Remark.id,
            "number": Remark.id,
            "raised": Remark.raised_on,
            "site": Site.name,
            "asset": Asset.asset_code,
            "severity": _s(Remark.severity),
            "status": _s(Remark.status),
            "title": Remark.title,
            "resolved": Remark.resolved_on,
            "description": Remark.description,
        }
        return _Built(
            Remark,
            exprs,
            [Remark.tenant_id == t, visible_remark(t)],
            [Remark.title, Remark.description, via["site"], via["asset"]],
            {"open": Remark.status == RemarkStatus.OPEN, "resolved": Remark.status == RemarkStatus.RESOLVED},
            ("raised", True),
            via=via,
            sort_exprs={"severity": severity_rank()},
        )
    raise ValueError(kind)


MAX_MATCHED_IDS = 1000


def _conditions(session: Session, viewer: Viewer, built: _Built, kind: str, query: ListQuery) -> tuple[list, bool]:
    """The query's conditions, on the root table only, and whether they need the table's
    rows (a text test on its own columns: no index has them).

    - The view: ``site_id IN (the view's sites)``; a filter on a site column (the
      property's name or address) narrows that same subquery, so the list's index is
      searched for those sites only.
    - A filter on another joined column (a defect's asset): ``fk IN (SELECT ...)``.
    - The search box, over the list's own columns and joined ones: the joined tables'
      matches are looked up first (a handful of ids, usually none, which drops the
      term) rather than tested again on every row."""
    site_tests = []
    where = list(built.where) + list(built.extra)
    scans_rows = False
    if query.status in built.statuses:
        where.append(built.statuses[query.status])
    if len(query.text) >= 2:
        p = _pattern(query.text)
        terms = []
        for e in built.search:
            if not isinstance(e, _Via):
                terms.append(_like(e, p))
                continue
            ids = (
                session.execute(select(e.pk).where(e.scope, _like(e.column, p)).limit(MAX_MATCHED_IDS + 1))
                .scalars()
                .all()
            )
            if len(ids) > MAX_MATCHED_IDS:
                terms.append(_test(e, lambda c: _like(c, p)))
            elif ids:
                terms.append(e.fk.in_(ids))
        where.append(or_(*terms) if terms else false())
        scans_rows = True
    columns = {c.key: c for c in COLUMNS[kind]}
    for key, raw in query.filters.items():
        col, target = columns[key], built.via.get(key, built.exprs[key])
        if col.kind == "choice":
            test = lambda c, raw=raw: c == raw  # noqa: E731
        elif col.kind == "date":
            start, end = _date_range(raw)
            test = lambda c, start=start, end=end: and_(c >= start, c < end)  # noqa: E731
        else:
            test = lambda c, raw=raw: _like(c, _pattern(raw))  # noqa: E731
            scans_rows = scans_rows or not isinstance(target, _Via)
        if isinstance(target, _Via) and target.fk is built.site_fk and target.pk is Site.id:
            site_tests.append(test(target.column))
        else:
            where.append(_test(target, test))
    return [built.site_fk.in_(site_scope(viewer).where(*site_tests)), *where], scans_rows


def _order(built: _Built, query: ListQuery) -> tuple[list, str, bool, set]:
    """ORDER BY (the sort column, then the id as tie-break), the key, the direction and
    the joined tables the order needs."""
    key = query.sort or built.default[0]
    desc = built.default[1] if not query.sort or query.desc is None else query.desc
    expr = built.sort_exprs.get(key, built.exprs[key])
    # Severity ranks 0 (critical) upwards: "descending severity" is ascending rank.
    if key in built.sort_exprs:
        ordered = expr.asc() if desc else expr.desc()
    else:
        ordered = (expr.desc() if desc else expr.asc()).nulls_last()
    tie = built.exprs["id"].desc() if desc else built.exprs["id"].asc()
    tables = {built.via[key].pk.table} if key in built.via else set()
    return [ordered, tie], key, desc, tables


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value.value if hasattr(value, "value") else str(value)


def _prepared(session: Session, viewer: Viewer, kind: str, query: ListQuery, now: datetime | None):
    if kind not in LISTS:
        raise ValueError(kind)
    today = tenant_today(session, viewer.tenant_id, now)
    built = _build(session, viewer, kind, query, today)
    if built is None:
        return None
    where, scans_rows = _conditions(session, viewer, built, kind, query)
    return built, where, scans_rows, *_order(built, query)


def _rows_statement(built: _Built, where, order):
    """Every column of the rows (joined tables included) meeting ``where``, in order."""
    stmt = built.join(select(*[e.label(k) for k, e in built.exprs.items()]).select_from(built.root))
    return stmt.where(*where).order_by(*order)


def _row(kind: str, mapping) -> dict[str, str]:
    row = {k: _text(v) for k, v in mapping.items()}
    if kind == "defects":
        row["number"] = f"D-{row['id']}"
    return row


def fetch(
    session: Session,
    viewer: Viewer,
    kind: str,
    query: ListQuery,
    *,
    now: datetime | None = None,
    per_page: int = PER_PAGE,
) -> Page | None:
    """One page of a list; None when its document type is switched off for the tenant.

    Only the page's rows are ever joined and read in full. First the total and the ids
    of the page's ``per_page`` rows, from the list's own table (its covering indexes
    answer both without reading table rows): a count, then the ids in order; when the
    filters need the rows themselves (a text search), one pass gives both
    (``count(*) OVER ()``); sorted by site, a count per site gives both (see
    _page_by_site). Then those rows with every column."""
    prepared = _prepared(session, viewer, kind, query, now)
    if prepared is None:
        return None
    built, where, scans_rows, order, key, desc, order_tables = prepared
    if not viewer.client_ids:
        return Page([], 0, 1, 1, key, desc)
    root_id = built.exprs["id"]
    ids_query = built.join(select(root_id).select_from(built.root), only=order_tables).where(*where).order_by(*order)
    via = built.via.get(key)
    if via is not None and via.pk.table is Site.__table__:
        ids, total, page, pages = _page_by_site(session, built, where, order, via, ids_query, query.page, per_page)
    elif scans_rows:
        page = max(query.page, 1)
        found = session.execute(
            ids_query.add_columns(func.count().over()).offset((page - 1) * per_page).limit(per_page)
        ).all()
        if found or page == 1:
            total = found[0][1] if found else 0
            ids, pages = [r[0] for r in found], max((total + per_page - 1) // per_page, 1)
        else:  # past the last page (a hand-edited URL): the last page
            ids, total, page, pages = _page_of(session, built, where, ids_query, page, per_page)
    else:
        ids, total, page, pages = _page_of(session, built, where, ids_query, query.page, per_page)
    rows = session.execute(_rows_statement(built, [root_id.in_(ids)], order)).mappings().all() if ids else []
    return Page([_row(kind, r) for r in rows], total, page, pages, key, desc)


def _page_of(session: Session, built: _Built, where, ids_query, page: int, per_page: int):
    """(ids of the page, total, page, pages): a count, then the page's ids."""
    total = session.execute(select(func.count()).select_from(built.root).where(*where)).scalar_one()
    pages = max((total + per_page - 1) // per_page, 1)
    page = min(max(page, 1), pages)
    ids = session.execute(ids_query.offset((page - 1) * per_page).limit(per_page)).scalars().all()
    return ids, total, page, pages


MAX_SITES_BY_COUNT = 5000


def _page_by_site(session: Session, built: _Built, where, order, via: _Via, ids_query, page: int, per_page: int):
    """A page sorted by a site column without sorting (or joining) every row: count the
    rows per site in one pass (which gives the total as well), order the sites
    themselves by that column, find the sites the page falls on, and read only theirs.
    Sites with equal values form one group: their rows interleave by id, as in SQL."""
    counts = dict(
        session.execute(select(via.fk, func.count()).select_from(built.root).where(*where).group_by(via.fk)).all()
    )
    if len(counts) > MAX_SITES_BY_COUNT:  # (not a portal view: sort every row instead)
        return _page_of(session, built, where, ids_query, page, per_page)
    total = sum(counts.values())
    pages = max((total + per_page - 1) // per_page, 1)
    page = min(max(page, 1), pages)
    start = (page - 1) * per_page
    groups: list[tuple[object, list[int], int]] = []  # (value, site ids, rows), in the list's order
    for site_id, value in session.execute(
        select(via.pk, via.column).where(via.pk.in_(sorted(counts))).order_by(order[0], via.pk)
    ):
        if groups and groups[-1][0] == value:
            groups[-1][1].append(site_id)
            groups[-1] = (value, groups[-1][1], groups[-1][2] + counts[site_id])
        else:
            groups.append((value, [site_id], counts[site_id]))
    before, chosen, covered = 0, [], 0  # rows of the groups before the page; the page's groups
    for _value, site_ids, n in groups:
        if not chosen and before + n <= start:
            before += n
            continue
        chosen += site_ids
        covered += n
        if before + covered >= start + per_page:
            break
    if not chosen:
        return [], total, page, pages
    ids = session.execute(ids_query.where(via.fk.in_(chosen)).offset(start - before).limit(per_page)).scalars().all()
    return ids, total, page, pages


def asset_columns(session: Session, tenant_id: int) -> tuple[list[str], str]:
    """The asset columns the tenant shows (in the list's order) and its "Asset ID" label."""
    settings = portal_settings(session, tenant_id)
    chosen = set(settings.asset_columns) | set(ASSET_FIXED)
    return [k for k in ASSET_COLUMN_KEYS if k in chosen], settings.asset_id_label


def shown_columns(session: Session, viewer: Viewer, kind: str) -> list[Column]:
    cols = [c for c in COLUMNS[kind] if c.shown]
    if kind == "assets":
        keys = asset_columns(session, viewer.tenant_id)[0]
        cols = [c for c in cols if c.key in keys]
    return cols


def _safe_cell(value: str) -> str:
    """Spreadsheet programs run cells that start with = + - @ (and tab/CR) as formulas."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def export_csv(
    session: Session,
    viewer: Viewer,
    kind: str,
    query: ListQuery,
    tr,
    *,
    now: datetime | None = None,
    limit: int = CSV_LIMIT,
) -> Iterator[str] | None:
    """The whole filtered list (in its order, up to ``limit`` rows) as CSV text chunks,
    headed by the translated column names; None when the list is switched off."""
    prepared = _prepared(session, viewer, kind, query, now)
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
        else (session.execute(_rows_statement(built, where, order).limit(limit)).mappings().all())
    )

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
