"""Admin → Staff users (ADMIN): invite, set roles, deactivate and reactivate. The
rules (the last active ADMIN stays, sessions end on deactivation) are in
``services.admin_staff``."""

from __future__ import annotations

import asyncio
from datetime import datetime

import reflex as rx

from pool_portal.db import session_scope
from pool_portal.models import StaffRole
from pool_portal.services.core.params import parse_id
from pool_portal.services.core.roles import PORTAL_ADMINISTRATION
from pool_portal.services.identity import access
from pool_portal.services.portal import branding
from pool_portal.services.staff import users as admin_staff
from pool_portal.states.guard import staff_event, viewer
from pool_portal.states.shell import AppState


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if isinstance(value, datetime) else ""


class StaffUsersState(AppState):
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
        v = viewer()

        def work():
            with session_scope() as db:
                return branding.tenant_branding(db, v), admin_staff.list_staff(db, v.tenant_id, v.user_id)

        (name, colour), rows = await asyncio.to_thread(work)
        self._apply_identity(v, name, colour)
        self.staff = [
            {
                "id": str(r["id"]),
                "name": r["name"],
                "email": r["email"],
                "role": r["role"],
                "active": "1" if r["is_active"] else "",
                "invited": "1" if r["invited"] else "",
                "last_sign_in": _when(r["last_sign_in"]),
                "you": "1" if r["is_you"] else "",
            }
            for r in rows
        ]
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

        def work():
            with session_scope() as db:
                new_id, errors, mails = admin_staff.invite_staff(db, v.tenant_id, v.user_id, email, name, role)
                if errors:
                    db.rollback()
                return errors, mails

        errors, mails = await asyncio.to_thread(work)
        access.send(mails)
        self.errors, self.row_errors = errors, {}
        self.notice = "" if errors else "admin.staff.invited"
        if not errors:
            await self._reload()

    async def _row(self, staff_id: str, action, notice: str):
        v = viewer()
        target = parse_id(str(staff_id)) or -1

        def work():
            with session_scope() as db:
                errors = action(db, v, target)
                if errors:
                    db.rollback()
                return errors

        errors = await asyncio.to_thread(work)
        self.errors = {}
        self.row_errors = {str(staff_id)[:10]: next(iter(errors.values()))} if errors else {}
        self.notice = "" if errors else notice
        if not errors and target == v.user_id:
            # Your own role or account changed: this page may no longer be yours to see.
            return rx.redirect("/admin")
        await self._reload()

    @staff_event(PORTAL_ADMINISTRATION)
    async def set_role(self, staff_id: str, role: str):
        role = str(role or "")[:20]
        return await self._row(
            staff_id,
            lambda db, v, t: admin_staff.set_staff_role(db, v.tenant_id, v.user_id, t, role),
            "admin.staff.role_saved",
        )

    @staff_event(PORTAL_ADMINISTRATION)
    async def set_active(self, staff_id: str, active: bool):
        return await self._row(
            staff_id,
            lambda db, v, t: admin_staff.set_staff_active(db, v.tenant_id, v.user_id, t, bool(active)),
            "admin.staff.reactivated" if active else "admin.staff.deactivated",
        )
