"""Admin → Data: the index, a card per list (sites, jobs, visits, quotes, invoices,
reports, remarks) with its count."""

from __future__ import annotations

import reflex as rx

from pool_portal.components.i18n import T
from pool_portal.components.layout import admin_shell, title
from pool_portal.states.staff.data_lists import DataIndexState

INDEX = (  # (list, title key, description key)
    ("sites", "data.sites.title", "data.sites.about"),
    ("jobs", "data.jobs.title", "data.jobs.about"),
    ("visits", "data.visits.title", "data.visits.about"),
    ("quotes", "data.quotes.title", "data.quotes.about"),
    ("invoices", "data.invoices.title", "data.invoices.about"),
    ("reports", "data.reports.title", "data.reports.about"),
    ("remarks", "data.remarks.title", "data.remarks.about"),
)


def index_page() -> rx.Component:
    S = DataIndexState
    cards = [
        rx.link(
            rx.card(
                rx.flex(
                    rx.heading(T(title_key), size="4", as_="h2"),
                    rx.badge(S.counts.get(kind, "…"), variant="soft", size="2"),
                    justify="between",
                    align="center",
                ),
                rx.text(T(about), size="2", color_scheme="gray", margin_top="0.25rem"),
            ),
            href=f"/admin/{kind}",
            id=f"data-{kind}",
            underline="none",
        )
        for kind, title_key, about in INDEX
    ]
    return admin_shell(
        title("data.title", margin_bottom="0.25rem"),
        rx.text(T("data.about"), size="2", color_scheme="gray", margin_bottom="0.75rem"),
        rx.grid(*cards, columns=rx.breakpoints(initial="1", sm="2", md="3"), spacing="3"),
    )
