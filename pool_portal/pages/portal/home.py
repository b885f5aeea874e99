"""Portal home: the signed-in user's properties."""

from __future__ import annotations

import reflex as rx

from pool_portal.components.i18n import T
from pool_portal.components.layout import data_table, portal_shell
from pool_portal.states.portal import PortalHomeState


def portal_home() -> rx.Component:
    return portal_shell(
        rx.heading(T("portal.properties.title"), size="6", as_="h1", margin_bottom="0.75rem"),
        rx.cond(
            PortalHomeState.properties.length() > 0,
            data_table(
                [
                    ("portal.properties.name", "name"),
                    ("portal.properties.address", "address"),
                    ("portal.properties.client", "client"),
                    ("portal.properties.assets", "assets"),
                ],
                PortalHomeState.properties,
                "properties-table",
            ),
            rx.cond(
                PortalHomeState.loaded,
                rx.text(T("portal.properties.empty"), id="properties-empty"),
                rx.text(T("common.loading")),
            ),
        ),
    )
