"""Admin home: the tenant's clients (not for technicians) and the visits to come."""

from __future__ import annotations

import reflex as rx

from pool_portal.components.i18n import T
from pool_portal.components.layout import admin_shell, title
from pool_portal.components.tables import table
from pool_portal.states.staff.home import AdminHomeState


def _visits() -> rx.Component:
    return rx.box(
        rx.flex(
            rx.heading(T("admin.visits.title"), size="5", as_="h2"),
            rx.link(T("data.visits.open"), href="/admin/visits", size="2", id="visits-open"),
            spacing="3",
            align="center",
            margin_y="0.75rem",
        ),
        rx.cond(
            AdminHomeState.visits.length() > 0,
            table(
                ["admin.visits.site", "admin.visits.when", "admin.visits.status"],
                AdminHomeState.visits,
                cells=lambda row: [row["site"], row["when"], T(f"visit.status.{row['status']}")],
                id="visits-table",
            ),
            rx.text(T("admin.visits.empty")),
        ),
    )


def _clients() -> rx.Component:
    return rx.box(
        title("admin.clients.title", margin_bottom="0.75rem"),
        rx.cond(
            AdminHomeState.clients.length() > 0,
            table(
                ["admin.clients.name", "admin.clients.sites", "admin.clients.contacts", "admin.clients.open_incidents"],
                AdminHomeState.clients,
                cells=lambda row: [row["name"], row["sites"], row["contacts"], row["open_incidents"]],
                id="clients-table",
            ),
            rx.cond(
                AdminHomeState.loaded,
                rx.text(T("admin.clients.empty")),
                rx.text(T("common.loading")),
            ),
        ),
    )


def admin_home() -> rx.Component:
    return admin_shell(
        rx.cond(AdminHomeState.role == "TECHNICIAN", rx.fragment(), _clients()),
        _visits(),
    )
