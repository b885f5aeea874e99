"""The portal dashboard's figures, for one viewer's current view.

Visibility rules live here once: a remark counts only when published (directly, or by
being on an approved report); draft and expired quotes, draft and void invoices and
unapproved reports never count; "overdue" is an unpaid invoice whose due date has
passed in the tenant's time zone. Each figure is a handful of SQL aggregates over the
view's sites: never a query per property or per row. A hidden panel is not computed.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from sqlalchemy import String, and_, case, func, or_, select, type_coerce
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
    Remark,
    RemarkStatus,
    Severity,
    Site,
)
from pool_portal.services.core.clock import tenant_today
from pool_portal.services.core.params import parse_int
from pool_portal.services.core.scope import Viewer
from pool_portal.services.core.sqlfn import month_text
from pool_portal.services.portal.portal_settings import document_switches
from pool_portal.services.portal.visibility import (
    SEVERITIES,
    issued_invoice,
    open_quote,
    outstanding_invoice,
    overdue_invoice,
    panel_visibility,
    severity_rank,
    site_scope,
    visible_remark,
)

COUNTED_SEVERITIES = [Severity.CRITICAL, Severity.NON_CONFORMANCE, Severity.NON_CRITICAL]
ROUTINE_STATUSES = ("on_time", "within_tolerance", "late", "missed", "pending")


# -- rules shared by every query -------------------------------------------------------------
def month_key(d: date) -> str:
    return f"{d.year:04d}-{d.month:02d}"


def last_months(today: date, count: int = 12) -> list[str]:
    """The ``count`` months ending with ``today``'s, oldest first, as "YYYY-MM"."""
    out = []
    y, m = today.year, today.month
    for _ in range(count):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out[::-1]


def _months_start(months: list[str]) -> date:
    y, m = months[0].split("-")
    return date(int(y), int(m), 1)


# -- the view's sites and settings -----------------------------------------------------------------
# -- panels ----------------------------------------------------------------------------------------------
# Each figure is read with as few passes over the big tables as the figures allow, every
# pass an aggregate over a covering index (alembic 0003_dashboard_indexes), grouped by
# columns in that index's order where possible so that SQLite needs no sort:
#   invoices  one pass per site (overdue, outstanding, spend per property) + one per issue day
#   quotes    one pass per (site, kind)
#   remarks   one pass per (site, severity) over the open ones (properties, map, tally), one
#             per (day raised, status, severity) over the last 12 months, and the asset types
#             most severe first (usually one small pass: see _asset_types)
#   jobs      routine jobs per (due, completed, tolerance); service calls per (month, stage)
# Days are folded into months in Python, which keeps the SQL the same on both backends.
@dataclass
class PropertyRow:
    site_id: int
    name: str
    address: str
    overdue_invoices: int = 0
    open_quotes: int = 0
    open_defects: int = 0
    highest_severity: str | None = None
    latitude: float | None = None
    longitude: float | None = None


@dataclass
class Outstanding:
    count: int = 0
    total_cents: int = 0


@dataclass
class DefectAnalytics:
    tally: dict[str, int] = field(default_factory=dict)  # open, visible, by severity
    months: list[str] = field(default_factory=list)
    # month -> {"RESOLVED": n, "CRITICAL": n, ...}: raised that month, now resolved or open by severity
    per_month: dict[str, dict[str, int]] = field(default_factory=dict)
    asset_types: dict[str, str] = field(default_factory=dict)  # type -> highest open severity


@dataclass
class Spend:
    months: list[str] = field(default_factory=list)
    per_month: dict[str, int] = field(default_factory=dict)  # cents invoiced (issued) per month
    per_property: list[tuple[str, int]] = field(default_factory=list)  # (site name, cents) last 12 months


def _property_rows(session: Session, viewer: Viewer) -> dict[int, PropertyRow]:
    """The view's active sites by name (the columns the dashboard shows, no ORM objects)."""
    if not viewer.client_ids:
        return {}
    rows = _aggregate(
        session,
        select(Site.id, Site.name, Site.address, Site.city, Site.latitude, Site.longitude)
        .where(
            Site.tenant_id == viewer.tenant_id, Site.client_id.in_(sorted(viewer.client_ids)), Site.is_active == True
        )
        .order_by(Site.name, Site.id),
    )
    return {
        sid: PropertyRow(sid, name, ", ".join(p for p in (address, city) if p), latitude=lat, longitude=lon)
        for sid, name, address, city, lat, lon in rows
    }


def _invoice_figures(session, viewer, scope, today, start, rows, docs, activity, spend_result) -> None:
    """One pass over the view's outstanding (and, for spend, paid) invoices per site:
    overdue counts per property, the outstanding and overdue totals, spend per property;
    and one pass per issue day for spend per month."""
    awaiting = Invoice.status == InvoiceStatus.AWAITING_PAYMENT
    overdue = and_(awaiting, Invoice.due_on < today)
    counted = lambda cond, value=1: func.coalesce(func.sum(case((cond, value), else_=0)), 0)  # noqa: E731
    where = [Invoice.tenant_id == viewer.tenant_id, Invoice.site_id.in_(scope)]
    if spend_result is not None:
        where += [issued_invoice(), or_(awaiting, Invoice.issued_on >= start)]
    else:
        where.append(awaiting)
    issued = Invoice.issued_on >= start
    per_site = {}
    for site_id, *figures in _aggregate(
        session,
        select(
            Invoice.site_id,
            counted(overdue),
            counted(overdue, Invoice.total_cents),
            counted(awaiting),
            counted(awaiting, Invoice.total_cents),
            counted(issued),
            counted(issued, Invoice.total_cents),
        )
        .where(*where)
        .group_by(Invoice.site_id),
    ):
        if site_id in rows:  # (a site added since the view's sites were read waits for the next look)
            per_site[site_id] = [int(f) for f in figures]
    if docs["invoices"]:
        for site_id, (n_over, *_rest) in per_site.items():
            rows[site_id].overdue_invoices = n_over
        if activity is not None:
            activity["invoices"] = Outstanding(
                sum(v[2] for v in per_site.values()), sum(v[3] for v in per_site.values())
            )
            activity["overdue_invoices"] = Outstanding(
                sum(v[0] for v in per_site.values()), sum(v[1] for v in per_site.values())
            )
    if spend_result is not None:
        spent = [(rows[sid].name, v[5]) for sid, v in per_site.items() if v[4]]
        spend_result.per_property = sorted(spent, key=lambda x: (-x[1], x[0]))
        for issued, total in _aggregate(
            session,
            select(_plain(Invoice.issued_on), func.sum(Invoice.total_cents))
            .where(
                Invoice.tenant_id == viewer.tenant_id,
                Invoice.issued_on >= start,
                Invoice.site_id.in_(scope),
                issued_invoice(),
            )
            .group_by(Invoice.issued_on),
        ):
            key = str(issued)[:7]
            if key in spend_result.per_month:
                spend_result.per_month[key] += int(total)


def _quote_figures(session, viewer, scope, today, rows, activity) -> None:
    """One pass over the quotes awaiting approval, per (site, kind)."""
    for site_id, kind, n, total in _aggregate(
        session,
        select(Quote.site_id, _plain(Quote.kind), func.count(), func.coalesce(func.sum(Quote.total_cents), 0))
        .where(Quote.tenant_id == viewer.tenant_id, Quote.site_id.in_(scope), open_quote(today))
        .group_by(Quote.site_id, Quote.kind),
    ):
        if site_id not in rows:
            continue
        rows[site_id].open_quotes += n
        if activity is not None:
            out = activity["defect_quotes" if kind == "DEFECT" else "service_quotes"]
            out.count += n
            out.total_cents += int(total)


def _open_remark_figures(session, viewer, scope, rows, tally: dict[str, int] | None) -> None:
    """One pass over the open visible remarks, per (site, severity): each property's open
    defects (information and recommendations excluded) and highest severity; the tally."""
    rank = {s.value: i for i, s in enumerate(SEVERITIES)}
    counted = {s.value for s in COUNTED_SEVERITIES}
    t = viewer.tenant_id
    for site_id, severity, n in _aggregate(
        session,
        select(Remark.site_id, _plain(Remark.severity), func.count())
        .where(Remark.tenant_id == t, Remark.site_id.in_(scope), Remark.status == RemarkStatus.OPEN, visible_remark(t))
        .group_by(Remark.site_id, Remark.severity),
    ):
        sev, row = severity, rows.get(site_id)
        if row is None:
            continue
        if sev in counted:
            row.open_defects += n
        if row.highest_severity is None or rank[sev] < rank[row.highest_severity]:
            row.highest_severity = sev
        if tally is not None:
            tally[sev] += n


def _remarks_per_month(session, viewer, scope, start: date, per_month: dict[str, dict[str, int]]) -> None:
    """Remarks raised in the chart's months, now resolved or open by severity: grouped by
    day raised (the index's order) and folded into months here."""
    t, resolved = viewer.tenant_id, RemarkStatus.RESOLVED.value
    for raised, status, severity, n in _aggregate(
        session,
        select(_plain(Remark.raised_on), _plain(Remark.status), _plain(Remark.severity), func.count())
        .where(Remark.tenant_id == t, Remark.raised_on >= start, Remark.site_id.in_(scope), visible_remark(t))
        .group_by(Remark.raised_on, Remark.status, Remark.severity),
    ):
        buckets = per_month.get(str(raised)[:7])
        if buckets is not None:
            b = "RESOLVED" if status == resolved else severity
            buckets[b] = buckets.get(b, 0) + n


def _asset_types(session, viewer, scope) -> dict[str, str]:
    """Each asset type of the view with its highest open severity. The types come from
    the view's assets; then, most severe first, each severity's open remarks name the
    types not placed yet, until none is left. On a large view nearly every type has a
    critical defect, so this reads the critical remarks only, not every open one. A
    remark counts for the asset it is on, at its own site."""
    t = viewer.tenant_id
    # (The scope's sites are the tenant's; index ix_asset_site_type covers this.)
    remaining = {r[0] for r in _aggregate(session, select(Asset.asset_type).where(Asset.site_id.in_(scope)).distinct())}
    out: dict[str, str] = {}
    for severity in SEVERITIES:
        if not remaining:
            break
        found = {
            r[0]
            for r in _aggregate(
                session,
                select(Asset.asset_type)
                .distinct()
                .select_from(Remark)
                .join(Asset, and_(Asset.id == Remark.asset_id, Asset.site_id == Remark.site_id))
                .where(
                    Remark.tenant_id == t,
                    Remark.site_id.in_(scope),
                    Remark.status == RemarkStatus.OPEN,
                    Remark.severity == severity,
                    visible_remark(t),
                    Asset.asset_type.in_(sorted(remaining)),
                ),
            )
        }
        for asset_type in found:
            out[asset_type] = severity.value
        remaining -= found
    return dict(sorted(out.items()))


def routine_status(due: date, completed: date | None, tolerance: int, today: date) -> str:
    """Done on time (by the due date), within tolerance (up to ``tolerance`` days
    late), late, missed (not done and past the tolerance), or pending."""
    if completed is not None:
        if completed <= due:
            return "on_time"
        return "within_tolerance" if (completed - due).days <= tolerance else "late"
    return "missed" if (today - due).days > tolerance else "pending"


def routine_activities(session: Session, viewer: Viewer, scope, year: int, today: date) -> dict[str, dict[str, int]]:
    """For each month of ``year`` ("YYYY-MM"), routine jobs due that month by status:
    counted per (due, completed, tolerance) in SQL, the status decided here."""
    out = {f"{year:04d}-{m:02d}": {s: 0 for s in ROUTINE_STATUSES} for m in range(1, 13)}
    if scope is None:
        return out
    for due, completed, tolerance, n in _aggregate(
        session,
        select(Job.due_date, Job.completed_on, Job.tolerance_days, func.count())
        .where(
            Job.tenant_id == viewer.tenant_id,
            Job.site_id.in_(scope),
            Job.kind == JobKind.ROUTINE,
            Job.due_date >= date(year, 1, 1),
            Job.due_date <= date(year, 12, 31),
        )
        .group_by(Job.due_date, Job.completed_on, Job.tolerance_days),
    ):
        out[month_key(due)][routine_status(due, completed, tolerance or 0, today)] += n
    return out


def service_calls(session: Session, viewer: Viewer, scope, today: date) -> dict[str, dict[str, int]]:
    """Reactive jobs (service calls) of the last 12 months by created month and stage."""
    months = last_months(today)
    out = {m: {s.value: 0 for s in JobStage} for m in months}
    if scope is None:
        return out
    start = datetime.combine(_months_start(months), time.min, tzinfo=UTC)
    month = month_text(Job.created_at)
    for key, stage, n in _aggregate(
        session,
        select(month, _plain(Job.stage), func.count())
        .where(
            Job.tenant_id == viewer.tenant_id,
            Job.site_id.in_(scope),
            Job.kind == JobKind.SERVICE_CALL,
            Job.created_at >= start,
        )
        .group_by(month, Job.stage),
    ):
        if key in out:
            out[key][stage] += n
    return out


# -- everything the dashboard shows ---------------------------------------------------------------------------
@dataclass
class Dashboard:
    today: date
    panels: dict[str, bool]
    documents: dict[str, bool]
    properties: list[PropertyRow]
    activity: dict[str, Outstanding] | None = None
    defects: DefectAnalytics | None = None
    routine: dict[str, dict[str, int]] | None = None
    routine_year: int | None = None
    service_calls: dict[str, dict[str, int]] | None = None
    spend: Spend | None = None


def build(
    session: Session,
    viewer: Viewer,
    *,
    routine_year: int | None = None,
    now: datetime | None = None,
    side_session: Callable[[], AbstractContextManager[Session]] | None = None,
) -> Dashboard:
    """Every shown panel's figures for the viewer's current view; hidden ones stay None.

    ``side_session``: a factory of sessions on the same database. The figures then come
    in two halves at once, the second on a worker thread with its own connection (the
    database does the work and the driver lets go of the GIL meanwhile, so on two cores
    the dashboard takes about the time of its slower half). Only for a ``session`` with
    no writes of its own pending: the other connection cannot see them."""
    if not viewer.is_portal and not viewer.is_staff:
        raise PermissionError("no viewer")
    today = tenant_today(session, viewer.tenant_id, now)
    panels = panel_visibility(session, viewer)
    docs = document_switches(session, viewer.tenant_id)
    rows = _property_rows(session, viewer)
    scope = site_scope(viewer) if rows else None
    months = last_months(today)
    start = _months_start(months)
    board = Dashboard(today=today, panels=panels, documents=docs, properties=list(rows.values()))
    if panels["activity_report"]:
        board.activity = {k: Outstanding() for k in ("defect_quotes", "service_quotes", "invoices", "overdue_invoices")}
    if panels["defect_analytics"]:
        board.defects = DefectAnalytics(
            tally={s.value: 0 for s in SEVERITIES}, months=months, per_month={m: {} for m in months}
        )
    if panels["spend_tracking"]:
        board.spend = Spend(months=months, per_month={m: 0 for m in months})
    if panels["routine_activities"]:
        board.routine_year = routine_year or today.year

    # Two halves of about the same work that touch different parts of the board.
    def first(db: Session) -> None:
        if scope is not None:
            if docs["invoices"] or board.spend is not None:
                _invoice_figures(db, viewer, scope, today, start, rows, docs, board.activity, board.spend)
            if docs["quotes"]:
                _quote_figures(db, viewer, scope, today, rows, board.activity)
            _open_remark_figures(db, viewer, scope, rows, board.defects.tally if board.defects else None)
        if panels["service_calls"]:
            board.service_calls = service_calls(db, viewer, scope, today)

    def second(db: Session) -> None:
        if scope is not None and board.defects is not None:
            _remarks_per_month(db, viewer, scope, start, board.defects.per_month)
            board.defects.asset_types = _asset_types(db, viewer, scope)
        if panels["routine_activities"]:
            board.routine = routine_activities(db, viewer, scope, board.routine_year, today)

    if side_session is None or scope is None:
        first(session)
        second(session)
        return board

    def on_the_side() -> None:
        with side_session() as db:
            second(db)

    other = _SIDE.submit(on_the_side)
    try:
        first(session)
    finally:
        other.result()  # its error, if any, is raised here
    return board


# The second halves of dashboards being built (see build): two at a time per process
# at most, the callers' own threads doing the first halves.
_SIDE = ThreadPoolExecutor(max_workers=2, thread_name_prefix="dashboard")


def _aggregate(session: Session, statement):
    """Run an aggregate on the session's connection: plain rows, without the ORM's
    result layer (these return thousands of small grouped rows, no entities), fetched at once."""
    return session.connection().execute(statement).all()


def _plain(column):
    """A column read as the driver gives it (an enum's string, a date's ISO text on
    SQLite, a date on PostgreSQL: str() of either starts "YYYY-MM-DD"), without
    SQLAlchemy's per-value conversion: grouped figures come back as thousands of rows."""
    return type_coerce(column, String)


def _value(v) -> str:
    return v.value if hasattr(v, "value") else str(v)


# -- the listings behind the numbers (overlays) -------------------------------------------------------------------
LISTINGS = (
    "overdue_invoices",
    "open_quotes",
    "open_defects",
    "defect_quotes",
    "service_quotes",
    "invoices",
    "defects",
    "routine",
    "calls",
)
# The panel a listing opens from; the others open from "Your properties", always shown.
LISTING_PANELS = {
    "defect_quotes": "activity_report",
    "service_quotes": "activity_report",
    "invoices": "activity_report",
    "defects": "defect_analytics",
    "routine": "routine_activities",
    "calls": "service_calls",
}


def _month_range(month: str | None) -> tuple[date, date] | None:
    if not month or len(month) != 7 or month[4] != "-":
        return None
    y, mo = parse_int(month[:4], 1, 9999), parse_int(month[5:], 1, 12)
    if y is None or mo is None:
        return None
    return date(y, mo, 1), date(y + (mo == 12), mo % 12 + 1, 1)


LISTING_LIMIT = 200
ACTIVITY_KINDS = ("defect_quotes", "service_quotes", "invoices")  # the activity report's sections
ACTIVITY_ITEMS = 5  # outstanding items the page shows in each (the rest in the listing)


def listing(
    session: Session,
    viewer: Viewer,
    kind: str,
    site_id: int | None = None,
    *,
    now: datetime | None = None,
    month: str | None = None,
    bucket: str | None = None,
    text: str | None = None,
    limit: int = LISTING_LIMIT,
) -> list[dict[str, str]] | None:
    """The items behind a dashboard number or bar, for the whole view or one of its
    sites. None when the kind is unknown, its document type is switched off, the panel
    it opens from is hidden for the view (a hidden panel's items are never read nor
    sent), or the site is not in the viewer's view (so nothing of another client's is
    ever listed).
    ``month`` ("YYYY-MM") and ``bucket`` (a severity or RESOLVED, a routine status, a
    stage) narrow the chart listings; ``text`` searches the defects. Quotes and invoices
    say which PDF they have (``doc``); at most ``limit`` quotes or invoices."""
    if kind not in LISTINGS:
        return None
    panel = LISTING_PANELS.get(kind)
    if panel is not None and not panel_visibility(session, viewer)[panel]:
        return None
    scope = _listing_scope(session, viewer, site_id)
    if scope is None or not scope[1]:
        return None if scope is None else []
    sites, ids = scope
    if kind in ("defects", "routine", "calls"):
        return _chart_listing(session, viewer, kind, sites, ids, now=now, month=month, bucket=bucket, text=text)
    today = tenant_today(session, viewer.tenant_id, now)
    docs = document_switches(session, viewer.tenant_id)
    t = viewer.tenant_id
    # The whole view as a subquery rather than a thousand bound ids.
    in_view = ids if site_id is not None else site_scope(viewer)
    if kind in ("overdue_invoices", "invoices"):
        if not docs["invoices"]:
            return None
        cond = overdue_invoice(today) if kind == "overdue_invoices" else outstanding_invoice()
        rows = session.execute(
            select(Invoice)
            .where(Invoice.tenant_id == t, Invoice.site_id.in_(in_view), cond)
            .order_by(Invoice.due_on, Invoice.id)
            .limit(min(limit, LISTING_LIMIT))
        ).scalars()
        return [
            {
                "id": str(i.id),
                "number": i.number,
                "site": sites[i.site_id],
                "title": "",
                "date": i.due_on.isoformat() if i.due_on else "",
                "status": "OVERDUE"
                if i.due_on and i.due_on < today
                else i.status.value
                if hasattr(i.status, "value")
                else str(i.status),
                "amount_cents": str(i.total_cents),
                "doc": "invoice",
            }
            for i in rows
        ]
    if kind in ("open_quotes", "defect_quotes", "service_quotes"):
        if not docs["quotes"]:
            return None
        query = select(Quote).where(Quote.tenant_id == t, Quote.site_id.in_(in_view), open_quote(today))
        if kind != "open_quotes":
            query = query.where(Quote.kind == (QuoteKind.DEFECT if kind == "defect_quotes" else QuoteKind.SERVICE))
        rows = session.execute(query.order_by(Quote.issued_on, Quote.id).limit(min(limit, LISTING_LIMIT))).scalars()
        return [
            {
                "id": str(q.id),
                "number": q.number,
                "site": sites[q.site_id],
                "title": q.title,
                "date": q.expires_on.isoformat() if q.expires_on else "",
                "status": _value(q.status),
                "amount_cents": str(q.total_cents),
                "doc": "quote",
            }
            for q in rows
        ]
    counted = [s.value for s in COUNTED_SEVERITIES]
    rows = session.execute(
        select(Remark)
        .where(
            Remark.tenant_id == t,
            Remark.site_id.in_(ids),
            Remark.status == RemarkStatus.OPEN,
            visible_remark(t),
            Remark.severity.in_(counted),
        )
        .order_by(severity_rank(), Remark.raised_on.desc(), Remark.id)
        .limit(LISTING_LIMIT)
    ).scalars()
    return [
        {
            "id": str(r.id),
            "number": f"D-{r.id}",
            "site": sites[r.site_id],
            "title": r.title,
            "date": r.raised_on.isoformat(),
            "status": _value(r.severity),
            "amount_cents": "",
        }
        for r in rows
    ]


@dataclass
class PropertyDetail:
    name: str
    address: str
    assets: list[dict[str, str]]
    tasks: list[dict[str, str]]
    documents: list[dict[str, str]]


def property_detail(session: Session, viewer: Viewer, site_id: int, *, task_limit: int = 30) -> PropertyDetail | None:
    """A property of the view: its assets, its tasks (latest first) and the files
    shared on it (published only). None for a property outside the view."""
    from pool_portal.models import Document

    site = session.get(Site, site_id)
    if (
        site is None
        or site.tenant_id != viewer.tenant_id
        or site.client_id not in viewer.client_ids
        or not site.is_active
    ):
        return None
    assets = session.execute(
        select(Asset)
        .where(Asset.tenant_id == viewer.tenant_id, Asset.site_id == site_id, Asset.is_active == True)
        .order_by(Asset.asset_type, Asset.asset_code)
    ).scalars()
    jobs = session.execute(
        select(Job)
        .where(Job.tenant_id == viewer.tenant_id, Job.site_id == site_id)
        .order_by(func.coalesce(Job.scheduled_date, Job.due_date).desc(), Job.id.desc())
        .limit(task_limit)
    ).scalars()
    docs = session.execute(
        select(Document)
        .where(Document.tenant_id == viewer.tenant_id, Document.site_id == site_id, Document.is_published == True)
        .order_by(Document.created_at.desc())
    ).scalars()
    iso = lambda d: d.isoformat() if d else ""  # noqa: E731
    return PropertyDetail(
        name=site.name,
        address=", ".join(p for p in (site.address, site.postcode, site.city) if p),
        assets=[
            {
                "id": str(a.id),
                "code": a.asset_code,
                "type": a.asset_type,
                "model": a.model or "",
                "last_test": iso(a.last_test_date),
                "next_due": iso(a.next_service_due),
            }
            for a in assets
        ],
        tasks=[
            {
                "id": str(j.id),
                "number": j.number,
                "kind": _value(j.kind),
                "stage": _value(j.stage),
                "date": iso(j.scheduled_date or j.due_date),
                "description": j.description,
            }
            for j in jobs
        ],
        documents=[
            {"id": str(d.id), "title": d.title, "filename": d.filename, "size": f"{max(d.size_bytes // 1024, 1)} KB"}
            for d in docs
        ],
    )


def _listing_scope(session, viewer, site_id) -> tuple[dict[int, str], list[int]] | None:
    """(site names, the ids to list) for the view or one of its sites; None when the
    site is not in the view."""
    # Names only (not whole Site rows: the ORM's objects for a 1,000-site view cost
    # 50 ms, the id/name pairs 3 ms).
    sites = (
        dict(
            session.execute(
                select(Site.id, Site.name).where(Site.id.in_(site_scope(viewer))).order_by(Site.name, Site.id)
            ).all()
        )
        if viewer.client_ids
        else {}
    )
    if site_id is not None and site_id not in sites:
        return None
    return sites, ([site_id] if site_id is not None else list(sites))


def _chart_listing(session, viewer, kind, sites, ids, *, now, month, bucket, text) -> list[dict[str, str]] | None:
    today = tenant_today(session, viewer.tenant_id, now)
    t = viewer.tenant_id
    span = _month_range(month)
    if month and span is None:
        return None
    if kind == "defects":
        query = select(Remark).where(Remark.tenant_id == t, Remark.site_id.in_(ids), visible_remark(t))
        if span:
            query = query.where(Remark.raised_on >= span[0], Remark.raised_on < span[1])
        if bucket == "RESOLVED":
            query = query.where(Remark.status == RemarkStatus.RESOLVED)
        elif bucket in {s.value for s in SEVERITIES}:
            query = query.where(Remark.status == RemarkStatus.OPEN, Remark.severity == bucket)
        elif bucket:
            return None
        if text:
            from pool_portal.services.portal.search import _like, _pattern

            query = query.where(_like(Remark.title, _pattern(" ".join(text.split())[:100])))
        rows = session.execute(query.order_by(Remark.raised_on.desc(), Remark.id).limit(LISTING_LIMIT)).scalars()
        return [
            {
                "id": str(r.id),
                "number": f"D-{r.id}",
                "site": sites[r.site_id],
                "title": r.title,
                "date": r.raised_on.isoformat(),
                "status": "RESOLVED" if _value(r.status) == "RESOLVED" else _value(r.severity),
                "amount_cents": "",
            }
            for r in rows
        ]
    if kind == "routine":
        if bucket and bucket not in ROUTINE_STATUSES:
            return None
        query = select(Job).where(Job.tenant_id == t, Job.site_id.in_(ids), Job.kind == JobKind.ROUTINE)
        if span:
            query = query.where(Job.due_date >= span[0], Job.due_date < span[1])
        out = []
        for j in session.execute(query.order_by(Job.due_date, Job.id)).scalars():
            status = routine_status(j.due_date, j.completed_on, j.tolerance_days or 0, today)
            if bucket and status != bucket:
                continue
            out.append(
                {
                    "id": str(j.id),
                    "number": j.number,
                    "site": sites[j.site_id],
                    "title": j.description,
                    "date": j.due_date.isoformat(),
                    "status": f"routine.{status}",
                    "amount_cents": "",
                }
            )
            if len(out) >= LISTING_LIMIT:
                break
        return out
    if bucket and bucket not in {s.value for s in JobStage}:
        return None
    query = select(Job).where(Job.tenant_id == t, Job.site_id.in_(ids), Job.kind == JobKind.SERVICE_CALL)
    if span:
        query = query.where(
            Job.created_at >= datetime.combine(span[0], time.min, tzinfo=UTC),
            Job.created_at < datetime.combine(span[1], time.min, tzinfo=UTC),
        )
    if bucket:
        query = query.where(Job.stage == bucket)
    rows = session.execute(query.order_by(Job.created_at.desc(), Job.id).limit(LISTING_LIMIT)).scalars()
    return [
        {
            "id": str(j.id),
            "number": j.number,
            "site": sites[j.site_id],
            "title": j.description,
            "date": j.created_at.date().isoformat(),
            "status": f"stage.{_value(j.stage)}",
            "amount_cents": "",
        }
        for j in rows
    ]
