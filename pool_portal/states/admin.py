"""Admin (staff side) home."""

from __future__ import annotations

import asyncio

import reflex as rx

from pool_portal.db import session_scope
from pool_portal.services import overview
from pool_portal.states.base import AppState


class AdminHomeState(AppState):
    clients: list[dict[str, str]] = []
    visits: list[dict[str, str]] = []
    role: str = ""
    loaded: bool = False

    @rx.event
    async def load_admin(self):
        viewer = await self._viewer("staff", "AdminHomeState.load_admin")
        if viewer is None:
            self._clear_identity()
            self.clients = []
            return rx.redirect("/admin/login")

        def work():
            with session_scope() as db:
                clients = (
                    overview.admin_clients(db, viewer) if overview.can_manage_clients(viewer) else []
                )
                return overview.tenant_branding(db, viewer), clients, overview.technician_visits(db, viewer)

        (tenant_name, colour), clients, visits = await asyncio.to_thread(work)
        self._apply_identity(viewer, tenant_name, colour)
        self.role = viewer.role.value if viewer.role else ""
        self.clients = clients
        self.visits = visits
        self.loaded = True
