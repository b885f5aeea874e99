"""The base of every portal page: the shell around its content (branding, the view
switcher, which document types and whether incidents are shown, the view-as banner),
switching the view, and ending a staff member's view-as."""

from __future__ import annotations

import reflex as rx

from pool_portal.services.core.roles import OFFICE_WORK
from pool_portal.services.core.scope import Viewer
from pool_portal.services.identity import auth, view_as
from pool_portal.services.portal import shell
from pool_portal.states.guard import portal_event, staff_event, viewer
from pool_portal.states.shell import AppState, call


class PortalState(AppState):
    """What every portal page shares: the current view (one client, a group, or
    everything) and the choices for the switcher."""

    view: str = "all"
    view_choices: list[list[str]] = []
    docs: dict[str, bool] = {"quotes": True, "invoices": True, "reports": True}
    incidents_on: bool = True
    # Staff viewing the portal as a client (read-only): that client's name and id.
    viewing_as: str = ""
    viewing_as_id: str = ""

    def _on_refused(self) -> None:
        super()._on_refused()
        self.view_choices = []
        self.viewing_as = self.viewing_as_id = ""

    def _apply_shell(self, s: shell.PortalShell, v: Viewer) -> None:
        self._apply_identity(v, s.tenant_name, s.brand_colour)
        self.view = s.view
        self.view_choices = [[k, label] for k, label in s.view_choices]
        self.docs = dict(s.documents)
        self.incidents_on = s.incidents_on
        self.viewing_as = s.viewing_as_name
        self.viewing_as_id = str(s.viewing_as_id) if s.viewing_as_id is not None else ""

    async def _load_shell(self, v: Viewer | None = None) -> Viewer:
        """In a portal page's on_load (after the guard): the shell, in one unit of work,
        for ``v`` (the caller in the view the page shows; by default as the guard
        resolved it). Returns that caller."""
        v = v or viewer()
        self._apply_shell(await call(shell.portal_shell, v), v)
        self.refused_write = ""
        return v

    @portal_event
    async def switch_view(self, view: str):
        token = auth.token_from_cookie_header(self.router.headers.raw_headers.get("cookie"))
        if await call(auth.set_view, token, str(view)[:40]):
            # Reload the page: its on_load reads the data again in the new view.
            return rx.redirect(self.router.url.path or "/portal")

    @staff_event(OFFICE_WORK)
    async def end_view_as(self):
        """The banner's "End viewing": the staff session is a staff session again; back
        to the client's admin page."""
        v = viewer()
        client_id = await call(view_as.end_view_as_of, v)
        self.viewing_as = self.viewing_as_id = ""
        return rx.redirect(f"/admin/client?id={client_id}" if client_id else "/admin/clients")
