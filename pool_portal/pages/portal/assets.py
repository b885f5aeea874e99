"""Portal assets and defects: the asset list (the tenant names the asset-id column),
one asset's card (facts, next service, its defects and its job history) and the list
of defects with their severity."""

from __future__ import annotations

import reflex as rx

from pool_portal.components import badges
from pool_portal.components.i18n import T
from pool_portal.components.layout import back_link, portal_shell, title
from pool_portal.components.lists import list_body
from pool_portal.components.notices import missing
from pool_portal.components.tables import table
from pool_portal.states.portal.records import AssetsState, DefectsState


def defects_page() -> rx.Component:
    return portal_shell(
        title("nav.defects", margin_bottom="0.75rem"),
        list_body(DefectsState, "defects", cells={"severity": lambda r: badges.severity(r["severity"])}),
    )


def _asset_label() -> rx.Var:
    """What the tenant calls an asset's id (else "Asset ID")."""
    return rx.cond(AssetsState.asset_label != "", AssetsState.asset_label, T("assets.asset_code"))


def _asset_detail() -> rx.Component:
    S = AssetsState
    d = S.detail

    def fact(text, key):
        return rx.cond(d[key].to(str) != "", rx.box(rx.text(text, size="1", color_scheme="gray"), rx.text(d[key])))

    return rx.box(
        back_link("assets.back", "/portal/assets", id="asset-back"),
        rx.heading(
            _asset_label(),
            " ",
            d["asset_code"],
            " · ",
            d["asset_type"],
            size="5",
            as_="h2",
            margin_y="0.5rem",
            id="asset-title",
        ),
        rx.grid(
            fact(T("overlay.site"), "site"),
            fact(T("assets.model"), "model"),
            fact(T("assets.serial_number"), "serial_number"),
            fact(T("assets.customer_ref"), "customer_ref"),
            fact(T("assets.location"), "location"),
            fact(T("assets.last_test_number"), "last_test_number"),
            fact(T("assets.last_test_date"), "last_test_date"),
            rx.box(
                rx.text(T("assets.next_service_due"), size="1", color_scheme="gray"),
                rx.text(
                    rx.cond(d["next_service_due"].to(str) != "", d["next_service_due"], T("assets.not_planned")),
                    weight="bold",
                    id="asset-next-due",
                ),
            ),
            columns=rx.breakpoints(initial="1", sm="2", md="4"),
            spacing="3",
        ),
        rx.cond(d["description"].to(str) != "", rx.text(d["description"], margin_top="0.5rem")),
        rx.heading(T("assets.defects"), size="4", as_="h3", margin_top="1rem"),
        rx.cond(
            S.detail_defects.length() > 0,
            table(
                ["overlay.number", "defects.raised_on", "defects.severity", "overlay.status", "overlay.title"],
                S.detail_defects,
                cells=lambda r: [
                    r["number"],
                    r["raised"],
                    badges.severity(r["severity"]),
                    T("remark." + r["status"]),
                    r["title"],
                ],
                id="asset-defects",
                variant=None,
                size="1",
                scroll=False,
            ),
            rx.text(T("assets.no_defects"), size="2"),
        ),
        rx.heading(T("assets.history"), size="4", as_="h3", margin_top="1rem"),
        rx.cond(
            S.detail_jobs.length() > 0,
            table(
                ["overlay.number", "overlay.date", "detail.kind", "overlay.status", "overlay.title"],
                S.detail_jobs,
                cells=lambda r: [
                    r["number"],
                    r["date"],
                    T("kind." + r["kind"]),
                    T("stage." + r["stage"]),
                    r["description"],
                ],
                id="asset-history",
                variant=None,
                size="1",
                scroll=False,
            ),
            rx.text(T("assets.no_history"), size="2"),
        ),
        id="asset-detail",
    )


def assets_page() -> rx.Component:
    S = AssetsState
    return portal_shell(
        title("nav.assets", margin_bottom="0.75rem"),
        rx.cond(S.detail_missing, missing("assets.not_found", "asset-missing", margin_bottom="0.75rem")),
        rx.cond(
            S.detail.contains("id"),
            _asset_detail(),
            list_body(
                S,
                "assets",
                labels={"asset_code": _asset_label()},
                cells={"asset_code": lambda r: rx.link(r["asset_code"], href="/portal/assets?id=" + r["id"])},
            ),
        ),
    )
