"""Search across the view: properties, assets, reports, defect quotes, service quotes
and tasks. Only what the portal may show is searched (approved reports; no draft or
expired quotes), and only within the viewer's current view."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from pool_portal.models import Asset, Job, JobStage, Quote, QuoteKind, QuoteStatus, Report, Site
from pool_portal.services.core.clock import tenant_today
from pool_portal.services.core.scope import Viewer
from pool_portal.services.core.sqlfn import ci_like, contains_pattern
from pool_portal.services.portal.portal_settings import document_switches
from pool_portal.services.portal.visibility import site_scope, visible_quote, visible_report

MAX_QUERY = 100
PER_KIND = 10
KINDS = ("property", "asset", "report", "defect_quote", "service_quote", "task")


@dataclass(frozen=True, slots=True)
class SearchHit:
    """A hit: its kind (``KINDS``), title and property. ``detail`` is plain text (an
    address, a model), ``on`` a report's date, and ``status`` a quote's or a task's
    status code in the catalogue ``family`` ("docstatus" or "stage")."""

    kind: str
    title: str
    site_id: int
    site: str
    detail: str = ""
    on: date | None = None
    status: str = ""
    family: str = ""


def search(session: Session, viewer: Viewer, text: str, *, now: datetime | None = None) -> list[SearchHit]:
    """Up to PER_KIND hits of each kind, in the order of ``KINDS``."""
    text = " ".join((text or "").split())[:MAX_QUERY]
    if len(text) < 2 or not viewer.client_ids:
        return []
    p = contains_pattern(text)
    t = viewer.tenant_id
    scope = site_scope(viewer)
    today = tenant_today(session, t, now)
    docs = document_switches(session, t)
    sites = dict(session.execute(select(Site.id, Site.name).where(Site.id.in_(scope))).all())
    hits: list[SearchHit] = []

    def add(kind: str, title: str, site_id: int, **more) -> None:
        hits.append(SearchHit(kind, title, site_id, sites.get(site_id, ""), **more))

    for s in session.execute(
        select(Site)
        .where(
            Site.id.in_(scope),
            or_(ci_like(Site.name, p), ci_like(Site.address, p), ci_like(Site.city, p), ci_like(Site.postcode, p)),
        )
        .order_by(Site.name)
        .limit(PER_KIND)
    ).scalars():
        add("property", s.name, s.id, detail=", ".join(x for x in (s.address, s.city) if x))
    for a in session.execute(
        select(Asset)
        .where(
            Asset.tenant_id == t,
            Asset.site_id.in_(scope),
            Asset.is_active == True,
            or_(
                ci_like(Asset.asset_code, p),
                ci_like(Asset.asset_type, p),
                ci_like(Asset.model, p),
                ci_like(Asset.serial_number, p),
                ci_like(Asset.customer_ref, p),
            ),
        )
        .order_by(Asset.asset_code)
        .limit(PER_KIND)
    ).scalars():
        add("asset", f"{a.asset_code} · {a.asset_type}", a.site_id, detail=a.model or "")
    for r in (
        session.execute(
            select(Report)
            .where(
                Report.tenant_id == t,
                Report.site_id.in_(scope),
                visible_report(),
                or_(ci_like(Report.number, p), ci_like(Report.title, p)),
            )
            .order_by(Report.report_date.desc())
            .limit(PER_KIND)
        ).scalars()
        if docs["reports"]
        else ()
    ):
        add("report", f"{r.number} · {r.title}", r.site_id, on=r.report_date)
    quote_kinds = (("defect_quote", QuoteKind.DEFECT), ("service_quote", QuoteKind.SERVICE)) if docs["quotes"] else ()
    for kind, qkind in quote_kinds:
        for q in session.execute(
            select(Quote)
            .where(
                Quote.tenant_id == t,
                Quote.site_id.in_(scope),
                Quote.kind == qkind,
                visible_quote(today),
                or_(ci_like(Quote.number, p), ci_like(Quote.title, p)),
            )
            .order_by(Quote.issued_on.desc())
            .limit(PER_KIND)
        ).scalars():
            add(kind, f"{q.number} · {q.title}", q.site_id, status=QuoteStatus(q.status).value, family="docstatus")
    for j in session.execute(
        select(Job)
        .where(
            Job.tenant_id == t,
            Job.site_id.in_(scope),
            or_(
                ci_like(Job.number, p), ci_like(Job.description, p), ci_like(Job.customer_po, p), ci_like(Job.notes, p)
            ),
        )
        .order_by(Job.created_at.desc())
        .limit(PER_KIND)
    ).scalars():
        add("task", f"{j.number} · {j.description}", j.site_id, status=JobStage(j.stage).value, family="stage")
    return hits
