"""Jobs in the portal: the view's list (past or future, by property, asset and dates,
with a search), its property and asset filters kept consistent, and requesting a job.

A requested job is an unscheduled job on a site of the view, in the tenant's default
stage (``portal_settings``); the tenant's admin is notified (``staff_alerts``).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from pool_portal.models import Asset, Job, JobKind, NotificationKind, Site
from pool_portal.services.core import audit
from pool_portal.services.core.scope import Viewer
from pool_portal.services.portal.list_query import ListQuery, plain_query
from pool_portal.services.portal.list_rows import JobRow
from pool_portal.services.portal.lists import ListView, Page, fetch, list_view
from pool_portal.services.portal.portal_settings import portal_settings
from pool_portal.services.portal.shell import site_choices
from pool_portal.services.portal.staff_alerts import admin_link, notify_staff
from pool_portal.services.portal.visibility import site_in_view, site_scope

REQUESTABLE_KINDS = ("SERVICE_CALL", "DEFECT_REPAIR", "FIXED_PRICE", "ROUTINE")
MIN_DESCRIPTION = 10
MAX_DESCRIPTION = 4000


def list_jobs(
    session: Session,
    viewer: Viewer,
    *,
    when: str = "all",
    site_id: int | None = None,
    asset_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    text: str = "",
    page: int = 1,
    now: datetime | None = None,
) -> Page[JobRow] | None:
    """A page of the view's jobs: past or future by date (scheduled, else due), a site,
    an asset, a date range, and a search over number, description, notes, PO number and
    address."""
    query = plain_query(when, text, page, site_id=site_id, asset_id=asset_id, date_from=date_from, date_to=date_to)
    return fetch(session, viewer, "jobs", query, now=now)


@dataclass(frozen=True, slots=True)
class AssetChoice:
    id: int
    code: str
    type: str


def job_asset_filter(
    session: Session, viewer: Viewer, site_id: int | None, asset_id: int | None
) -> tuple[int | None, int | None, list[AssetChoice]]:
    """The jobs list's property and asset filters made consistent: (site id, asset id,
    the assets of that property to choose from). An asset without a property brings
    its own property; an asset that is not on the property, or not in the view, is
    dropped; a property outside the view has no assets to choose."""
    if asset_id is not None and site_id is None:
        site_id = session.execute(
            select(Asset.site_id).where(
                Asset.id == asset_id, Asset.tenant_id == viewer.tenant_id, Asset.site_id.in_(site_scope(viewer))
            )
        ).scalar_one_or_none()
    if site_id is None:
        return None, None, []
    choices = [
        AssetChoice(i, code, kind)
        for i, code, kind in session.execute(
            select(Asset.id, Asset.asset_code, Asset.asset_type)
            .where(
                Asset.tenant_id == viewer.tenant_id,
                Asset.site_id == site_id,
                Asset.site_id.in_(site_scope(viewer)),
                Asset.is_active == True,
            )
            .order_by(Asset.asset_type, Asset.asset_code, Asset.id)
        )
    ]
    if asset_id is not None and asset_id not in {c.id for c in choices}:
        asset_id = None
    return site_id, asset_id, choices


@dataclass
class JobsView:
    listed: ListView
    query: ListQuery  # as listed: the property and asset filters made consistent
    sites: list[tuple[int, str]]  # the view's properties (id, name), to choose from
    assets: list[AssetChoice]  # the chosen property's assets


def jobs_view(session: Session, viewer: Viewer, query: ListQuery) -> JobsView:
    """The jobs page: an asset brings its property; one not on the property is dropped
    (the page's links follow the corrected query)."""
    query.site_id, query.asset_id, assets = job_asset_filter(session, viewer, query.site_id, query.asset_id)
    return JobsView(list_view(session, viewer, "jobs", query), query, site_choices(session, viewer), assets)


def request_job(
    session: Session, viewer: Viewer, site_id: int, kind: str, description: str
) -> tuple[str | None, dict[str, str]]:
    """A job request from the portal: an unscheduled job on a site of the view, in the
    tenant's default stage; staff are notified. Returns (job number, {}) or
    (None, {field: message key}); nothing is written when a field is wrong."""
    errors: dict[str, str] = {}
    if not viewer.is_portal or viewer.read_only:
        return None, {"form": "quote.error.not_allowed"}
    site = session.get(Site, site_id) if isinstance(site_id, int) else None
    if not site_in_view(site, viewer):
        errors["site"] = "job.error.site"
    if kind not in REQUESTABLE_KINDS:
        errors["kind"] = "job.error.kind"
    description = description.strip()
    if len(description) < MIN_DESCRIPTION:
        errors["description"] = "job.error.too_short"
    elif len(description) > MAX_DESCRIPTION:
        errors["description"] = "job.error.too_long"
    if errors:
        return None, errors
    default_stage = portal_settings(session, viewer.tenant_id).default_job_stage
    # The number comes from the new row's id, which no concurrent request can share
    # (counting the tenant's jobs let two requests at once pick the same number).
    job = Job(
        tenant_id=viewer.tenant_id,
        number=f"REQ-PENDING-{secrets.token_hex(6)}",
        site_id=site.id,
        kind=JobKind(kind),
        stage=default_stage,
        description=description,
        requested_by_portal_user_id=viewer.user_id,
    )
    session.add(job)
    session.flush()
    number, suffix = f"REQ-{viewer.tenant_id:02d}{job.id:06d}", 1
    while session.execute(select(Job.id).where(Job.tenant_id == viewer.tenant_id, Job.number == number)).first():
        suffix += 1  # a number an imported job already has
        number = f"REQ-{viewer.tenant_id:02d}{job.id:06d}-{suffix}"
    job.number = number
    session.flush()
    notify_staff(
        session,
        viewer.tenant_id,
        f"Job requested: {number}",
        f"{site.name}: {description[:500]}",
        admin_link("job", job.id),
        NotificationKind.JOB_REQUESTED,
    )
    audit.record(
        session,
        "job.requested",
        tenant_id=viewer.tenant_id,
        actor_kind="portal",
        actor_id=viewer.user_id,
        target_type="job",
        target_id=job.id,
    )
    return number, {}
