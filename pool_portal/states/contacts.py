"""Admin → Contacts: portal access of the tenant's contacts (invite, resend, disable)."""

from __future__ import annotations

import asyncio


from pool_portal.db import session_scope
from pool_portal.models import StaffRole
from pool_portal.services import access, overview
from pool_portal.states.base import AppState
from pool_portal.states.guard import staff_event, viewer

MANAGERS = (StaffRole.ADMIN, StaffRole.OFFICE)
BULK_CHUNK = 25


class ContactsState(AppState):
    contacts: list[dict[str, str]] = []
    loaded: bool = False
    bulk_total: int = 0
    bulk_done: int = 0
    notice: str = ""

    def _on_refused(self) -> None:
        super()._on_refused()
        self.contacts = []
        self.loaded = False

    async def _reload(self) -> None:
        v = viewer()

        def work():
            with session_scope() as db:
                return overview.tenant_branding(db, v), access.contact_rows(db, v)

        (name, colour), rows = await asyncio.to_thread(work)
        self._apply_identity(v, name, colour)
        self.contacts = rows
        self.loaded = True

    @staff_event(*MANAGERS)
    async def load_contacts(self):
        self.notice = ""
        await self._reload()

    @staff_event(*MANAGERS)
    async def invite(self, contact_id: str):
        v = viewer()
        ids = [int(contact_id)] if str(contact_id).isdigit() else []

        def work():
            with session_scope() as db:
                return access.invite_contacts(db, v, ids)

        mails = await asyncio.to_thread(work)
        access.send(mails)
        self.notice = "invited" if mails else "not_found"
        await self._reload()

    @staff_event(*MANAGERS)
    async def set_active(self, contact_id: str, active: bool):
        v = viewer()
        if not str(contact_id).isdigit():
            return

        def work():
            with session_scope() as db:
                return access.set_contact_active(db, v, int(contact_id), bool(active))

        ok = await asyncio.to_thread(work)
        self.notice = ("enabled" if active else "disabled") if ok else "not_found"
        await self._reload()

    password_for: str = ""
    password_error: str = ""

    @staff_event(*MANAGERS)
    def open_password(self, contact_id: str):
        self.password_for = str(contact_id) if str(contact_id).isdigit() else ""
        self.password_error = ""

    @staff_event(*MANAGERS)
    def close_password(self):
        self.password_for = ""
        self.password_error = ""

    @staff_event(*MANAGERS)
    async def set_initial_password(self, form_data: dict):
        """The password travels in the event only; it is never kept in the state."""
        v = viewer()
        contact_id = self.password_for
        password = str((form_data or {}).get("password") or "")[:1024]
        if not contact_id.isdigit():
            return

        def work():
            with session_scope() as db:
                return access.set_initial_password(db, v, int(contact_id), password)

        error = await asyncio.to_thread(work)
        if error:
            self.password_error = error
            return
        self.password_for = ""
        self.notice = "password_set"
        await self._reload()

    @staff_event(*MANAGERS)
    async def invite_all_pending(self):
        """Invite every contact who has no password and no live invitation, in chunks,
        showing progress; other users are not blocked meanwhile."""
        v = viewer()
        ids = [int(c["id"]) for c in self.contacts if c["status"] in ("none", "expired")]
        self.bulk_total, self.bulk_done = len(ids), 0
        yield
        for start in range(0, len(ids), BULK_CHUNK):
            chunk = ids[start : start + BULK_CHUNK]

            def work(chunk=chunk):
                with session_scope() as db:
                    return access.invite_contacts(db, v, chunk)

            access.send(await asyncio.to_thread(work))
            self.bulk_done = min(start + BULK_CHUNK, len(ids))
            yield
        self.notice = "bulk_done"
        await self._reload()
