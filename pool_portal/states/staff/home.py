"""Admin (staff side) home."""

from __future__ import annotations

import asyncio

from pool_portal.db import session_scope
from pool_portal.services.core.roles import ANY_STAFF
from pool_portal.services.portal import branding
from pool_portal.services.staff import home
from pool_portal.states.guard import staff_event, viewer
from pool_portal.states.shell import AppState


class AdminHomeState(AppState):
    clients: list[dict[str, str]] = []
    visits: list[dict[str, str]] = []
    role: str = ""
    loaded: bool = False

    def _on_refused(self) -> None:
        super()._on_refused()
        self.clients = []
        self.visits = []
        self.loaded = False

    @staff_event(ANY_STAFF)
    async def load_admin(self):
        v = viewer()

        def work():
            with session_scope() as db:
                clients = home.admin_clients(db, v) if home.can_manage_clients(v) else []
                return branding.tenant_branding(db, v), clients, home.technician_visits(db, v)

        (tenant_name, colour), clients, visits = await asyncio.to_thread(work)
        self._apply_identity(v, tenant_name, colour)
        self.role = v.role.value if v.role else ""
        self.clients = clients
        self.visits = visits
        self.loaded = True
