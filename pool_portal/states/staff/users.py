"""Admin → Staff users (ADMIN): invite, set roles, deactivate and reactivate. The
rules (the last active ADMIN stays, sessions end on deactivation) are in
``services.staff.users``."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from pool_portal.models import StaffRole
from pool_portal.presentation import admin as show
from pool_portal.services.core.outcome import Errors
from pool_portal.services.core.params import parse_id
from pool_portal.services.core.roles import PORTAL_ADMINISTRATION
from pool_portal.services.staff import users as admin_staff
from pool_portal.states.guard import staff_event, viewer
from pool_portal.states.shell import StaffPage, call


class StaffUsersState(StaffPage):
    staff: list[dict[str, str]] = []
    roles: list[str] = [r.value for r in StaffRole]
    errors: dict[str, str] = {}
    row_errors: dict[str, str] = {}  # staff id -> error key (role / deactivate refusals)
    notice: str = ""
    loaded: bool = False
    form_key: int = 0

    def _on_refused(self) -> None:
        super()._on_refused()
        self.staff, self.loaded = [], False

    async def _reload(self) -> None:
        v = await self._load_shell()
        self.staff = show.staff_rows(await call(admin_staff.list_staff, v.tenant_id, v.user_id))
        self.loaded = True
        self.form_key += 1

    @staff_event(PORTAL_ADMINISTRATION)
    async def load_staff(self):
        self.errors, self.row_errors, self.notice = {}, {}, ""
        await self._reload()

    @staff_event(PORTAL_ADMINISTRATION)
    async def invite(self, form_data: dict):
        v = viewer()
        form = form_data if isinstance(form_data, dict) else {}
        email, name, role = (str(form.get(k) or "")[:300] for k in ("email", "name", "role"))
        _, errors = await call(admin_staff.invite_staff, v.tenant_id, v.user_id, email, name, role)
        self.errors, self.row_errors = errors, {}
        self.notice = "" if errors else "admin.staff.invited"
        if not errors:
            await self._reload()

    async def _row(self, staff_id: str, change: Callable[..., Errors], notice: str, *args: object):
        """``change(db, tenant id, staff id, target id, *args)`` -> errors (having written
        nothing when there are any); an error shows on the staff member's row."""
        v = viewer()
        target = parse_id(str(staff_id)) or -1
        errors = await call(change, v.tenant_id, v.user_id, target, *args)
        self.errors = {}
        self.row_errors = {str(staff_id)[:10]: next(iter(errors.values()))} if errors else {}
        self.notice = "" if errors else notice
        if not errors and target == v.user_id:
            # Your own role or account changed: this page may no longer be yours to see.
            return rx.redirect("/admin")
        await self._reload()

    @staff_event(PORTAL_ADMINISTRATION)
    async def set_role(self, staff_id: str, role: str):
        return await self._row(staff_id, admin_staff.set_staff_role, "admin.staff.role_saved", str(role or "")[:20])

    @staff_event(PORTAL_ADMINISTRATION)
    async def set_active(self, staff_id: str, active: bool):
        return await self._row(
            staff_id,
            admin_staff.set_staff_active,
            "admin.staff.reactivated" if active else "admin.staff.deactivated",
            bool(active),
        )
