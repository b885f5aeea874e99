"""The admin lists' queries: what a list's URL query is (``q``, its filters, ``page``;
anything unknown or malformed in it is dropped) and the SQL it becomes for each list
(sites, jobs, visits, quotes, invoices, reports, remarks of the tenant, drafts
included). ``services.staff.lists`` pages through it; bulk publishing acts on exactly
the rows the remarks list shows for a query (``ids_subquery``), page after page.

A TECHNICIAN's visits list holds only the visits assigned to them. Plain Python, no
Reflex.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import String, and_, func, literal, or_, select, type_coerce
from sqlmodel import Session

from pool_portal.models import (
    Asset,
    Client,
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
    StaffUser,
    Visit,
    VisitStatus,
)
from pool_portal.services.core.clock import tenant_today
from pool_portal.services.core.params import parse_id, parse_page
from pool_portal.services.core.sqlfn import ci_like, contains_pattern

MAX_TEXT = 100
KINDS = ("sites", "jobs", "visits", "quotes", "invoices", "reports", "remarks")
ID = "id"  # a filter whose value is a row id
YES_NO = ("yes", "no")


def _values(enum_cls, *extra: str) -> tuple[str, ...]:
    return tuple(e.value for e in enum_cls) + extra


# kind -> {filter: allowed values, or ID}
FILTERS: dict[str, dict[str, object]] = {
    "sites": {"client": ID, "active": YES_NO},
    "jobs": {"kind": _values(JobKind), "stage": _values(JobStage), "site": ID, "technician": ID},
    "visits": {"status": _values(VisitStatus), "technician": ID, "site": ID},
    "quotes": {"status": _values(QuoteStatus), "kind": _values(QuoteKind), "site": ID},
    "invoices": {"status": _values(InvoiceStatus, "OVERDUE"), "site": ID},
    "reports": {"status": _values(ReportStatus), "site": ID},
    "remarks": {"severity": _values(Severity), "status": _values(RemarkStatus), "published": YES_NO, "site": ID},
}


@dataclass
class Query:
    kind: str
    text: str = ""
    filters: dict[str, str] = field(default_factory=dict)
    page: int = 1


def parse(kind: str, params) -> Query:
    """The query of list ``kind`` from URL parameters; unknown or bad values dropped."""
    if kind not in FILTERS:
        raise ValueError(kind)
    params = params or {}
    filters: dict[str, str] = {}
    for key, allowed in FILTERS[kind].items():
        raw = str(params.get(key, "") or "").strip()
        if not raw:
            continue
        if allowed == ID:
            if parse_id(raw) is not None:
                filters[key] = raw
        elif raw in allowed:
            filters[key] = raw
    page = str(params.get("page", "1") or "1")
    return Query(kind, " ".join(str(params.get("q", "") or "").split())[:MAX_TEXT], filters, parse_page(page))


def query_params(query: Query, **changes) -> dict[str, str]:
    """The URL parameters of a query (what is set), with ``changes`` applied."""
    params = {"q": query.text} if query.text else {}
    params.update(query.filters)
    if query.page > 1:
        params["page"] = str(query.page)
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = str(value)
    return params


def _s(column):
    return type_coerce(column, String)


@dataclass
class Spec:
    """A list's SQL: the listed table, the columns a row shows (by the name of the
    row's field), what they are joined from, what the search box searches, the order
    and the filters."""

    model: type  # the listed table: its filters and order use its columns only
    columns: dict[str, object]
    base: object  # the model joined with what the rows show
    search: list
    order: list
    where: list = field(default_factory=list)


def spec(tenant_id: int, query: Query, today: date, technician_id: int | None = None) -> Spec:
    """The SQL of ``query``'s list; ``technician_id``: only the visits assigned to that
    technician (a TECHNICIAN's visits list, whatever its filter says)."""
    t, f, kind = tenant_id, query.filters, query.kind

    def site_filter(column) -> list:
        return [column == int(f["site"])] if "site" in f else []

    if kind == "sites":
        address = func.trim(Site.address + literal(" ") + Site.postcode + literal(" ") + Site.city)
        where = [Site.client_id == int(f["client"])] if "client" in f else []
        if "active" in f:
            where.append(Site.is_active == (f["active"] == "yes"))
        return Spec(
            Site,
            {
                "id": Site.id,
                "name": Site.name,
                "client": Client.name,
                "address": address,
                "latitude": Site.latitude,
                "longitude": Site.longitude,
                "is_active": Site.is_active,
            },
            select().select_from(Site).join(Client, Client.id == Site.client_id).where(Site.tenant_id == t),
            [Site.name, Site.address, Site.city, Site.postcode, Client.name, Site.external_id],
            [Site.name.asc(), Site.id.asc()],
            where,
        )
    if kind == "jobs":
        where = site_filter(Job.site_id)
        for key, column in (("kind", Job.kind), ("stage", Job.stage)):
            if key in f:
                where.append(_s(column) == f[key])
        if "technician" in f:
            where.append(Job.technician_id == int(f["technician"]))
        return Spec(
            Job,
            {
                "id": Job.id,
                "number": Job.number,
                "site": Site.name,
                "kind": Job.kind,
                "stage": Job.stage,
                "date": func.coalesce(Job.scheduled_date, Job.due_date),
                "technician": StaffUser.name,
                "po": Job.customer_po,
                "description": Job.description,
            },
            select()
            .select_from(Job)
            .join(Site, Site.id == Job.site_id)
            .outerjoin(StaffUser, StaffUser.id == Job.technician_id)
            .where(Job.tenant_id == t),
            [Job.number, Job.description, Job.notes, Job.customer_po, Site.name],
            [Job.id.desc()],
            where,
        )
    if kind == "visits":
        where = site_filter(Visit.site_id)
        if "status" in f:
            where.append(_s(Visit.status) == f["status"])
        if technician_id is not None:
            where.append(Visit.technician_id == technician_id)
        elif "technician" in f:
            where.append(Visit.technician_id == int(f["technician"]))
        return Spec(
            Visit,
            {
                "id": Visit.id,
                "when": Visit.scheduled_for,
                "site": Site.name,
                "job": Job.number,
                "job_id": Visit.job_id,
                "status": Visit.status,
                "technician": StaffUser.name,
                "notes": Visit.notes,
            },
            select()
            .select_from(Visit)
            .join(Site, Site.id == Visit.site_id)
            .outerjoin(Job, Job.id == Visit.job_id)
            .outerjoin(StaffUser, StaffUser.id == Visit.technician_id)
            .where(Visit.tenant_id == t),
            [Site.name, Job.number, Visit.notes],
            [Visit.scheduled_for.desc().nulls_first(), Visit.id.desc()],
            where,
        )
    if kind == "quotes":
        where = site_filter(Quote.site_id)
        for key, column in (("status", Quote.status), ("kind", Quote.kind)):
            if key in f:
                where.append(_s(column) == f[key])
        return Spec(
            Quote,
            {
                "id": Quote.id,
                "number": Quote.number,
                "site": Site.name,
                "title": Quote.title,
                "kind": Quote.kind,
                "status": Quote.status,
                "issued": Quote.issued_on,
                "total_cents": Quote.total_cents,
            },
            select().select_from(Quote).join(Site, Site.id == Quote.site_id).where(Quote.tenant_id == t),
            [Quote.number, Quote.title, Site.name],
            [Quote.id.desc()],
            where,
        )
    if kind == "invoices":
        overdue = and_(Invoice.status == InvoiceStatus.AWAITING_PAYMENT, Invoice.due_on < today)
        where = site_filter(Invoice.site_id)
        if f.get("status") == "OVERDUE":
            where.append(overdue)
        elif "status" in f:
            where.append(_s(Invoice.status) == f["status"])
        return Spec(
            Invoice,
            {
                "id": Invoice.id,
                "number": Invoice.number,
                "site": Site.name,
                "status": Invoice.status,
                "issued": Invoice.issued_on,
                "due": Invoice.due_on,
                "total_cents": Invoice.total_cents,
            },
            select().select_from(Invoice).join(Site, Site.id == Invoice.site_id).where(Invoice.tenant_id == t),
            [Invoice.number, Invoice.customer_po, Site.name],
            [Invoice.id.desc()],
            where,
        )
    if kind == "reports":
        where = site_filter(Report.site_id)
        if "status" in f:
            where.append(_s(Report.status) == f["status"])
        return Spec(
            Report,
            {
                "id": Report.id,
                "number": Report.number,
                "site": Site.name,
                "title": Report.title,
                "date": Report.report_date,
                "status": Report.status,
            },
            select().select_from(Report).join(Site, Site.id == Report.site_id).where(Report.tenant_id == t),
            [Report.number, Report.title, Site.name],
            [Report.id.desc()],
            where,
        )
    if kind == "remarks":
        where = site_filter(Remark.site_id)
        for key, column in (("severity", Remark.severity), ("status", Remark.status)):
            if key in f:
                where.append(_s(column) == f[key])
        if "published" in f:
            where.append(Remark.is_published == (f["published"] == "yes"))
        return Spec(
            Remark,
            {
                "id": Remark.id,
                "raised": Remark.raised_on,
                "site": Site.name,
                "site_id": Remark.site_id,
                "asset": Asset.asset_code,
                "severity": Remark.severity,
                "status": Remark.status,
                "title": Remark.title,
                "published": Remark.is_published,
            },
            select()
            .select_from(Remark)
            .join(Site, Site.id == Remark.site_id)
            .outerjoin(Asset, Asset.id == Remark.asset_id)
            .where(Remark.tenant_id == t),
            [Remark.title, Remark.description, Site.name, Asset.asset_code],
            [Remark.raised_on.desc(), Remark.id.desc()],
            where,
        )
    raise ValueError(kind)


def _conditions(spec: Spec, query: Query) -> list:
    where = list(spec.where)
    if len(query.text) >= 2:
        p = contains_pattern(query.text)
        where.append(or_(*[ci_like(column, p) for column in spec.search]))
    return where


def _lean(spec: Spec, tenant_id: int, query: Query):
    """The listed table alone when nothing joined is searched: counting and paging
    then walk one table's index instead of joining every row first."""
    if len(query.text) >= 2:
        return spec.base
    return select().select_from(spec.model).where(spec.model.tenant_id == tenant_id)


def matching_ids(spec: Spec, tenant_id: int, query: Query):
    """SELECT the id of every row the list shows for ``query`` (all pages, unordered)."""
    return _lean(spec, tenant_id, query).add_columns(spec.columns["id"]).where(*_conditions(spec, query))


def ids_subquery(session: Session, tenant_id: int, query: Query):
    """The ids of every row the list shows for ``query`` (all pages), as a subquery."""
    return matching_ids(spec(tenant_id, query, tenant_today(session, tenant_id)), tenant_id, query)
