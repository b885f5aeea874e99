"""Buttons and the links that look like them: "+ new" links, publish / unpublish,
the PDF links of the portal's lists and of an admin record."""

from __future__ import annotations

import reflex as rx

from pool_portal.components import style
from pool_portal.components.i18n import T


def add_link(label_key: str, href, ident: str, *, size: str = "1", icon_size: int = 14) -> rx.Component:
    """A soft "+ <label>" button that opens a new record's form."""
    return rx.link(
        rx.button(rx.icon("plus", size=icon_size), T(label_key), size=size, variant="soft"),
        href=href,
        id=ident,
    )


def publish_toggle(published, on_publish, on_unpublish, name=None) -> rx.Component:
    """ "Unpublish" while ``published``, else "Publish"; ``name`` completes the buttons'
    accessible names ("Publish D-12")."""

    def aria(key: str):
        return None if name is None else T(key) + " " + name

    return rx.cond(
        published,
        rx.button(
            T("data.remark.unpublish"),
            size="1",
            variant="soft",
            color_scheme="gray",
            on_click=on_unpublish,
            aria_label=aria("data.remark.unpublish"),
        ),
        rx.button(
            T("data.remark.publish"),
            size="1",
            variant="soft",
            on_click=on_publish,
            aria_label=aria("data.remark.publish"),
        ),
    )


def pdf_link(href, number) -> rx.Component:
    """A portal list row's PDF (opens in a new tab)."""
    return rx.link(rx.icon("file-down", size=14), " PDF", href=href, is_external=True, aria_label="PDF " + number)


def pdf_preview(href) -> rx.Component:
    """An admin record's PDF as the customer gets it (id ``record-pdf``)."""
    return rx.link(
        rx.flex(rx.icon("file-down", size=14), T("data.pdf_preview"), spacing="1", align="center"),
        href=href,
        is_external=True,
        id="record-pdf",
        size="2",
    )


def count_link(count, href, label, **props) -> rx.Component:
    """A number that opens the listing behind it (a 24 px touch target); a grey 0 when
    there is nothing to open (``count``: the number as text)."""
    return rx.cond(
        count != "0",
        rx.link(count, href=href, weight="bold", aria_label=label, style=style.TOUCH_TARGET, **props),
        rx.text("0", color_scheme="gray"),
    )
