"""One property of the view, as the dashboard opens it: its assets, its tasks (latest
first) and the files shared on it (published only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pool_portal.models import Asset, Document, Job, JobKind, JobStage, Site
from pool_portal.services.core.scope import Viewer
from pool_portal.services.portal.visibility import site_in_view


@dataclass(frozen=True, slots=True)
class DetailAsset:
    id: int
    code: str
    type: str
    model: str
    last_test: date | None
    next_due: date | None


@dataclass(frozen=True, slots=True)
class DetailTask:
    id: int
    number: str
    kind: JobKind
    stage: JobStage
    on: date | None  # scheduled, else due
    description: str


@dataclass(frozen=True, slots=True)
class SharedFile:
    id: int
    title: str
    filename: str
    size_bytes: int


@dataclass(frozen=True)
class PropertyDetail:
    name: str
    address: str
    assets: list[DetailAsset]
    tasks: list[DetailTask]
    documents: list[SharedFile]


def property_detail(session: Session, viewer: Viewer, site_id: int, *, task_limit: int = 30) -> PropertyDetail | None:
    """A property of the view: its assets, its tasks (latest first) and the files
    shared on it (published only). None for a property outside the view."""
    site = session.get(Site, site_id)
    if not site_in_view(site, viewer):
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
    return PropertyDetail(
        name=site.name,
        address=", ".join(p for p in (site.address, site.postcode, site.city) if p),
        assets=[
            DetailAsset(a.id, a.asset_code, a.asset_type, a.model or "", a.last_test_date, a.next_service_due)
            for a in assets
        ],
        tasks=[
            DetailTask(
                j.id, j.number, JobKind(j.kind), JobStage(j.stage), j.scheduled_date or j.due_date, j.description
            )
            for j in jobs
        ],
        documents=[SharedFile(d.id, d.title, d.filename, d.size_bytes) for d in docs],
    )
