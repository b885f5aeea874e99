"""Assets in the portal: the list with the columns the tenant chose (and its name for
"Asset ID"), and one asset's page: its fields, its published defects (most severe
first), its service history (jobs on it, latest first) and when its next service is
due."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pool_portal.models import Asset, Job, JobKind, JobStage, Remark, RemarkStatus, Severity, Site
from pool_portal.services.core.scope import Viewer
from pool_portal.services.portal.list_columns import asset_columns
from pool_portal.services.portal.list_query import ListQuery
from pool_portal.services.portal.lists import ListView, list_view
from pool_portal.services.portal.visibility import severity_rank, site_scope, visible_remark

HISTORY_LIMIT = 50


@dataclass(frozen=True, slots=True)
class AssetDefect:
    id: int
    number: str  # "D-<id>"
    severity: Severity
    status: RemarkStatus
    title: str
    raised: date


@dataclass(frozen=True, slots=True)
class AssetJob:
    id: int
    number: str
    kind: JobKind
    stage: JobStage
    on: date  # completed, else scheduled, else due, else created
    description: str


@dataclass(frozen=True)
class AssetDetail:
    id: int
    site: str
    site_id: int
    description: str
    asset_code: str
    asset_type: str
    model: str | None
    serial_number: str | None
    customer_ref: str | None
    location: str | None
    last_test_number: str | None
    last_test_date: date | None
    next_service_due: date | None
    defects: list[AssetDefect]
    jobs: list[AssetJob]


def asset_detail(session: Session, viewer: Viewer, asset_id: int) -> AssetDetail | None:
    """An active asset on a site of the view: its fields, its published defects (most
    severe first), its service history (jobs on it, latest first) and when its next
    service is due. None for anything outside the view."""
    row = session.execute(
        select(Asset, Site.name)
        .join(Site, Site.id == Asset.site_id)
        .where(
            Asset.id == asset_id,
            Asset.tenant_id == viewer.tenant_id,
            Asset.site_id.in_(site_scope(viewer)),
            Asset.is_active == True,
        )
    ).first()
    if row is None:
        return None
    asset, site = row
    remarks = session.execute(
        select(Remark)
        .where(Remark.asset_id == asset.id, Remark.tenant_id == viewer.tenant_id, visible_remark(viewer.tenant_id))
        .order_by(Remark.status, severity_rank(), Remark.raised_on.desc())
        .limit(HISTORY_LIMIT)
    ).scalars()
    when = func.coalesce(Job.completed_on, Job.scheduled_date, Job.due_date)
    jobs = session.execute(
        select(Job)
        .where(Job.asset_id == asset.id, Job.tenant_id == viewer.tenant_id)
        .order_by(when.desc().nulls_last(), Job.id.desc())
        .limit(HISTORY_LIMIT)
    ).scalars()
    return AssetDetail(
        id=asset.id,
        site=site,
        site_id=asset.site_id,
        description=asset.description or "",
        asset_code=asset.asset_code,
        asset_type=asset.asset_type,
        model=asset.model,
        serial_number=asset.serial_number,
        customer_ref=asset.customer_ref,
        location=asset.location,
        last_test_number=asset.last_test_number,
        last_test_date=asset.last_test_date,
        next_service_due=asset.next_service_due,
        defects=[
            AssetDefect(r.id, f"D-{r.id}", Severity(r.severity), RemarkStatus(r.status), r.title, r.raised_on)
            for r in remarks
        ],
        jobs=[
            AssetJob(
                j.id,
                j.number,
                JobKind(j.kind),
                JobStage(j.stage),
                j.completed_on or j.scheduled_date or j.due_date or j.created_at.date(),
                j.description,
            )
            for j in jobs
        ],
    )


@dataclass
class AssetsView:
    listed: ListView
    label: str  # the tenant's name for "Asset ID" ("" for the default)
    detail: AssetDetail | None  # the asset asked for (None: none, or not in the view)


def assets_view(session: Session, viewer: Viewer, query: ListQuery, asset_id: int | None) -> AssetsView:
    """The assets page: the list, and with ``asset_id`` that asset's page."""
    return AssetsView(
        list_view(session, viewer, "assets", query),
        asset_columns(session, viewer.tenant_id)[1],
        asset_detail(session, viewer, asset_id) if asset_id is not None else None,
    )
