"""Portal home: the overlay over the dashboard, the listing behind a number (quotes,
invoices, defects of a property...), a property's detail and the search results. Its
state is the URL (?show=...), so Back closes it and a copied link opens it again; X
and Escape close it too."""

from __future__ import annotations

import reflex as rx

from pool_portal.components import overlay
from pool_portal.components.i18n import T
from pool_portal.components.tables import table
from pool_portal.components.upload import download_list
from pool_portal.states.portal.home import PortalHomeState as S


def search_results() -> rx.Component:
    return rx.box(
        rx.text(T("search.for"), " “", S.search_text, "”", color_scheme="gray", size="2"),
        rx.cond(
            S.search_hits.length() > 0,
            table(
                ["search.kind", "overlay.title", "search.detail", "overlay.site"],
                S.search_hits,
                cells=lambda h: [
                    T("search.kind." + h["kind"]),
                    h["title"],
                    rx.cond(h["detail_key"] != "", T(h["detail_key"]), h["detail"]),
                    rx.link(h["site"], href="/portal?show=property&site=" + h["site_id"]),
                ],
                id="search-results",
                variant=None,
                size="1",
                width=None,
                margin_top="0.5rem",
            ),
            rx.text(T("search.none"), id="search-none", margin_top="0.5rem"),
        ),
    )


def property_detail() -> rx.Component:
    return rx.box(
        rx.text(S.detail_address, color_scheme="gray", size="2"),
        rx.heading(T("detail.assets"), size="3", as_="h3", margin_top="0.75rem"),
        table(
            ["detail.asset_id", "detail.type", "detail.model", "detail.last_test", "detail.next_due"],
            S.detail_assets,
            cells=lambda r: [r["code"], r["type"], r["model"], r["last_test"], r["next_due"]],
            id="detail-assets",
            variant=None,
            size="1",
            width=None,
        ),
        rx.heading(T("detail.tasks"), size="3", as_="h3", margin_top="0.75rem"),
        table(
            ["overlay.number", "detail.kind", "overlay.status", "overlay.date", "overlay.title"],
            S.detail_tasks,
            cells=lambda r: [
                r["number"],
                T("kind." + r["kind"]),
                T("stage." + r["stage"]),
                r["date"],
                r["description"],
            ],
            id="detail-tasks",
            variant=None,
            size="1",
            width=None,
        ),
        rx.heading(T("detail.files"), size="3", as_="h3", margin_top="0.75rem"),
        download_list(S.detail_documents, "detail-files", "detail.no_files"),
    )


def _defects_filter() -> rx.Component:
    return rx.form(
        rx.flex(
            rx.input(
                name="q",
                default_value=S.overlay_filter,
                placeholder=T("defects.filter"),
                aria_label=T("defects.filter"),
                id="defects-filter",
                width="100%",
            ),
            rx.button(T("search.go"), type="submit"),
            spacing="2",
            margin_top="0.5rem",
        ),
        on_submit=S.filter_defects,
        reset_on_submit=False,
    )


def _listing() -> rx.Component:
    """The rows behind a number (a quote's or invoice's number opens its PDF)."""
    return table(
        [f"overlay.{h}" for h in ("number", "site", "title", "date", "status", "amount")],
        S.overlay_rows,
        cells=lambda r: [
            rx.cond(
                (r["doc"] == "quote") | (r["doc"] == "invoice"),
                rx.link(
                    r["number"],
                    href="/files/" + r["doc"] + "/" + r["id"],
                    aria_label=T("overlay.pdf") + " " + r["number"],
                ),
                r["number"],
            ),
            r["site"],
            r["title"],
            r["date"],
            T(r["status_key"]),
            r["amount"],
        ],
        id="overlay-table",
        variant=None,
        size="1",
        width=None,
        margin_top="0.75rem",
        display=rx.cond((S.overlay == "property") | (S.overlay == "search"), "none", "block"),
    )


def listing_overlay() -> rx.Component:
    """The listing behind a number, or a property's detail, or the search results."""
    return overlay.sheet(
        rx.cond(S.overlay == "property", S.detail_name, T("overlay.kind." + S.overlay)),
        rx.cond(S.overlay == "property", property_detail(), rx.fragment()),
        rx.cond(S.overlay == "search", search_results(), rx.fragment()),
        rx.cond(S.overlay == "defects", _defects_filter(), rx.fragment()),
        _listing(),
        rx.cond(
            (S.overlay_rows.length() == 0) & (S.overlay != "property") & (S.overlay != "search"),
            rx.text(T("overlay.empty")),
        ),
        on_close=S.close_overlay(False),
        close_id="overlay-close",
        open=S.overlay != "",
        on_open_change=S.close_overlay,
        max_width="900px",
        id="overlay",
    )
