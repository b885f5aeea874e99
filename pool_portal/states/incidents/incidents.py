"""Incidents: the portal's "report a fault" form, the list and the thread; the admin's
history, detail and bell. The rules live in services.incidents; these states only
read the URL, call the service off the event loop and keep what the page shows.

Live updates: an open thread (portal or admin) and the admin bell run a background
task that asks the database every few seconds whether anything changed (a short
version string) and reloads when it did. The database is what every backend worker
shares, so a reply written through one worker reaches a page served by another.
Each round re-checks the caller from the server-side session (guard.recheck), so a
signed-out, disabled or demoted user stops getting data. The task ends then, when the
browser disconnects or leaves the page, or after a few hours.
"""

from __future__ import annotations

import asyncio
import time
from datetime import date, datetime

import reflex as rx

from pool_portal.db import session_scope
from pool_portal.models import StaffUser
from pool_portal.services.core.i18n import normalise_language
from pool_portal.services.core.params import parse_id
from pool_portal.services.core.roles import ANY_STAFF, OFFICE_WORK
from pool_portal.services.incidents import incidents
from pool_portal.services.portal import branding, portal_settings
from pool_portal.states.guard import portal_event, recheck, staff_event, viewer
from pool_portal.states.portal.page import PortalState
from pool_portal.states.shell import AppState

WATCH_INTERVAL_S = 2.0  # how often an open page asks the database for changes
WATCH_MAX_S = 4 * 3600


def _connected(token: str) -> bool:
    """Whether the browser tab with ``token`` is still connected to this worker."""
    from reflex.utils.prerequisites import get_app

    namespace = get_app().app.event_namespace
    return namespace is None or token in namespace.token_to_sid


def _page_links(path: str, filters: dict[str, str], page: int, pages: int) -> tuple[str, str]:
    """The previous and next page's URLs ("" at either end), keeping the filters."""
    from urllib.parse import urlencode

    def href(number: int) -> str:
        query = {k: v for k, v in filters.items() if v} | ({"page": str(number)} if number > 1 else {})
        return path + ("?" + urlencode(query) if query else "")

    return (href(page - 1) if page > 1 else "", href(page + 1) if page < pages else "")


def _int(raw) -> int | None:
    return parse_id(str(raw or ""))


async def _read_photos(files) -> list[tuple[str, bytes]]:
    """(name, bytes) of the uploaded files, reading at most one byte past the size
    limit of each (the service refuses anything larger, by size and by content)."""
    out = []
    for f in (files or [])[: incidents.MAX_PHOTOS + 1]:
        data = await asyncio.to_thread(f.file.read, incidents.MAX_PHOTO_BYTES + 1)
        out.append((f.name or "photo", data))
    return out


def _on_page(state, route: str, incident_id: int | None = None) -> bool:
    """Whether the tab is still on ``route`` (showing ``incident_id``): the router data
    is that of the tab's latest event, and every navigation sends one (the new page's
    on_load), so a tab that moved on shows another route here."""
    router = state.router
    if not (router.route_id == route or router.route_id.startswith(route + "/")):
        return False
    return incident_id is None or _int(router.url.query_parameters.get("id")) == incident_id


async def _watch(state, version, read, route: str, incident_id: int):
    """The live refresh of an open incident page (``state`` has ``_watch_gen``,
    ``_stamp``, ``_apply`` and ``_on_refused``): every few seconds check the caller
    again from the server-side session (guard.recheck) and ask ``version(viewer)``;
    when it differs from the page's stamp, ``read(viewer)`` and apply. Ends when the
    tab disconnects, leaves the page, the page is loaded again (a newer watcher takes
    over) or after WATCH_MAX_S; when the caller is no longer allowed (signed out,
    disabled, demoted) it clears the page and sends the tab to sign in, as the guard
    does for any refused call."""
    async with state:
        gen, token = state._watch_gen, state.router.session.client_token
    deadline = time.monotonic() + WATCH_MAX_S
    while time.monotonic() < deadline:
        await asyncio.sleep(WATCH_INTERVAL_S)
        if not _connected(token):
            return None
        v = await recheck(state)
        async with state:
            if state._watch_gen != gen or not _on_page(state, route, incident_id):
                return None
            if v is None:
                state._on_refused()
                return rx.redirect("/admin/login" if route.startswith("/admin") else "/portal/login")
            stamp, lang = state._stamp, normalise_language(state.lang)
        if await asyncio.to_thread(version, v) == stamp:
            continue
        data = await asyncio.to_thread(read, v)
        async with state:
            if state._watch_gen != gen:
                return None
            state._apply(data, lang)
    return None


def _timeline(entries: list[dict], lang: str) -> list[dict]:
    """The thread as the page shows it: plain strings only (text is never HTML)."""
    out = []
    for e in entries:
        at = e.get("at")
        out.append(
            {
                "kind": e["kind"],
                "author": e["author"],
                "name": e.get("author_name") or "",
                "body": e["body"],
                "internal": "1" if e.get("internal") else "",
                "at": at.strftime("%Y-%m-%d %H:%M") if isinstance(at, datetime) else str(at or ""),
                "photos": ",".join(str(a["id"]) for a in e.get("attachments", [])),
            }
        )
    return out


_incidents_on = portal_settings.incidents_enabled


# -- portal ----------------------------------------------------------------------------------------
class IncidentListState(PortalState):
    """The user's incidents (their view's clients), newest first, with a status filter."""

    rows: list[dict[str, str]] = []
    status: str = "all"
    page: int = 1
    pages: int = 1
    total: int = 0
    prev_href: str = ""
    next_href: str = ""
    enabled: bool = True
    loaded: bool = False

    @portal_event
    async def load_incidents(self):
        v = viewer()
        params = self.router.url.query_parameters
        status = str(params.get("status", "all"))
        status = status if status in incidents.CUSTOMER_STATUSES else "all"
        page = _int(params.get("page")) or 1

        def work():
            with session_scope() as db:
                self._load_common(db, v)
                if not _incidents_on(db, v.tenant_id):
                    return None
                return incidents.list_for_portal(db, v, status, page)

        result = await asyncio.to_thread(work)
        self.enabled = result is not None
        self.status = status
        if result is not None:
            self.rows, self.total, self.page, self.pages = result.rows, result.total, result.page, result.pages
        else:
            self.rows, self.total, self.page, self.pages = [], 0, 1, 1
        self.prev_href, self.next_href = _page_links(
            "/portal/incidents", {"status": "" if status == "all" else status}, self.page, self.pages
        )
        self.loaded = True


class ReportFaultState(PortalState):
    """Report a fault: a site of the view, a category, a description (10+ characters)
    and up to five photos; errors next to the fields and nothing stored on error."""

    sites: list[list[str]] = []
    errors: dict[str, str] = {}
    enabled: bool = True

    @portal_event
    async def load_report_form(self):
        v = viewer()

        def work():
            with session_scope() as db:
                self._load_common(db, v)
                return _incidents_on(db, v.tenant_id), self._site_choices(db, v)

        self.enabled, self.sites = await asyncio.to_thread(work)
        self.errors = {}

    @portal_event(write=True)
    async def submit_report(
        self, files: list[rx.UploadFile], site: str = "", category: str = "", description: str = ""
    ):
        v = viewer()
        photos = await _read_photos(files)
        site_id = _int(site)

        def work():
            with session_scope() as db:
                incident, errors = incidents.report_incident(
                    db,
                    v,
                    site_id if site_id is not None else -1,
                    str(category or ""),
                    str(description or "")[:20000],
                    photos,
                )
                return (incident.id if incident else None), errors

        incident_id, errors = await asyncio.to_thread(work)
        self.errors = errors
        if incident_id is not None:
            return rx.redirect(f"/portal/incident?id={incident_id}")


class IncidentState(PortalState):
    """One incident: its timeline (no internal notes), the customer status, and the
    reply box while it is not solved. A team reply appears without reloading."""

    incident: dict[str, str] = {}
    thread: list[dict[str, str]] = []
    can_post: bool = False
    errors: dict[str, str] = {}
    missing: bool = False
    sent: int = 0  # bumps after a message is posted (clears the reply box)
    _watch_gen: int = 0
    _stamp: str = ""

    def _on_refused(self) -> None:
        super()._on_refused()
        self.incident, self.thread = {}, []

    def _read(self, db, v, incident_id: int):
        incident = incidents.get_for_portal(db, v, incident_id)  # None with incidents switched off
        if incident is None:
            return None
        from pool_portal.models import Site

        site = db.get(Site, incident.site_id)
        status = incidents.status_of(db, incident)
        return (
            {
                "id": str(incident.id),
                "reference": incident.reference,
                "category": incidents._v(incident.category),
                "site": site.name if site else "",
                "status": status,
                "created": incident.created_at.strftime("%Y-%m-%d %H:%M") if incident.created_at else "",
            },
            incidents.thread_for_portal(db, v, incident.id) or [],
            incidents.portal_version(db, v, incident.id),
        )

    def _apply(self, data, lang: str) -> None:
        if data is None:
            self.missing, self.incident, self.thread, self.can_post = True, {}, [], False
            return
        info, thread, stamp = data
        self.missing = False
        self.incident = info
        self.thread = _timeline(thread, lang)
        self.can_post = info["status"] != incidents.SOLVED
        self._stamp = stamp or ""

    @portal_event
    async def load_incident(self):
        v = viewer()
        incident_id = _int(self.router.url.query_parameters.get("id"))
        lang = normalise_language(self.lang)

        def work():
            with session_scope() as db:
                self._load_common(db, v)
                return None if incident_id is None else self._read(db, v, incident_id)

        self._apply(await asyncio.to_thread(work), lang)
        self.errors = {}
        self._watch_gen += 1
        if not self.missing:
            return IncidentState.watch_incident

    @portal_event(background=True)
    async def watch_incident(self):
        async with self:
            incident_id = _int(self.incident.get("id"))
        if incident_id is None:
            return None

        def version(v):
            with session_scope() as db:
                return incidents.portal_version(db, v, incident_id)

        def read(v):
            with session_scope() as db:
                return self._read(db, v, incident_id)

        return await _watch(self, version, read, "/portal/incident", incident_id)

    @portal_event(write=True)
    async def post_message(self, files: list[rx.UploadFile], body: str = ""):
        v = viewer()
        incident_id = _int(self.incident.get("id"))
        photos = await _read_photos(files)
        lang = normalise_language(self.lang)
        if incident_id is None:
            return

        def work():
            with session_scope() as db:
                message, errors = incidents.post_client_message(db, v, incident_id, str(body or "")[:20000], photos)
                return errors, (self._read(db, v, incident_id) if message is not None else None)

        errors, data = await asyncio.to_thread(work)
        self.errors = errors
        if data is not None:
            self._apply(data, lang)
            self.sent += 1
            return rx.clear_selected_files("reply-photos")


# -- admin -----------------------------------------------------------------------------------------
class BellState(AppState):
    """The admin bell: unread notifications, kept current while a staff page is open."""

    unread: int = 0
    _bell_gen: int = 0

    @staff_event(ANY_STAFF, password_change=True)
    async def start_bell(self):
        v = viewer()

        def work():
            with session_scope() as db:
                return incidents.unread_count(db, v.user_id)

        self.unread = await asyncio.to_thread(work)
        self._bell_gen += 1
        return BellState.watch_bell

    @staff_event(ANY_STAFF, password_change=True, background=True)
    async def watch_bell(self):
        """Like _watch: the caller is checked again every round; the task ends when the
        tab leaves the staff pages, disconnects or is no longer allowed."""
        async with self:
            gen, token = self._bell_gen, self.router.session.client_token
        deadline = time.monotonic() + WATCH_MAX_S
        while time.monotonic() < deadline:
            await asyncio.sleep(WATCH_INTERVAL_S)
            if not _connected(token):
                return None
            v = await recheck(self)
            async with self:
                if self._bell_gen != gen or not _on_page(self, "/admin"):
                    return None
                if v is None:
                    self.unread = 0
                    self._on_refused()
                    return rx.redirect("/admin/login")

            def work(user_id=v.user_id):
                with session_scope() as db:
                    return incidents.unread_count(db, user_id)

            count = await asyncio.to_thread(work)
            async with self:
                if self._bell_gen != gen:
                    return None
                if count != self.unread:
                    self.unread = count
        return None


class AdminIncidentsState(AppState):
    """Incidents → History: all the tenant's incidents, filtered by status, category,
    site and client, searched by reference or text; all in the URL."""

    rows: list[dict[str, str]] = []
    total: int = 0
    page: int = 1
    pages: int = 1
    status: str = ""
    category: str = ""
    text: str = ""
    client: str = ""
    clients: list[list[str]] = []
    site: str = ""
    sites: list[list[str]] = []  # the tenant's properties, narrowed to the chosen client
    prev_href: str = ""
    next_href: str = ""
    loaded: bool = False

    def _on_refused(self) -> None:
        super()._on_refused()
        self.rows, self.loaded = [], False

    @staff_event(OFFICE_WORK)
    async def load_admin_incidents(self):
        v = viewer()
        params = self.router.url.query_parameters
        status = str(params.get("status", ""))
        status = status if status in ("OPEN", *incidents.CUSTOMER_STATUSES) else ""
        category = str(params.get("category", ""))
        category = category if category in incidents.CATEGORIES else ""
        text = " ".join(str(params.get("q", "")).split())[:100]
        client_id, site_id, page = _int(params.get("client")), _int(params.get("site")), _int(params.get("page")) or 1

        def work():
            with session_scope() as db:
                clients, sites = incidents.staff_filter_choices(db, v.tenant_id, client_id)
                # A property not among the choices (another client's, after the client
                # changed) is dropped rather than giving an empty list.
                site = site_id if any(s[0] == str(site_id) for s in sites) else None
                return (
                    branding.tenant_branding(db, v),
                    clients,
                    sites,
                    site,
                    incidents.list_for_staff(
                        db, v.tenant_id, status or None, category or None, site, client_id, text, page
                    ),
                )

        (name, colour), clients, sites, site_id, result = await asyncio.to_thread(work)
        self._apply_identity(v, name, colour)
        self.clients, self.sites = clients, sites
        self.status, self.category, self.text = status, category, text
        self.client = str(client_id) if client_id is not None and any(c[0] == str(client_id) for c in clients) else ""
        self.site = str(site_id) if site_id is not None else ""
        self.rows, self.total, self.page, self.pages = result.rows, result.total, result.page, result.pages
        self.prev_href, self.next_href = _page_links(
            "/admin/incidents",
            {"status": status, "category": category, "client": self.client, "site": self.site, "q": text},
            self.page,
            self.pages,
        )
        self.loaded = True


class AdminIncidentState(AppState):
    """One incident for staff: classification, tasks, the visit, the whole thread
    (internal notes marked), replies to the portal or internal notes, solve, reopen."""

    incident: dict[str, str] = {}
    thread: list[dict[str, str]] = []
    tasks: list[dict[str, str]] = []
    visits: list[dict[str, str]] = []
    technicians: list[list[str]] = []
    errors: dict[str, str] = {}
    notice: str = ""
    missing: bool = False
    sent: int = 0
    _watch_gen: int = 0
    _stamp: str = ""

    def _on_refused(self) -> None:
        super()._on_refused()
        self.incident, self.thread, self.tasks = {}, [], []

    def _read(self, db, tenant_id: int, incident_id: int):
        from sqlalchemy import select

        from pool_portal.models import Client, Site

        incident = incidents.get_for_staff(db, tenant_id, incident_id)
        if incident is None:
            return None
        site, client = db.get(Site, incident.site_id), db.get(Client, incident.client_id)
        staff = {s.id: s for s in db.execute(select(StaffUser).where(StaffUser.tenant_id == tenant_id)).scalars()}
        info = {
            "id": str(incident.id),
            "reference": incident.reference,
            "category": incidents._v(incident.category),
            "priority": incidents._v(incident.priority),
            "state": incidents._v(incident.state),
            "status": incidents.status_of(db, incident),
            "site": site.name if site else "",
            "client": client.name if client else "",
            "description": incident.description,
            "resolution": incident.resolution_note or "",
            "assigned": staff[incident.assigned_staff_id].name if incident.assigned_staff_id in staff else "",
        }
        tasks = [
            {"id": str(t.id), "title": t.title, "done": "1" if t.is_done else ""}
            for t in incidents.tasks_for_staff(db, tenant_id, incident.id) or []
        ]
        visits = [
            {
                "id": str(vi.id),
                "status": incidents._v(vi.status),
                "when": vi.scheduled_for.strftime("%Y-%m-%d %H:%M") if vi.scheduled_for else "",
                "technician": staff[vi.technician_id].name if vi.technician_id in staff else "",
            }
            for vi in incidents.visits_for_staff(db, tenant_id, incident.id) or []
        ]
        technicians = [[str(s.id), s.name] for s in staff.values() if s.is_active]
        return (
            info,
            incidents.thread_for_staff(db, tenant_id, incident.id) or [],
            tasks,
            visits,
            technicians,
            incidents.staff_version(db, tenant_id, incident.id),
        )

    def _apply(self, data, lang: str) -> None:
        if data is None:
            self.missing, self.incident, self.thread, self.tasks, self.visits = True, {}, [], [], []
            return
        info, thread, tasks, visits, technicians, stamp = data
        self.missing = False
        self.incident, self.thread, self.tasks, self.visits = info, _timeline(thread, lang), tasks, visits
        self.technicians = technicians
        self._stamp = stamp or ""

    async def _reload(self, v, incident_id: int) -> None:
        def work():
            with session_scope() as db:
                return self._read(db, v.tenant_id, incident_id)

        self._apply(await asyncio.to_thread(work), normalise_language(self.lang))

    @staff_event(OFFICE_WORK)
    async def load_admin_incident(self):
        v = viewer()
        incident_id = _int(self.router.url.query_parameters.get("id"))

        def work():
            with session_scope() as db:
                brand = branding.tenant_branding(db, v)
                if incident_id is not None:
                    incidents.mark_read(db, v.user_id, incident_id=incident_id)
                    db.commit()
                return brand, None if incident_id is None else self._read(db, v.tenant_id, incident_id)

        (name, colour), data = await asyncio.to_thread(work)
        self._apply_identity(v, name, colour)
        self._apply(data, normalise_language(self.lang))
        self.errors, self.notice = {}, ""
        self._watch_gen += 1
        if not self.missing:
            return AdminIncidentState.watch_admin_incident

    @staff_event(OFFICE_WORK, background=True)
    async def watch_admin_incident(self):
        async with self:
            incident_id = _int(self.incident.get("id"))
        if incident_id is None:
            return None

        def version(v):
            with session_scope() as db:
                return incidents.staff_version(db, v.tenant_id, incident_id)

        def read(v):
            with session_scope() as db:
                incidents.mark_read(db, v.user_id, incident_id=incident_id)
                db.commit()
                return self._read(db, v.tenant_id, incident_id)

        return await _watch(self, version, read, "/admin/incident", incident_id)

    async def _act(self, action, notice: str) -> None:
        """Run a staff action (a service call returning (result, errors)) and reload."""
        v = viewer()
        incident_id = _int(self.incident.get("id"))
        if incident_id is None:
            return

        def work():
            with session_scope() as db:
                return action(db, v, incident_id)

        result, errors = await asyncio.to_thread(work)
        self.errors = errors or {}
        self.notice = "" if errors else notice
        await self._reload(v, incident_id)
        if not errors:
            self.sent += 1

    @staff_event(OFFICE_WORK)
    async def reply(self, form_data: dict):
        form = form_data or {}
        internal = str(form.get("internal") or "") in ("1", "on", "true")
        body = str(form.get("body") or "")[:20000]
        await self._act(
            lambda db, v, i: incidents.staff_reply(db, v.tenant_id, v.user_id, i, body, internal),
            "incident.admin.note_saved" if internal else "incident.admin.reply_sent",
        )

    @staff_event(OFFICE_WORK)
    async def classify(self, form_data: dict):
        form = form_data or {}
        await self._act(
            lambda db, v, i: incidents.classify(
                db, v.tenant_id, v.user_id, i, str(form.get("category") or ""), str(form.get("priority") or "")
            ),
            "incident.admin.saved",
        )

    @staff_event(OFFICE_WORK)
    async def add_task(self, form_data: dict):
        title = str((form_data or {}).get("title") or "")[:1000]
        await self._act(
            lambda db, v, i: incidents.add_task(db, v.tenant_id, v.user_id, i, title), "incident.admin.saved"
        )

    @staff_event(OFFICE_WORK)
    async def toggle_task(self, task_id: str, done: bool):
        task = _int(task_id)
        await self._act(
            lambda db, v, i: incidents.complete_task(db, v.tenant_id, v.user_id, task if task else -1, bool(done)),
            "incident.admin.saved",
        )

    @staff_event(OFFICE_WORK)
    async def schedule(self, form_data: dict):
        form = form_data or {}
        try:
            when = date.fromisoformat(str(form.get("date") or ""))
        except ValueError:
            when = None
        technician = _int(form.get("technician"))

        def act(db, v, i):
            if when is None:
                return None, {"date": incidents.E_DATE}
            return incidents.schedule_visit(db, v.tenant_id, v.user_id, i, when, technician)

        await self._act(act, "incident.admin.saved")

    @staff_event(OFFICE_WORK)
    async def solve(self, form_data: dict):
        note = str((form_data or {}).get("resolution") or "")[:20000]
        await self._act(lambda db, v, i: incidents.solve(db, v.tenant_id, v.user_id, i, note), "incident.admin.solved")

    @staff_event(OFFICE_WORK)
    async def reopen(self):
        await self._act(lambda db, v, i: incidents.reopen(db, v.tenant_id, v.user_id, i), "incident.admin.reopened")
