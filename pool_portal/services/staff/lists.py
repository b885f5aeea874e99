"""The admin side's data lists: sites, jobs, visits, quotes, invoices, reports and
remarks of the tenant, drafts included, with a search box, a few filters and
server-side paging (a count and one page of rows: fast at 100,000 rows).

A list's query lives in the URL (``q``, its filters, ``page``); anything unknown or
malformed in it is dropped. The remarks list's query is also what bulk publishing
acts on (``ids_subquery``), so "publish the filtered list" is exactly the rows the
list shows, page after page.

ADMIN and OFFICE see every list; a TECHNICIAN sees only the visits list, with the
visits assigned to them. Plain Python, no Reflex.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import String, and_, case, func, literal, or_, select, type_coerce
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
    StaffRole,
    StaffUser,
    Visit,
    VisitStatus,
)
from pool_portal.services.core.clock import tenant_today
from pool_portal.services.core.params import parse_id, parse_page
from pool_portal.services.core.roles import ANY_STAFF, OFFICE_WORK
from pool_portal.services.identity.acting import acting_staff
from pool_portal.services.portal.lists import Page
from pool_portal.services.portal.search import _like, _pattern

PER_PAGE = 25
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
class _Spec:
    model: type  # the listed table: its filters and order use its columns only
    columns: dict[str, object]
    base: object  # the model joined with what the rows show
    search: list
    order: list
    where: list = field(default_factory=list)


def _spec(tenant_id: int, query: Query, today: date, staff: StaffUser) -> _Spec:
    t, f, kind = tenant_id, query.filters, query.kind

    def site_filter(column) -> list:
        return [column == int(f["site"])] if "site" in f else []

    if kind == "sites":
        address = func.trim(Site.address + literal(" ") + Site.postcode + literal(" ") + Site.city)
        where = [Site.client_id == int(f["client"])] if "client" in f else []
        if "active" in f:
            where.append(Site.is_active == (f["active"] == "yes"))
        return _Spec(
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
        return _Spec(
            Job,
            {
                "id": Job.id,
                "number": Job.number,
                "site": Site.name,
                "kind": _s(Job.kind),
                "stage": _s(Job.stage),
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
        if staff.role == StaffRole.TECHNICIAN:
            where.append(Visit.technician_id == staff.id)
        elif "technician" in f:
            where.append(Visit.technician_id == int(f["technician"]))
        return _Spec(
            Visit,
            {
                "id": Visit.id,
                "when": Visit.scheduled_for,
                "site": Site.name,
                "job": Job.number,
                "job_id": Visit.job_id,
                "status": _s(Visit.status),
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
        return _Spec(
            Quote,
            {
                "id": Quote.id,
                "number": Quote.number,
                "site": Site.name,
                "title": Quote.title,
                "kind": _s(Quote.kind),
                "status": _s(Quote.status),
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
        return _Spec(
            Invoice,
            {
                "id": Invoice.id,
                "number": Invoice.number,
                "site": Site.name,
                "status": case((overdue, literal("OVERDUE")), else_=_s(Invoice.status)),
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
        return _Spec(
            Report,
            {
                "id": Report.id,
                "number": Report.number,
                "site": Site.name,
                "title": Report.title,
                "date": Report.report_date,
                "status": _s(Report.status),
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
        return _Spec(
            Remark,
            {
                "id": Remark.id,
                "raised": Remark.raised_on,
                "site": Site.name,
                "site_id": Remark.site_id,
                "asset": Asset.asset_code,
                "severity": _s(Remark.severity),
                "status": _s(Remark.status),
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


def _conditions(spec: _Spec, query: Query) -> list:
    where = list(spec.where)
    if len(query.text) >= 2:
        p = _pattern(query.text)
        where.append(or_(*[_like(column, p) for column in spec.search]))
    return where


def _staff_for(session: Session, tenant_id: int, staff_user_id: int, kind: str) -> StaffUser:
    return acting_staff(session, tenant_id, staff_user_id, ANY_STAFF if kind == "visits" else OFFICE_WORK)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return value.value if hasattr(value, "value") else str(value)


def _lean(spec: _Spec, tenant_id: int, query: Query):
    """The listed table alone when nothing joined is searched: counting and paging
    then walk one table's index instead of joining every row first."""
    if len(query.text) >= 2:
        return spec.base
    return select().select_from(spec.model).where(spec.model.tenant_id == tenant_id)


def fetch(
    session: Session,
    tenant_id: int,
    staff_user_id: int,
    kind: str,
    query: Query | dict,
    *,
    per_page: int = PER_PAGE,
    now: datetime | None = None,
) -> Page:
    """One page of list ``kind`` for ``query`` (a Query, or URL parameters). The count
    and the page's ids come from the listed table alone (with its index); only the
    page's rows are joined with what they show."""
    query = query if isinstance(query, Query) else parse(kind, query)
    staff = _staff_for(session, tenant_id, staff_user_id, kind)
    spec = _spec(tenant_id, query, tenant_today(session, tenant_id, now), staff)
    id_column = spec.columns["id"]
    matching = _lean(spec, tenant_id, query).add_columns(id_column).where(*_conditions(spec, query))
    total = session.execute(select(func.count()).select_from(matching.subquery())).scalar_one()
    pages = max((total + per_page - 1) // per_page, 1)
    page = min(max(query.page, 1), pages)
    ids = list(session.execute(matching.order_by(*spec.order).offset((page - 1) * per_page).limit(per_page)).scalars())
    rows = (
        session.execute(
            spec.base.add_columns(*[c.label(k) for k, c in spec.columns.items()])
            .where(id_column.in_(ids or [-1]))
            .order_by(*spec.order)
        ).all()
        if ids
        else []
    )
    out = []
    for row in rows:
        item = {k: _text(v) for k, v in row._mapping.items()}
        if kind == "remarks":
            item["number"] = f"D-{item['id']}"
        out.append(item)
    return Page(out, total, page, pages)


def ids_subquery(session: Session, tenant_id: int, kind: str, query: Query):
    """The ids of every row the list shows for ``query`` (all pages), as a subquery."""
    staff = StaffUser(id=0, tenant_id=tenant_id, email="", name="", role=StaffRole.ADMIN)
    spec = _spec(tenant_id, query, tenant_today(session, tenant_id), staff)
    return _lean(spec, tenant_id, query).add_columns(spec.columns["id"]).where(*_conditions(spec, query))


def counts(session: Session, tenant_id: int, staff_user_id: int) -> dict[str, int]:
    """How many rows each list has (the Data index page)."""
    acting_staff(session, tenant_id, staff_user_id, OFFICE_WORK)
    out = {}
    for kind, model in (
        ("sites", Site),
        ("jobs", Job),
        ("visits", Visit),
        ("quotes", Quote),
        ("invoices", Invoice),
        ("reports", Report),
        ("remarks", Remark),
    ):
        out[kind] = session.execute(
            select(func.count()).select_from(model).where(model.tenant_id == tenant_id)
        ).scalar_one()
    return out


def site_choice(session: Session, tenant_id: int, site_id: str | None) -> str:
    """The name of the property a list is filtered by (shown above the list)."""
    if not site_id:
        return ""
    site = session.get(Site, int(site_id))
    return site.name if site is not None and site.tenant_id == tenant_id else ""
