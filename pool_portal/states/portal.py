"""Portal (customer side) states: the shared view switcher, and the home page."""

from __future__ import annotations

import asyncio

import reflex as rx

from pool_portal.db import session_scope
from pool_portal.services import auth, overview
from pool_portal.services.scope import view_options
from pool_portal.states.base import AppState
from pool_portal.states.guard import portal_event, viewer


class PortalState(AppState):
    """What every portal page shares: the current view (one client, a group, or
    everything) and the choices for the switcher."""

    view: str = "all"
    view_choices: list[list[str]] = []

    def _on_refused(self) -> None:
        super()._on_refused()
        self.view_choices = []

    def _load_common(self, db) -> None:
        v = viewer()
        tenant_name, colour = overview.tenant_branding(db, v)
        self._apply_identity(v, tenant_name, colour)
        choices = [[k, label] for k, label in view_options(db, v.tenant_id, v.user_id)]
        keys = [k for k, _ in choices]
        # "all" for a user with one membership is that membership: show it selected.
        self.view = v.view if v.view in keys or not keys else keys[0]
        self.view_choices = choices

    @portal_event
    async def switch_view(self, view: str):
        token = auth.token_from_cookie_header(self.router.headers.raw_headers.get("cookie"))

        def work() -> bool:
            with session_scope() as db:
                return auth.set_view(db, token, str(view)[:40])

        if await asyncio.to_thread(work):
            # Reload the page: its on_load reads the data again in the new view.
            return rx.redirect(self.router.url.path or "/portal")


class PortalHomeState(PortalState):
    properties: list[dict[str, str]] = []
    loaded: bool = False

    def _on_refused(self) -> None:
        super()._on_refused()
        self.properties = []
        self.loaded = False

    @portal_event
    async def load_home(self):
        v = viewer()

        def work():
            with session_scope() as db:
                self._load_common(db)
                return overview.portal_properties(db, v)

        self.properties = await asyncio.to_thread(work)
        self.loaded = True
