"""The portal dashboard's figures, for one viewer's current view: ``build`` reads every
shown panel's figures (``dashboard_figures``) with the aggregates of
``dashboard_queries``, in two halves at once. A hidden panel is not computed.

What counts (published remarks, open quotes, overdue invoices...) is ``visibility``'s;
which panels and document types show is ``portal_settings``'; today is the tenant's
(``core.clock``). The listings behind the numbers are ``listings``; a property's page
is ``property_detail``; the page itself is read by ``home``.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from datetime import datetime

from sqlalchemy.orm import Session

from pool_portal.services.core.clock import tenant_today
from pool_portal.services.core.scope import Viewer
from pool_portal.services.portal import dashboard_queries as q
from pool_portal.services.portal.dashboard_figures import (
    ACTIVITY_SECTIONS,
    Dashboard,
    DefectAnalytics,
    Outstanding,
    Spend,
)
from pool_portal.services.portal.months import last_months, months_start
from pool_portal.services.portal.portal_settings import document_switches
from pool_portal.services.portal.visibility import SEVERITIES, panel_visibility, site_scope

# The second halves of dashboards being built (see build): two at a time per process
# at most, the callers' own threads doing the first halves.
_SIDE = ThreadPoolExecutor(max_workers=2, thread_name_prefix="dashboard")


def build(
    session: Session,
    viewer: Viewer,
    *,
    routine_year: int | None = None,
    now: datetime | None = None,
    side_session: Callable[[], AbstractContextManager[Session]] | None = None,
) -> Dashboard:
    """Every shown panel's figures for the viewer's current view; hidden ones stay None.

    ``side_session``: a factory of sessions on the same database. The figures then come
    in two halves at once, the second on a worker thread with its own connection (the
    database does the work and the driver lets go of the GIL meanwhile, so on two cores
    the dashboard takes about the time of its slower half). Only for a ``session`` with
    no writes of its own pending: the other connection cannot see them."""
    if not viewer.is_portal and not viewer.is_staff:
        raise PermissionError("no viewer")
    today = tenant_today(session, viewer.tenant_id, now)
    panels = panel_visibility(session, viewer)
    docs = document_switches(session, viewer.tenant_id)
    rows = q.property_rows(session, viewer)
    scope = site_scope(viewer) if rows else None
    months = last_months(today)
    start = months_start(months)
    board = Dashboard(today=today, panels=panels, documents=docs, properties=list(rows.values()))
    if panels["activity_report"]:
        board.activity = {k: Outstanding() for k in ACTIVITY_SECTIONS}
    if panels["defect_analytics"]:
        board.defects = DefectAnalytics(
            tally={s.value: 0 for s in SEVERITIES}, months=months, per_month={m: {} for m in months}
        )
    if panels["spend_tracking"]:
        board.spend = Spend(months=months, per_month={m: 0 for m in months})
    if panels["routine_activities"]:
        board.routine_year = routine_year or today.year

    # Two halves of about the same work that touch different parts of the board.
    def first(db: Session) -> None:
        if scope is not None:
            if docs["invoices"] or board.spend is not None:
                q.invoice_figures(db, viewer, scope, today, start, rows, docs, board.activity, board.spend)
            if docs["quotes"]:
                q.quote_figures(db, viewer, scope, today, rows, board.activity)
            q.open_remark_figures(db, viewer, scope, rows, board.defects.tally if board.defects else None)
        if panels["service_calls"]:
            board.service_calls = q.service_calls(db, viewer, scope, today)

    def second(db: Session) -> None:
        if scope is not None and board.defects is not None:
            q.remarks_per_month(db, viewer, scope, start, board.defects.per_month)
            board.defects.asset_types = q.asset_types(db, viewer, scope)
        if panels["routine_activities"]:
            board.routine = q.routine_activities(db, viewer, scope, board.routine_year, today)

    if side_session is None or scope is None:
        first(session)
        second(session)
        return board

    def on_the_side() -> None:
        with side_session() as db:
            second(db)

    other = _SIDE.submit(on_the_side)
    try:
        first(session)
    finally:
        other.result()  # its error, if any, is raised here
    return board
