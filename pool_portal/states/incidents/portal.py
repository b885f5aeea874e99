"""Incidents on the portal: the "report a fault" form, the list and one incident's
thread (kept current by a live watcher, see states.incidents.common). The rules live
in services.incidents.portal; these states read the URL, ``call`` the service and keep
what presentation.incidents makes of its answer."""

from __future__ import annotations

import reflex as rx

from pool_portal.presentation import incidents as present
from pool_portal.services.incidents import portal
from pool_portal.services.incidents.common import CUSTOMER_STATUSES, Status
from pool_portal.services.portal import shell
from pool_portal.states.guard import portal_event, viewer
from pool_portal.states.incidents.common import int_param, page_links, read_photos, watch
from pool_portal.states.portal.page import PortalState
from pool_portal.states.shell import call


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
        v = await self._load_shell()
        params = self.router.url.query_parameters
        status = str(params.get("status", "all"))
        status = status if status in CUSTOMER_STATUSES else "all"
        page = int_param(params.get("page")) or 1
        self.enabled = self.incidents_on
        self.status = status
        if self.enabled:
            result = await call(portal.list_for_portal, v, status, page)
            self.rows, self.total, self.page, self.pages = (
                present.portal_rows(result.rows),
                result.total,
                result.page,
                result.pages,
            )
        else:
            self.rows, self.total, self.page, self.pages = [], 0, 1, 1
        self.prev_href, self.next_href = page_links(
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
        v = await self._load_shell()
        self.enabled = self.incidents_on
        self.sites = present.choices(await call(shell.site_choices, v))
        self.errors = {}

    @portal_event(write=True)
    async def submit_report(
        self, files: list[rx.UploadFile], site: str = "", category: str = "", description: str = ""
    ):
        v = viewer()
        photos = await read_photos(files)
        site_id = int_param(site)
        incident, errors = await call(
            portal.report_incident,
            v,
            site_id if site_id is not None else -1,
            str(category or ""),
            str(description or "")[:20000],
            photos,
        )
        self.errors = errors
        if incident is not None:
            return rx.redirect(f"/portal/incident?id={incident.id}")


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

    def _apply(self, data: portal.PortalIncident | None) -> None:
        if data is None:  # not in the view, or incidents switched off
            self.missing, self.incident, self.thread, self.can_post = True, {}, [], False
            return
        self.missing = False
        self.incident = present.portal_incident(data)
        self.thread = present.timeline(data.thread)
        self.can_post = data.status != Status.SOLVED
        self._stamp = data.version or ""

    @portal_event
    async def load_incident(self):
        v = await self._load_shell()
        incident_id = int_param(self.router.url.query_parameters.get("id"))
        self._apply(None if incident_id is None else await call(portal.portal_incident, v, incident_id))
        self.errors = {}
        self._watch_gen += 1
        if not self.missing:
            return IncidentState.watch_incident

    @portal_event(background=True)
    async def watch_incident(self):
        async with self:
            incident_id = int_param(self.incident.get("id"))
        if incident_id is None:
            return None
        return await watch(
            self,
            lambda v: call(portal.portal_version, v, incident_id),
            lambda v: call(portal.portal_incident, v, incident_id),
            "/portal/incident",
            incident_id,
        )

    @portal_event(write=True)
    async def post_message(self, files: list[rx.UploadFile], body: str = ""):
        v = viewer()
        incident_id = int_param(self.incident.get("id"))
        photos = await read_photos(files)
        if incident_id is None:
            return
        message, errors = await call(portal.post_client_message, v, incident_id, str(body or "")[:20000], photos)
        self.errors = errors
        if message is not None:
            self._apply(await call(portal.portal_incident, v, incident_id))
            self.sent += 1
            return rx.clear_selected_files("reply-photos")
