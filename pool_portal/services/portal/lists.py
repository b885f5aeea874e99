"""The portal's list pages, one machinery for jobs, quotes, invoices, reports, assets
and defects.

A list is a *spec* (``list_specs``): its columns and its base query, which carries the
visibility rules. A *query* (``list_query``), read from the URL, holds the general
search, per-column filters (they combine with AND), the sort column and direction, a
status filter and the page. A page and a CSV export (``export``) read the same query,
so an export is exactly the filtered list, in the same order. Rows come back typed
(``list_rows``); ``presentation.lists`` shows them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from sqlalchemy import and_, false, func, or_, select
from sqlalchemy.orm import Session

from pool_portal.models import Site
from pool_portal.services.core.clock import tenant_today
from pool_portal.services.core.scope import Viewer
from pool_portal.services.core.sqlfn import ci_like, contains_pattern
from pool_portal.services.portal.branding import tenant_currency
from pool_portal.services.portal.list_columns import COLUMNS, LISTS, shown_columns
from pool_portal.services.portal.list_query import ListQuery, date_range
from pool_portal.services.portal.list_rows import ListRow, row_of
from pool_portal.services.portal.list_specs import Spec, Via, spec, through
from pool_portal.services.portal.visibility import site_scope

PER_PAGE = 25
R = TypeVar("R")


@dataclass
class Page(Generic[R]):
    """A page of rows of any list (the staff side's and incidents' lists use it too)."""

    rows: list[R]
    total: int
    page: int
    pages: int
    sort: str = ""
    desc: bool = False


def paged(session: Session, query, page: int, per_page: int = PER_PAGE) -> tuple[list, int, int, int]:
    """(rows of the page, total, page, pages) for an ordered query; the page is clamped."""
    total = session.execute(select(func.count()).select_from(query.order_by(None).subquery())).scalar_one()
    pages = max((total + per_page - 1) // per_page, 1)
    page = min(max(page, 1), pages)
    rows = session.execute(query.offset((page - 1) * per_page).limit(per_page)).all()
    return rows, total, page, pages


@dataclass
class ListView:
    """What a list page shows: the page (None when the tenant switched the list off),
    the table's columns, and the currency of its amounts."""

    page: Page[ListRow] | None
    columns: list[str]
    currency: str


def list_view(session: Session, viewer: Viewer, kind: str, query: ListQuery) -> ListView:
    return ListView(
        page=fetch(session, viewer, kind, query),
        columns=[c.key for c in shown_columns(session, viewer, kind)],
        currency=tenant_currency(session, viewer.tenant_id),
    )


MAX_MATCHED_IDS = 1000


def _conditions(session: Session, viewer: Viewer, built: Spec, kind: str, query: ListQuery) -> tuple[list, bool]:
    """The query's conditions, on the root table only, and whether they need the table's
    rows (a text test on its own columns: no index has them).

    - The view: ``site_id IN (the view's sites)``; a filter on a site column (the
      property's name or address) narrows that same subquery, so the list's index is
      searched for those sites only.
    - A filter on another joined column (a defect's asset): ``fk IN (SELECT ...)``.
    - The search box, over the list's own columns and joined ones: the joined tables'
      matches are looked up first (a handful of ids, usually none, which drops the
      term) rather than tested again on every row."""
    site_tests = []
    where = list(built.where) + list(built.extra)
    scans_rows = False
    if query.status in built.statuses:
        where.append(built.statuses[query.status])
    if len(query.text) >= 2:
        p = contains_pattern(query.text)
        terms = []
        for e in built.search:
            if not isinstance(e, Via):
                terms.append(ci_like(e, p))
                continue
            ids = (
                session.execute(select(e.pk).where(e.scope, ci_like(e.column, p)).limit(MAX_MATCHED_IDS + 1))
                .scalars()
                .all()
            )
            if len(ids) > MAX_MATCHED_IDS:
                terms.append(through(e, lambda c: ci_like(c, p)))
            elif ids:
                terms.append(e.fk.in_(ids))
        where.append(or_(*terms) if terms else false())
        scans_rows = True
    columns = {c.key: c for c in COLUMNS[kind]}
    for key, raw in query.filters.items():
        col, target = columns[key], built.via.get(key, built.exprs[key])
        if col.kind == "choice":
            test = lambda c, raw=raw: c == raw  # noqa: E731
        elif col.kind == "date":
            start, end = date_range(raw)
            test = lambda c, start=start, end=end: and_(c >= start, c < end)  # noqa: E731
        else:
            test = lambda c, raw=raw: ci_like(c, contains_pattern(raw))  # noqa: E731
            scans_rows = scans_rows or not isinstance(target, Via)
        if isinstance(target, Via) and target.fk is built.site_fk and target.pk is Site.id:
            site_tests.append(test(target.column))
        else:
            where.append(through(target, test))
    return [built.site_fk.in_(site_scope(viewer).where(*site_tests)), *where], scans_rows


def _order(built: Spec, query: ListQuery) -> tuple[list, str, bool, set]:
    """ORDER BY (the sort column, then the id as tie-break), the key, the direction and
    the joined tables the order needs."""
    key = query.sort or built.default[0]
    desc = built.default[1] if not query.sort or query.desc is None else query.desc
    expr = built.sort_exprs.get(key, built.exprs[key])
    # Severity ranks 0 (critical) upwards: "descending severity" is ascending rank.
    if key in built.sort_exprs:
        ordered = expr.asc() if desc else expr.desc()
    else:
        ordered = (expr.desc() if desc else expr.asc()).nulls_last()
    tie = built.exprs["id"].desc() if desc else built.exprs["id"].asc()
    tables = {built.via[key].pk.table} if key in built.via else set()
    return [ordered, tie], key, desc, tables


def prepared_query(session: Session, viewer: Viewer, kind: str, query: ListQuery, now: datetime | None):
    """(spec, conditions, whether they scan rows, ORDER BY, sort key, direction, the
    tables the order joins) of a list's query; None when the list is switched off."""
    if kind not in LISTS:
        raise ValueError(kind)
    today = tenant_today(session, viewer.tenant_id, now)
    built = spec(session, viewer, kind, query, today)
    if built is None:
        return None
    where, scans_rows = _conditions(session, viewer, built, kind, query)
    return built, where, scans_rows, *_order(built, query)


def rows_statement(built: Spec, where, order):
    """Every column of the rows (joined tables included) meeting ``where``, in order."""
    stmt = built.join(select(*[e.label(k) for k, e in built.exprs.items()]).select_from(built.root))
    return stmt.where(*where).order_by(*order)


def fetch(
    session: Session,
    viewer: Viewer,
    kind: str,
    query: ListQuery,
    *,
    now: datetime | None = None,
    per_page: int = PER_PAGE,
) -> Page[ListRow] | None:
    """One page of a list; None when its document type is switched off for the tenant.

    Only the page's rows are ever joined and read in full. First the total and the ids
    of the page's ``per_page`` rows, from the list's own table (its covering indexes
    answer both without reading table rows): a count, then the ids in order; when the
    filters need the rows themselves (a text search), one pass gives both
    (``count(*) OVER ()``); sorted by site, a count per site gives both (see
    _page_by_site). Then those rows with every column."""
    prepared = prepared_query(session, viewer, kind, query, now)
    if prepared is None:
        return None
    built, where, scans_rows, order, key, desc, order_tables = prepared
    if not viewer.client_ids:
        return Page([], 0, 1, 1, key, desc)
    root_id = built.exprs["id"]
    ids_query = built.join(select(root_id).select_from(built.root), only=order_tables).where(*where).order_by(*order)
    via = built.via.get(key)
    if via is not None and via.pk.table is Site.__table__:
        ids, total, page, pages = _page_by_site(session, built, where, order, via, ids_query, query.page, per_page)
    elif scans_rows:
        page = max(query.page, 1)
        found = session.execute(
            ids_query.add_columns(func.count().over()).offset((page - 1) * per_page).limit(per_page)
        ).all()
        if found or page == 1:
            total = found[0][1] if found else 0
            ids, pages = [r[0] for r in found], max((total + per_page - 1) // per_page, 1)
        else:  # past the last page (a hand-edited URL): the last page
            ids, total, page, pages = _page_of(session, built, where, ids_query, page, per_page)
    else:
        ids, total, page, pages = _page_of(session, built, where, ids_query, query.page, per_page)
    rows = session.execute(rows_statement(built, [root_id.in_(ids)], order)).mappings().all() if ids else []
    return Page([row_of(kind, r) for r in rows], total, page, pages, key, desc)


def _page_of(session: Session, built: Spec, where, ids_query, page: int, per_page: int):
    """(ids of the page, total, page, pages): a count, then the page's ids."""
    total = session.execute(select(func.count()).select_from(built.root).where(*where)).scalar_one()
    pages = max((total + per_page - 1) // per_page, 1)
    page = min(max(page, 1), pages)
    ids = session.execute(ids_query.offset((page - 1) * per_page).limit(per_page)).scalars().all()
    return ids, total, page, pages


MAX_SITES_BY_COUNT = 5000


def _page_by_site(session: Session, built: Spec, where, order, via: Via, ids_query, page: int, per_page: int):
    """A page sorted by a site column without sorting (or joining) every row: count the
    rows per site in one pass (which gives the total as well), order the sites
    themselves by that column, find the sites the page falls on, and read only theirs.
    Sites with equal values form one group: their rows interleave by id, as in SQL."""
    counts = dict(
        session.execute(select(via.fk, func.count()).select_from(built.root).where(*where).group_by(via.fk)).all()
    )
    if len(counts) > MAX_SITES_BY_COUNT:  # (not a portal view: sort every row instead)
        return _page_of(session, built, where, ids_query, page, per_page)
    total = sum(counts.values())
    pages = max((total + per_page - 1) // per_page, 1)
    page = min(max(page, 1), pages)
    start = (page - 1) * per_page
    groups: list[tuple[object, list[int], int]] = []  # (value, site ids, rows), in the list's order
    for site_id, value in session.execute(
        select(via.pk, via.column).where(via.pk.in_(sorted(counts))).order_by(order[0], via.pk)
    ):
        if groups and groups[-1][0] == value:
            groups[-1][1].append(site_id)
            groups[-1] = (value, groups[-1][1], groups[-1][2] + counts[site_id])
        else:
            groups.append((value, [site_id], counts[site_id]))
    before, chosen, covered = 0, [], 0  # rows of the groups before the page; the page's groups
    for _value, site_ids, n in groups:
        if not chosen and before + n <= start:
            before += n
            continue
        chosen += site_ids
        covered += n
        if before + covered >= start + per_page:
            break
    if not chosen:
        return [], total, page, pages
    ids = session.execute(ids_query.where(via.fk.in_(chosen)).offset(start - before).limit(per_page)).scalars().all()
    return ids, total, page, pages
