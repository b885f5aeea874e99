"""Admin (staff side) home: the tenant's clients (ADMIN, OFFICE) and the caller's visits."""

from __future__ import annotations

from pool_portal.presentation import admin as show
from pool_portal.services.core.roles import ANY_STAFF
from pool_portal.services.staff import home
from pool_portal.states.guard import staff_event
from pool_portal.states.shell import StaffPage, call


class AdminHomeState(StaffPage):
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
        v = await self._load_shell()
        found = await call(home.staff_home, v)
        self.role = v.role.value if v.role else ""
        self.clients = show.home_clients(found.clients)
        self.visits = show.home_visits(found.visits)
        self.loaded = True
