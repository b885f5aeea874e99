"""Service reports in the portal: one approved report of the view (its list is
``lists``' "reports")."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from pool_portal.models import Report
from pool_portal.services.core.scope import Viewer
from pool_portal.services.portal.portal_settings import document_switches
from pool_portal.services.portal.visibility import site_scope, visible_report


def get_report(session: Session, viewer: Viewer, report_id: int) -> Report | None:
    """An approved report on a site of the view (reports switched on), or None."""
    if not document_switches(session, viewer.tenant_id)["reports"]:
        return None
    return session.execute(
        select(Report).where(
            Report.id == report_id,
            Report.tenant_id == viewer.tenant_id,
            Report.site_id.in_(site_scope(viewer)),
            visible_report(),
        )
    ).scalar_one_or_none()
