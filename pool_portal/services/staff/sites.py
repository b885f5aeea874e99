"""Staff editing of sites (properties, with coordinates) and the site page: a site with
its sections (assets, remarks, documents, and its latest jobs, quotes, invoices and
reports). Conventions as in ``services.staff.editing``. Plain Python, no Reflex.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from pool_portal.models import (
    Asset,
    Client,
    Document,
    Invoice,
    InvoiceStatus,
    Job,
    JobKind,
    JobStage,
    Quote,
    QuoteStatus,
    Remark,
    Report,
    ReportStatus,
    Site,
)
from pool_portal.services.staff.documents import DocumentItem, document_item
from pool_portal.services.staff.editing import (
    E_CLIENT,
    E_COORDS,
    E_LATITUDE,
    E_LONGITUDE,
    NOT_FOUND,
    Choice,
    currency,
    editor,
    owned,
    store,
)
from pool_portal.services.staff.forms import Fields
from pool_portal.services.staff.site_records import AssetForm, RemarkForm, asset_choices, asset_form, remark_form

SECTION_LIMIT = 100  # assets and remarks per site page (the lists page the rest)
RELATED_LIMIT = 20  # latest jobs, quotes, invoices and reports on a site page


@dataclass(frozen=True)
class SiteForm:
    id: int
    name: str
    client_id: int
    address: str
    city: str
    postcode: str
    latitude: float | None
    longitude: float | None
    notes: str | None
    is_active: bool


def site_form(site: Site) -> SiteForm:
    return SiteForm(
        site.id,
        site.name,
        site.client_id,
        site.address,
        site.city,
        site.postcode,
        site.latitude,
        site.longitude,
        site.notes,
        site.is_active,
    )


@dataclass(frozen=True)
class RemarkItem:
    remark: RemarkForm
    asset_code: str  # "" when it is on the site itself


@dataclass(frozen=True)
class JobItem:
    id: int
    number: str
    kind: JobKind
    stage: JobStage
    date: date | None  # scheduled, else due
    description: str


@dataclass(frozen=True)
class QuoteItem:
    id: int
    number: str
    title: str
    status: QuoteStatus
    total_cents: int


@dataclass(frozen=True)
class InvoiceItem:
    id: int
    number: str
    status: InvoiceStatus
    total_cents: int


@dataclass(frozen=True)
class ReportItem:
    id: int
    number: str
    title: str
    status: ReportStatus
    report_date: date


@dataclass(frozen=True)
class SitePage:
    """A site, its sections, and the asset or remark form opened on it (if any)."""

    site: SiteForm
    client: str
    external_id: str
    currency: str
    clients: list[Choice]
    asset_choices: list[Choice]
    assets: list[AssetForm]
    remarks: list[RemarkItem]
    documents: list[DocumentItem]
    jobs: list[JobItem]
    quotes: list[QuoteItem]
    invoices: list[InvoiceItem]
    reports: list[ReportItem]
    asset: AssetForm | None  # the asset being edited
    remark: RemarkForm | None  # the remark being edited


def client_choices(session: Session, tenant_id: int) -> list[Choice]:
    """The tenant's clients, by name (for the site form)."""
    rows = session.exec(
        select(Client.id, Client.name).where(Client.tenant_id == tenant_id).order_by(Client.name, Client.id)
    ).all()
    return [Choice(i, n) for i, n in rows]


def save_site(
    session: Session, tenant_id: int, staff_user_id: int, site_id: int | None, data: dict
) -> tuple[int | None, dict[str, str]]:
    """Create (``site_id`` None) or edit a site: a name and a client of the tenant are
    required; latitude -90..90 and longitude -180..180, both or neither."""
    editor(session, tenant_id, staff_user_id)
    site = owned(session, Site, tenant_id, site_id) if site_id is not None else None
    if site_id is not None and site is None:
        return None, {"form": NOT_FOUND}
    form = Fields(data)
    values = {
        "name": form.text("name", 200, required=True),
        "address": form.text("address", 300) or "",
        "city": form.text("city", 120) or "",
        "postcode": form.text("postcode", 20) or "",
        "latitude": form.number("latitude", -90, 90, E_LATITUDE),
        "longitude": form.number("longitude", -180, 180, E_LONGITUDE),
        "notes": form.text("notes", 2000, multiline=True),
        "is_active": form.flag("is_active") if site is not None else True,
    }
    client = owned(session, Client, tenant_id, form.ident("client_id"))
    if client is None:
        form.error("client_id", E_CLIENT)
    if (values["latitude"] is None) != (values["longitude"] is None) and not (
        "latitude" in form.errors or "longitude" in form.errors
    ):
        form.error("latitude" if values["latitude"] is None else "longitude", E_COORDS)
    if form.errors:
        return None, form.errors
    values["client_id"] = client.id
    return store(session, site, lambda: Site(tenant_id=tenant_id), values, tenant_id, staff_user_id, "site").id, {}


def site_page(
    session: Session,
    tenant_id: int,
    staff_user_id: int,
    site_id: int,
    *,
    asset_id: int | None = None,
    remark_id: int | None = None,
) -> SitePage | None:
    """A site and its sections (assets, remarks, documents: the first SECTION_LIMIT;
    jobs, quotes, invoices, reports: the latest RELATED_LIMIT), with the asset
    ``asset_id`` or the remark ``remark_id`` when it is on this site; None when the
    site is not the tenant's."""
    editor(session, tenant_id, staff_user_id)
    site = owned(session, Site, tenant_id, site_id)
    if site is None:
        return None
    client = session.get(Client, site.client_id)
    t = tenant_id

    def latest(query, limit=SECTION_LIMIT):
        return session.exec(query.limit(limit)).all()

    assets = latest(
        select(Asset).where(Asset.tenant_id == t, Asset.site_id == site.id).order_by(Asset.asset_code, Asset.id)
    )
    codes = {a.id: a.asset_code for a in assets}
    remarks = latest(
        select(Remark)
        .where(Remark.tenant_id == t, Remark.site_id == site.id)
        .order_by(Remark.raised_on.desc(), Remark.id.desc())
    )
    documents = latest(
        select(Document)
        .where(Document.tenant_id == t, Document.site_id == site.id)
        .order_by(Document.created_at.desc(), Document.id.desc())
    )
    jobs = latest(select(Job).where(Job.tenant_id == t, Job.site_id == site.id).order_by(Job.id.desc()), RELATED_LIMIT)
    quotes = latest(
        select(Quote).where(Quote.tenant_id == t, Quote.site_id == site.id).order_by(Quote.id.desc()), RELATED_LIMIT
    )
    invoices = latest(
        select(Invoice).where(Invoice.tenant_id == t, Invoice.site_id == site.id).order_by(Invoice.id.desc()),
        RELATED_LIMIT,
    )
    reports = latest(
        select(Report).where(Report.tenant_id == t, Report.site_id == site.id).order_by(Report.id.desc()), RELATED_LIMIT
    )
    asset = owned(session, Asset, t, asset_id) if asset_id is not None else None
    remark = owned(session, Remark, t, remark_id) if remark_id is not None else None
    return SitePage(
        site=site_form(site),
        client=client.name if client else "",
        external_id=site.external_id or "",
        currency=currency(session, t),
        clients=client_choices(session, t),
        asset_choices=asset_choices(session, t, site.id),
        assets=[asset_form(a) for a in assets],
        remarks=[RemarkItem(remark_form(r), codes.get(r.asset_id, "")) for r in remarks],
        documents=[document_item(d) for d in documents],
        jobs=[JobItem(j.id, j.number, j.kind, j.stage, j.scheduled_date or j.due_date, j.description) for j in jobs],
        quotes=[QuoteItem(q.id, q.number, q.title, q.status, q.total_cents) for q in quotes],
        invoices=[InvoiceItem(i.id, i.number, i.status, i.total_cents) for i in invoices],
        reports=[ReportItem(r.id, r.number, r.title, r.status, r.report_date) for r in reports],
        asset=asset_form(asset) if asset is not None and asset.site_id == site.id else None,
        remark=remark_form(remark) if remark is not None and remark.site_id == site.id else None,
    )
