"""Admin home: the tenant's clients."""

from __future__ import annotations

import reflex as rx

from pool_portal.components.i18n import T
from pool_portal.components.layout import admin_shell, data_table
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
            data_table(
                [
                    ("admin.visits.site", "site"),
                    ("admin.visits.when", "when"),
                    ("admin.visits.status", "status", "visit.status."),
                ],
                AdminHomeState.visits,
                "visits-table",
            ),
            rx.text(T("admin.visits.empty")),
        ),
    )


def _clients() -> rx.Component:
    return rx.box(
        rx.heading(T("admin.clients.title"), size="6", as_="h1", margin_bottom="0.75rem"),
        rx.cond(
            AdminHomeState.clients.length() > 0,
            data_table(
                [
                    ("admin.clients.name", "name"),
                    ("admin.clients.sites", "sites"),
                    ("admin.clients.contacts", "contacts"),
                    ("admin.clients.open_incidents", "open_incidents"),
                ],
                AdminHomeState.clients,
                "clients-table",
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
