"""The admin side's data lists: sites, jobs, visits, quotes, invoices, reports and
remarks of the tenant, drafts included, with a search box, a few filters and
server-side paging (a count and one page of rows: fast at 100,000 rows). A list's
query (``list_queries.Query``) lives in the URL.

A page comes back as typed rows (one dataclass per list: ids and cents as ints, dates
as dates, enums); ``presentation.staff_lists`` turns them into text. ADMIN and OFFICE
see every list; a TECHNICIAN sees only the visits list, with the visits assigned to
them. Plain Python, no Reflex.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlmodel import Session

from pool_portal.models import (
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
    Visit,
    VisitStatus,
)
from pool_portal.services.core.clock import tenant_today
from pool_portal.services.core.roles import ANY_STAFF, OFFICE_WORK
from pool_portal.services.identity.acting import acting_staff
from pool_portal.services.staff.editing import currency, owned
from pool_portal.services.staff.list_queries import Query, matching_ids, parse, spec

PER_PAGE = 25


@dataclass(frozen=True)
class SiteRow:
    id: int
    name: str
    client: str
    address: str
    latitude: float | None
    longitude: float | None
    is_active: bool


@dataclass(frozen=True)
class JobRow:
    id: int
    number: str
    site: str
    kind: JobKind
    stage: JobStage
    date: date | None  # scheduled, else due
    technician: str | None
    po: str | None
    description: str


@dataclass(frozen=True)
class VisitRow:
    id: int
    when: datetime | None
    site: str
    job: str | None  # the job's number
    job_id: int | None
    status: VisitStatus
    technician: str | None
    notes: str | None


@dataclass(frozen=True)
class QuoteRow:
    id: int
    number: str
    site: str
    title: str
    kind: QuoteKind
    status: QuoteStatus
    issued: date | None
    total_cents: int


@dataclass(frozen=True)
class InvoiceRow:
    id: int
    number: str
    site: str
    status: InvoiceStatus
    issued: date | None
    due: date | None
    total_cents: int
    overdue: bool = False  # awaiting payment past its due date (shown as OVERDUE)


@dataclass(frozen=True)
class ReportRow:
    id: int
    number: str
    site: str
    title: str
    date: date
    status: ReportStatus


@dataclass(frozen=True)
class RemarkRow:
    id: int
    raised: date
    site: str
    site_id: int
    asset: str | None  # the asset's code
    severity: Severity
    status: RemarkStatus
    title: str
    published: bool

    @property
    def number(self) -> str:
        return f"D-{self.id}"


ROWS: dict[str, type] = {
    "sites": SiteRow,
    "jobs": JobRow,
    "visits": VisitRow,
    "quotes": QuoteRow,
    "invoices": InvoiceRow,
    "reports": ReportRow,
    "remarks": RemarkRow,
}
Row = SiteRow | JobRow | VisitRow | QuoteRow | InvoiceRow | ReportRow | RemarkRow


@dataclass(frozen=True)
class ListPage:
    rows: list[Row]
    total: int
    page: int
    pages: int


@dataclass(frozen=True)
class ListView:
    """What a list page shows: a page of rows for its query, the name of the property
    it is filtered by ("" when none) and the tenant's currency."""

    query: Query
    page: ListPage
    site_name: str
    currency: str


def _row(kind: str, values: dict, today: date) -> Row:
    if kind == "invoices":
        due = values["due"]
        overdue = values["status"] == InvoiceStatus.AWAITING_PAYMENT and due is not None and due < today
        return InvoiceRow(**values, overdue=overdue)
    return ROWS[kind](**values)


def fetch(
    session: Session,
    tenant_id: int,
    staff_user_id: int,
    kind: str,
    query: Query | dict,
    *,
    per_page: int = PER_PAGE,
    now: datetime | None = None,
) -> ListPage:
    """One page of list ``kind`` for ``query`` (a Query, or URL parameters). The count
    and the page's ids come from the listed table alone (with its index); only the
    page's rows are joined with what they show."""
    query = query if isinstance(query, Query) else parse(kind, query)
    staff = acting_staff(session, tenant_id, staff_user_id, ANY_STAFF if kind == "visits" else OFFICE_WORK)
    today = tenant_today(session, tenant_id, now)
    sql = spec(tenant_id, query, today, staff.id if staff.role == StaffRole.TECHNICIAN else None)
    id_column = sql.columns["id"]
    matching = matching_ids(sql, tenant_id, query)
    total = session.execute(select(func.count()).select_from(matching.subquery())).scalar_one()
    pages = max((total + per_page - 1) // per_page, 1)
    page = min(max(query.page, 1), pages)
    ids = list(session.execute(matching.order_by(*sql.order).offset((page - 1) * per_page).limit(per_page)).scalars())
    rows = (
        session.execute(
            sql.base.add_columns(*[c.label(k) for k, c in sql.columns.items()])
            .where(id_column.in_(ids or [-1]))
            .order_by(*sql.order)
        ).all()
        if ids
        else []
    )
    return ListPage([_row(kind, dict(row._mapping), today) for row in rows], total, page, pages)


def list_view(session: Session, tenant_id: int, staff_user_id: int, kind: str, params: dict) -> ListView:
    """The list page ``kind`` for its URL parameters."""
    query = parse(kind, params)
    page = fetch(session, tenant_id, staff_user_id, kind, query)
    return ListView(
        query, page, site_choice(session, tenant_id, query.filters.get("site")), currency(session, tenant_id)
    )


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
    site = owned(session, Site, tenant_id, site_id)
    return site.name if site is not None else ""
