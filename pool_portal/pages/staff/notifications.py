"""Admin → Notifications: what the bell counts, newest first; opening one marks it read
and goes to what it is about."""

from __future__ import annotations

import reflex as rx

from pool_portal.components.i18n import T
from pool_portal.components.layout import admin_shell, title
from pool_portal.components.pager import empty_line, page_of, pager
from pool_portal.states.staff.notifications import NotificationsState


def _row(n) -> rx.Component:
    S = NotificationsState
    unread = n["read"] == ""
    return rx.box(
        rx.flex(
            rx.cond(unread, rx.badge(T("notifications.new"), color_scheme="red")),
            rx.text(T("notification.kind." + n["kind"]), size="1", color="var(--gray-11)"),
            rx.text(n["when"], size="1", color="var(--gray-11)"),
            spacing="2",
            align="center",
            wrap="wrap",
        ),
        rx.text(n["title"], weight=rx.cond(unread, "bold", "regular"), size="3"),
        rx.cond(n["body"] != "", rx.text(n["body"], size="2", white_space="pre-wrap")),
        rx.cond(
            n["has_link"] != "",
            rx.button(
                T("notifications.open"),
                size="1",
                variant="soft",
                on_click=S.open_notification(n["id"]),
                id="notification-open-" + n["id"],
            ),
            rx.cond(
                unread,
                rx.button(
                    T("notifications.mark_read"),
                    size="1",
                    variant="soft",
                    on_click=S.open_notification(n["id"]),
                    id="notification-read-" + n["id"],
                ),
            ),
        ),
        padding="0.6rem 0.75rem",
        border="1px solid var(--gray-5)",
        border_radius="8px",
        background=rx.cond(unread, "var(--accent-2)", "transparent"),
        class_name="notification",
        margin_bottom="0.5rem",
    )


def _page_href(S, page) -> rx.Var:
    return "/admin/notifications?page=" + page.to_string() + rx.cond(S.unread_only, "&unread=1", "")


def notifications_page() -> rx.Component:
    S = NotificationsState
    return admin_shell(
        title("nav.notifications", margin_bottom="0.75rem"),
        rx.flex(
            rx.link(
                T("notifications.all"),
                href="/admin/notifications",
                id="notifications-all",
                weight=rx.cond(S.unread_only, "regular", "bold"),
            ),
            rx.link(
                T("notifications.unread"),
                " (",
                S.unread.to_string(),
                ")",
                href="/admin/notifications?unread=1",
                id="notifications-unread",
                weight=rx.cond(S.unread_only, "bold", "regular"),
            ),
            rx.cond(
                S.unread > 0,
                rx.button(
                    T("notifications.mark_all_read"),
                    size="1",
                    variant="outline",
                    on_click=S.mark_all_read,
                    id="notifications-mark-all",
                ),
            ),
            spacing="4",
            align="center",
            wrap="wrap",
            margin_bottom="0.75rem",
        ),
        rx.cond(S.missing, rx.callout(T("notifications.missing"), color_scheme="amber", role="alert")),
        rx.box(rx.foreach(S.rows, _row), id="notifications-list"),
        empty_line(S, T("notifications.empty")),
        pager(
            page_of(S),
            _page_href(S, S.page - 1),
            _page_href(S, S.page + 1),
            has_prev=S.page > 1,
            has_next=S.page < S.pages,
            compact=True,
        ),
    )
