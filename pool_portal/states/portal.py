"""Portal (customer side) home."""

from __future__ import annotations

import asyncio

import reflex as rx

from pool_portal.db import session_scope
from pool_portal.services import overview
from pool_portal.states.base import AppState


class PortalHomeState(AppState):
    properties: list[dict[str, str]] = []
    loaded: bool = False

    @rx.event
    async def load_home(self):
        viewer = await self._viewer("portal", "PortalHomeState.load_home")
        if viewer is None:
            self._clear_identity()
            self.properties = []
            return rx.redirect("/portal/login")

        def work():
            with session_scope() as db:
                return overview.tenant_branding(db, viewer), overview.portal_properties(db, viewer)

        (tenant_name, colour), rows = await asyncio.to_thread(work)
        self._apply_identity(viewer, tenant_name, colour)
        self.properties = rows
        self.loaded = True
