"""Incidents for staff: the bell in the admin header, Incidents → History and one
incident's page (classification, tasks, the visit, the whole thread, replies and
internal notes, solve, reopen), kept current by a live watcher (see
states.incidents.common). The rules live in services.incidents; these states read the
URL and the forms, ``call`` the services and keep what presentation.incidents makes
of their answers."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import date

import reflex as rx

from pool_portal.presentation import incidents as present
from pool_portal.services.core.roles import ANY_STAFF, OFFICE_WORK
from pool_portal.services.core.scope import Viewer
from pool_portal.services.incidents import detail, history, notify, staff
from pool_portal.services.incidents.common import CATEGORIES, CUSTOMER_STATUSES, E_DATE
from pool_portal.states.guard import recheck, staff_event, viewer
from pool_portal.states.incidents.common import (
    WATCH_INTERVAL_S,
    WATCH_MAX_S,
    connected,
    int_param,
    on_page,
    page_links,
    watch,
)
from pool_portal.states.shell import AppState, StaffPage, call


def _text(value: int | None) -> str:
    return "" if value is None else str(value)


class BellState(AppState):
    """The admin bell: unread notifications, kept current while a staff page is open."""

    unread: int = 0
    _bell_gen: int = 0

    @staff_event(ANY_STAFF, password_change=True)
    async def start_bell(self):
        v = viewer()
        self.unread = await call(notify.unread_count, v.user_id)
        self._bell_gen += 1
        return BellState.watch_bell

    @staff_event(ANY_STAFF, password_change=True, background=True)
    async def watch_bell(self):
        """Like common.watch: the caller is checked again every round; the task ends
        when the tab leaves the staff pages, disconnects or is no longer allowed."""
        async with self:
            gen, token = self._bell_gen, self.router.session.client_token
        deadline = time.monotonic() + WATCH_MAX_S
        while time.monotonic() < deadline:
            await asyncio.sleep(WATCH_INTERVAL_S)
            if not connected(token):
                return None
            v = await recheck(self)
            async with self:
                if self._bell_gen != gen or not on_page(self, "/admin"):
                    return None
                if v is None:
                    self.unread = 0
                    self._on_refused()
                    return rx.redirect("/admin/login")
            count = await call(notify.unread_count, v.user_id)
            async with self:
                if self._bell_gen != gen:
                    return None
                if count != self.unread:
                    self.unread = count
        return None


class AdminIncidentsState(StaffPage):
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
        v = await self._load_shell()
        params = self.router.url.query_parameters
        status = str(params.get("status", ""))
        status = status if status in (history.OPEN, *CUSTOMER_STATUSES) else ""
        category = str(params.get("category", ""))
        category = category if category in CATEGORIES else ""
        text = " ".join(str(params.get("q", "")).split())[:100]
        client_id, site_id = int_param(params.get("client")), int_param(params.get("site"))
        page = int_param(params.get("page")) or 1
        found = await call(
            history.history, v.tenant_id, status or None, category or None, site_id, client_id, text, page
        )
        self.clients, self.sites = present.choices(found.clients), present.choices(found.sites)
        self.status, self.category, self.text = status, category, text
        self.client, self.site = _text(found.client_id), _text(found.site_id)
        result = found.listing
        self.rows, self.total, self.page, self.pages = (
            present.staff_rows(result.rows),
            result.total,
            result.page,
            result.pages,
        )
        self.prev_href, self.next_href = page_links(
            "/admin/incidents",
            {"status": status, "category": category, "client": self.client, "site": self.site, "q": text},
            self.page,
            self.pages,
        )
        self.loaded = True


class AdminIncidentState(StaffPage):
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

    def _apply(self, data: detail.StaffIncident | None) -> None:
        if data is None:
            self.missing, self.incident, self.thread, self.tasks, self.visits = True, {}, [], [], []
            return
        self.missing = False
        self.incident, self.thread = present.staff_incident(data), present.timeline(data.thread)
        self.tasks, self.visits = present.tasks(data.tasks), present.visits(data.visits)
        self.technicians = present.choices(data.technicians)
        self._stamp = data.version or ""

    @staff_event(OFFICE_WORK)
    async def load_admin_incident(self):
        v = await self._load_shell()
        incident_id = int_param(self.router.url.query_parameters.get("id"))
        opened = None if incident_id is None else await call(detail.open_for_staff, v.tenant_id, v.user_id, incident_id)
        self._apply(opened)
        self.errors, self.notice = {}, ""
        self._watch_gen += 1
        if not self.missing:
            return AdminIncidentState.watch_admin_incident

    @staff_event(OFFICE_WORK, background=True)
    async def watch_admin_incident(self):
        async with self:
            incident_id = int_param(self.incident.get("id"))
        if incident_id is None:
            return None
        return await watch(
            self,
            lambda v: call(detail.staff_version, v.tenant_id, incident_id),
            lambda v: call(detail.open_for_staff, v.tenant_id, v.user_id, incident_id),
            "/admin/incident",
            incident_id,
        )

    async def _done(self, v: Viewer, incident_id: int, errors: dict[str, str] | None, notice: str) -> None:
        """After a staff action: its errors or its notice, and the page read again."""
        self.errors = errors or {}
        self.notice = "" if errors else notice
        self._apply(await call(detail.staff_incident, v.tenant_id, incident_id))
        if not errors:
            self.sent += 1

    async def _act(self, notice: str, action: Callable, *args: object) -> None:
        """Run a staff action on the open incident, ``action(db, tenant_id, staff_user_id,
        incident_id, *args)`` answering (result, errors), and reload."""
        v = viewer()
        incident_id = int_param(self.incident.get("id"))
        if incident_id is None:
            return
        _, errors = await call(action, v.tenant_id, v.user_id, incident_id, *args)
        await self._done(v, incident_id, errors, notice)

    @staff_event(OFFICE_WORK)
    async def reply(self, form_data: dict):
        form = form_data or {}
        internal = str(form.get("internal") or "") in ("1", "on", "true")
        body = str(form.get("body") or "")[:20000]
        notice = "incident.admin.note_saved" if internal else "incident.admin.reply_sent"
        await self._act(notice, staff.staff_reply, body, internal)

    @staff_event(OFFICE_WORK)
    async def classify(self, form_data: dict):
        form = form_data or {}
        category, priority = str(form.get("category") or ""), str(form.get("priority") or "")
        await self._act("incident.admin.saved", staff.classify, category, priority)

    @staff_event(OFFICE_WORK)
    async def add_task(self, form_data: dict):
        title = str((form_data or {}).get("title") or "")[:1000]
        await self._act("incident.admin.saved", staff.add_task, title)

    @staff_event(OFFICE_WORK)
    async def toggle_task(self, task_id: str, done: bool):
        v = viewer()
        incident_id = int_param(self.incident.get("id"))
        if incident_id is None:
            return
        task = int_param(task_id)
        _, errors = await call(staff.complete_task, v.tenant_id, v.user_id, task if task else -1, bool(done))
        await self._done(v, incident_id, errors, "incident.admin.saved")

    @staff_event(OFFICE_WORK)
    async def schedule(self, form_data: dict):
        form = form_data or {}
        try:
            when = date.fromisoformat(str(form.get("date") or ""))
        except ValueError:
            when = None
        technician = int_param(form.get("technician"))
        if when is not None:
            await self._act("incident.admin.saved", staff.schedule_visit, when, technician)
            return
        incident_id = int_param(self.incident.get("id"))
        if incident_id is not None:
            await self._done(viewer(), incident_id, {"date": E_DATE}, "incident.admin.saved")

    @staff_event(OFFICE_WORK)
    async def solve(self, form_data: dict):
        note = str((form_data or {}).get("resolution") or "")[:20000]
        await self._act("incident.admin.solved", staff.solve, note)

    @staff_event(OFFICE_WORK)
    async def reopen(self):
        await self._act("incident.admin.reopened", staff.reopen)
