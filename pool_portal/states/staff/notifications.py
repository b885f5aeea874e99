"""Admin → Notifications: the caller's own notifications (what the bell counts)."""

from __future__ import annotations

import asyncio

import reflex as rx

from pool_portal.db import session_scope
from pool_portal.services.core.params import parse_id, parse_page
from pool_portal.services.core.roles import ANY_STAFF
from pool_portal.services.portal import branding
from pool_portal.services.staff import notifications as staff_notifications
from pool_portal.states.guard import staff_event, viewer
from pool_portal.states.shell import AppState


class NotificationsState(AppState):
    rows: list[dict[str, str]] = []
    total: int = 0
    unread: int = 0
    page: int = 1
    pages: int = 1
    unread_only: bool = False
    loaded: bool = False
    missing: bool = False

    def _on_refused(self) -> None:
        super()._on_refused()
        self.rows, self.total, self.unread, self.loaded = [], 0, 0, False

    async def _load(self, unread_only: bool, page: int) -> None:
        v = viewer()

        def work():
            with session_scope() as db:
                return branding.tenant_branding(db, v), staff_notifications.list_for(
                    db, v, unread_only=unread_only, page=page
                )

        (name, colour), result = await asyncio.to_thread(work)
        self._apply_identity(v, name, colour)
        self.rows, self.total, self.unread = result["rows"], result["total"], result["unread"]
        self.page, self.pages, self.unread_only = result["page"], result["pages"], unread_only
        self.loaded = True

    @staff_event(ANY_STAFF)
    async def load_notifications(self):
        params = self.router.url.query_parameters
        self.missing = False
        await self._load(str(params.get("unread", "")) == "1", parse_page(params.get("page")))

    @staff_event(ANY_STAFF)
    async def open_notification(self, notification_id: str):
        """Mark it read and go to its page (or stay here when it has none)."""
        nid = parse_id(notification_id)
        v = viewer()

        def work():
            with session_scope() as db:
                return staff_notifications.open_one(db, v, nid) if nid is not None else None

        link = await asyncio.to_thread(work)
        if link is None:
            self.missing = True
            return None
        if link:
            return rx.redirect(link)
        await self._load(self.unread_only, self.page)
        return None

    @staff_event(ANY_STAFF)
    async def mark_all_read(self):
        v = viewer()

        def work():
            with session_scope() as db:
                return staff_notifications.mark_all_read(db, v)

        await asyncio.to_thread(work)
        await self._load(self.unread_only, 1)
