"""The portal home page, read in one unit of work: the dashboard's figures (with the
activity report's first items) unless the board on screen may stay, and what the URL
opens over it: a listing behind a number or a bar, a property, or the search's hits.

A deep link to a property of another of the user's views first switches the session to
the view that covers it (``view_for_property``), so the page shows it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from pool_portal.db import session_scope
from pool_portal.models import Site
from pool_portal.services.core.scope import Viewer
from pool_portal.services.identity import auth
from pool_portal.services.portal import dashboard
from pool_portal.services.portal.branding import tenant_currency
from pool_portal.services.portal.dashboard_figures import Dashboard
from pool_portal.services.portal.listings import ACTIVITY_ITEMS, ACTIVITY_KINDS, ListingRow, listing
from pool_portal.services.portal.property_detail import PropertyDetail, property_detail
from pool_portal.services.portal.search import SearchHit, search
from pool_portal.services.portal.visibility import site_in_view


@dataclass(frozen=True)
class HomeQuery:
    """What the URL asks for: ``show`` an overlay ("search", "property", a listing),
    of ``site_id``; the routine panel's year; the search text (also the defects
    listing's filter); a chart listing's month and bucket."""

    show: str = ""
    site_id: int | None = None
    routine_year: int | None = None
    text: str = ""
    month: str | None = None
    bucket: str | None = None


@dataclass
class Home:
    currency: str
    board: Dashboard | None = None  # None: the board on screen stays as it is
    activity_items: dict[str, list[ListingRow]] = field(default_factory=dict)
    rows: list[ListingRow] | None = None  # the overlay's items; None: no overlay (or not allowed)
    detail: PropertyDetail | None = None
    hits: list[SearchHit] | None = None


def view_for_property(db: Session, v: Viewer, token: str | None, site_id: int) -> Viewer:
    """A deep link to a property outside the current view: when the user may see it,
    the session switches to the view that covers it (``auth.widen_view_for_site``).
    The caller, in the view the page then shows."""
    if site_in_view(db.get(Site, site_id), v) or not auth.widen_view_for_site(db, token, site_id):
        return v
    db.flush()
    return auth.resolve_viewer(db, token) or v


def read_home(db: Session, v: Viewer, query: HomeQuery, *, keep_board: bool = False) -> Home:
    """The page for ``query``. ``keep_board``: the board on screen is this view's and
    recent, so an overlay opened over it reads only the overlay; otherwise the board is
    read afresh, its second half on a connection of its own (``dashboard.build``'s
    ``side_session``)."""
    site_id = query.site_id
    home = Home(currency=tenant_currency(db, v.tenant_id))
    if not keep_board:
        home.board = dashboard.build(db, v, routine_year=query.routine_year, side_session=session_scope)
        if home.board.activity is not None:
            home.activity_items = {k: listing(db, v, k, limit=ACTIVITY_ITEMS) or [] for k in ACTIVITY_KINDS}
    if query.show == "search":
        home.hits = search(db, v, query.text)
        home.rows = []
    elif query.show == "property" and site_id:
        home.detail = property_detail(db, v, site_id)
        home.rows = [] if home.detail else None
    elif query.show:
        home.rows = listing(db, v, query.show, site_id, month=query.month, bucket=query.bucket, text=query.text or None)
    return home
