"""The SQL aggregates behind the dashboard's figures (``dashboard.build`` decides which
run, and in which half).

Each figure is read with as few passes over the big tables as the figures allow, every
pass an aggregate over a covering index (alembic 0003_dashboard_indexes), grouped by
columns in that index's order where possible so that SQLite needs no sort:

- invoices: one pass per site (overdue, outstanding, spend per property) + one per issue day
- quotes: one pass per (site, kind)
- remarks: one pass per (site, severity) over the open ones (properties, map, tally), one
  per (day raised, status, severity) over the last 12 months, and the asset types most
  severe first (usually one small pass: see ``asset_types``)
- jobs: routine jobs per (due, completed, tolerance); service calls per (month, stage)

Days are folded into months in Python, which keeps the SQL the same on both backends.
Never a query per property or per row. The rules of what counts are ``visibility``'s.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from sqlalchemy import String, and_, case, func, or_, select, type_coerce
from sqlalchemy.orm import Session

from pool_portal.models import (
    Asset,
    Invoice,
    Job,
    JobKind,
    JobStage,
    Quote,
    Remark,
    RemarkStatus,
    Severity,
    Site,
)
from pool_portal.services.core.scope import Viewer
from pool_portal.services.core.sqlfn import month_text
from pool_portal.services.portal.dashboard_figures import Outstanding, PropertyRow, Spend
from pool_portal.services.portal.months import last_months, month_key, months_start
from pool_portal.services.portal.routine import ROUTINE_STATUSES, routine_status
from pool_portal.services.portal.visibility import (
    SEVERITIES,
    in_view,
    issued_invoice,
    open_quote,
    outstanding_invoice,
    overdue_invoice,
    visible_remark,
)

COUNTED_SEVERITIES = [Severity.CRITICAL, Severity.NON_CONFORMANCE, Severity.NON_CRITICAL]


def aggregate(session: Session, statement):
    """Run an aggregate on the session's connection: plain rows, without the ORM's
    result layer (these return thousands of small grouped rows, no entities), fetched at once."""
    return session.connection().execute(statement).all()


def plain(column):
    """A column read as the driver gives it (an enum's string, a date's ISO text on
    SQLite, a date on PostgreSQL: str() of either starts "YYYY-MM-DD"), without
    SQLAlchemy's per-value conversion: grouped figures come back as thousands of rows."""
    return type_coerce(column, String)


def property_rows(session: Session, viewer: Viewer) -> dict[int, PropertyRow]:
    """The view's active sites by name (the columns the dashboard shows, no ORM objects)."""
    if not viewer.client_ids:
        return {}
    rows = aggregate(
        session,
        select(Site.id, Site.name, Site.address, Site.city, Site.latitude, Site.longitude)
        .where(*in_view(viewer))
        .order_by(Site.name, Site.id),
    )
    return {
        sid: PropertyRow(sid, name, ", ".join(p for p in (address, city) if p), latitude=lat, longitude=lon)
        for sid, name, address, city, lat, lon in rows
    }


def invoice_figures(session, viewer, scope, today, start, rows, docs, activity, spend_result: Spend | None) -> None:
    """One pass over the view's outstanding (and, for spend, paid) invoices per site:
    overdue counts per property, the outstanding and overdue totals, spend per property;
    and one pass per issue day for spend per month."""
    awaiting, overdue = outstanding_invoice(), overdue_invoice(today)
    counted = lambda cond, value=1: func.coalesce(func.sum(case((cond, value), else_=0)), 0)  # noqa: E731
    where = [Invoice.tenant_id == viewer.tenant_id, Invoice.site_id.in_(scope)]
    if spend_result is not None:
        where += [issued_invoice(), or_(awaiting, Invoice.issued_on >= start)]
    else:
        where.append(awaiting)
    issued = Invoice.issued_on >= start
    per_site = {}
    for site_id, *figures in aggregate(
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
        for issued, total in aggregate(
            session,
            select(plain(Invoice.issued_on), func.sum(Invoice.total_cents))
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


def quote_figures(session, viewer, scope, today, rows, activity) -> None:
    """One pass over the quotes awaiting approval, per (site, kind)."""
    for site_id, kind, n, total in aggregate(
        session,
        select(Quote.site_id, plain(Quote.kind), func.count(), func.coalesce(func.sum(Quote.total_cents), 0))
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


def open_remark_figures(session, viewer, scope, rows, tally: dict[str, int] | None) -> None:
    """One pass over the open visible remarks, per (site, severity): each property's open
    defects (information and recommendations excluded) and highest severity; the tally."""
    rank = {s.value: i for i, s in enumerate(SEVERITIES)}
    counted = {s.value for s in COUNTED_SEVERITIES}
    t = viewer.tenant_id
    for site_id, severity, n in aggregate(
        session,
        select(Remark.site_id, plain(Remark.severity), func.count())
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


def remarks_per_month(session, viewer, scope, start: date, per_month: dict[str, dict[str, int]]) -> None:
    """Remarks raised in the chart's months, now resolved or open by severity: grouped by
    day raised (the index's order) and folded into months here."""
    t, resolved = viewer.tenant_id, RemarkStatus.RESOLVED.value
    for raised, status, severity, n in aggregate(
        session,
        select(plain(Remark.raised_on), plain(Remark.status), plain(Remark.severity), func.count())
        .where(Remark.tenant_id == t, Remark.raised_on >= start, Remark.site_id.in_(scope), visible_remark(t))
        .group_by(Remark.raised_on, Remark.status, Remark.severity),
    ):
        buckets = per_month.get(str(raised)[:7])
        if buckets is not None:
            b = "RESOLVED" if status == resolved else severity
            buckets[b] = buckets.get(b, 0) + n


def asset_types(session, viewer, scope) -> dict[str, str]:
    """Each asset type of the view with its highest open severity. The types come from
    the view's assets; then, most severe first, each severity's open remarks name the
    types not placed yet, until none is left. On a large view nearly every type has a
    critical defect, so this reads the critical remarks only, not every open one. A
    remark counts for the asset it is on, at its own site."""
    t = viewer.tenant_id
    # (The scope's sites are the tenant's; index ix_asset_site_type covers this.)
    remaining = {r[0] for r in aggregate(session, select(Asset.asset_type).where(Asset.site_id.in_(scope)).distinct())}
    out: dict[str, str] = {}
    for severity in SEVERITIES:
        if not remaining:
            break
        found = {
            r[0]
            for r in aggregate(
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


def routine_activities(session: Session, viewer: Viewer, scope, year: int, today: date) -> dict[str, dict[str, int]]:
    """For each month of ``year`` ("YYYY-MM"), routine jobs due that month by status:
    counted per (due, completed, tolerance) in SQL, the status decided here."""
    out = {f"{year:04d}-{m:02d}": {s: 0 for s in ROUTINE_STATUSES} for m in range(1, 13)}
    if scope is None:
        return out
    for due, completed, tolerance, n in aggregate(
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
    start = datetime.combine(months_start(months), time.min, tzinfo=UTC)
    month = month_text(Job.created_at)
    for key, stage, n in aggregate(
        session,
        select(month, plain(Job.stage), func.count())
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
