"""Sections: the titled groups a page is made of. A fieldset for a group of admin
settings, a section with its actions for an admin record page, a bordered box for
a part of the incident page, a card for a dashboard panel."""

from __future__ import annotations

import reflex as rx

from pool_portal.components import style
from pool_portal.components.i18n import T


def fieldset(title_key: str, *children, id: str = "") -> rx.Component:
    """A titled group of fields (a fieldset, so screen readers announce the title)."""
    return rx.el.fieldset(
        rx.el.legend(T(title_key), style=style.LEGEND),
        rx.flex(*children, direction="column", spacing="2"),
        id=id or None,
        style=style.FIELDSET,
    )


def section(title_key: str, *children, ident: str, actions: list | None = None) -> rx.Component:
    """A part of an admin record page: its title (h2) with ``actions`` on the right."""
    return rx.el.section(
        rx.flex(
            rx.heading(T(title_key), size="4", as_="h2"),
            rx.spacer(),
            *(actions or []),
            align="center",
            spacing="3",
            wrap="wrap",
            margin_bottom="0.5rem",
        ),
        *children,
        id=ident,
        aria_label=T(title_key),
        style=style.SECTION,
    )


def box(title_key: str, *children) -> rx.Component:
    """A bordered part of a page with a small title (the incident page's side boxes)."""
    return rx.box(
        rx.heading(T(title_key), size="3", as_="h2", margin_bottom="0.4rem"),
        *children,
        padding="0.75rem",
        border="1px solid var(--gray-5)",
        border_radius="8px",
    )


def panel(title_key: str, panel_id: str, *children, **props) -> rx.Component:
    """A dashboard panel: a card with its title (h2)."""
    return rx.card(
        rx.heading(T(title_key), size="4", as_="h2", margin_bottom="0.5rem"),
        *children,
        id=panel_id,
        width="100%",
        **props,
    )
