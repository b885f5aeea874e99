"""Admin → Notifications: the caller's own notifications (what the bell counts)."""

from __future__ import annotations

import reflex as rx

from pool_portal.presentation import admin as show
from pool_portal.services.core.params import parse_id, parse_page
from pool_portal.services.core.roles import ANY_STAFF
from pool_portal.services.staff import notifications as staff_notifications
from pool_portal.states.guard import staff_event, viewer
from pool_portal.states.shell import StaffPage, call


class NotificationsState(StaffPage):
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
        v = await self._load_shell()
        result = await call(staff_notifications.list_for, v, unread_only=unread_only, page=page)
        self.rows, self.total, self.unread = show.notification_rows(result), result.total, result.unread
        self.page, self.pages, self.unread_only = result.page, result.pages, unread_only
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
        link = None if nid is None else await call(staff_notifications.open_one, viewer(), nid)
        if link is None:
            self.missing = True
            return None
        if link:
            return rx.redirect(link)
        await self._load(self.unread_only, self.page)
        return None

    @staff_event(ANY_STAFF)
    async def mark_all_read(self):
        await call(staff_notifications.mark_all_read, viewer())
        await self._load(self.unread_only, 1)
