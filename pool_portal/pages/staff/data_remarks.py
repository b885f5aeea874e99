"""Admin → Data → Remarks: every defect and observation of the tenant's properties,
filtered by severity, status and whether the portal shows it; publish one, or every
remark the filter shows at once after a confirmation."""

from __future__ import annotations

import reflex as rx

from pool_portal.components import badges
from pool_portal.components.buttons import publish_toggle
from pool_portal.components.i18n import T
from pool_portal.components.lists import data_list_page
from pool_portal.components.selects import enum_codes
from pool_portal.components.tables import coded
from pool_portal.components.toolbar import filter_select
from pool_portal.models import RemarkStatus, Severity
from pool_portal.states.staff.data_lists import RemarksListState


def _bulk(S) -> rx.Component:
    """Publish or unpublish every remark the filter shows (all pages), after a confirmation."""
    return rx.flex(
        rx.cond(
            S.confirm == "",
            rx.flex(
                rx.button(
                    T("data.bulk.publish_all"),
                    size="2",
                    on_click=S.ask_bulk("publish"),
                    id="bulk-publish",
                    disabled=S.total == 0,
                ),
                rx.button(
                    T("data.bulk.unpublish_all"),
                    size="2",
                    variant="soft",
                    color_scheme="gray",
                    on_click=S.ask_bulk("unpublish"),
                    id="bulk-unpublish",
                    disabled=S.total == 0,
                ),
                spacing="2",
                wrap="wrap",
            ),
            rx.callout(
                rx.flex(
                    rx.text(
                        rx.cond(
                            S.confirm == "publish", T("data.bulk.confirm_publish"), T("data.bulk.confirm_unpublish")
                        ),
                        " (",
                        S.total.to_string(),
                        " ",
                        T("list.items"),
                        ")",
                    ),
                    rx.button(
                        T("data.bulk.yes"), size="1", id="bulk-confirm", on_click=S.bulk_publish(S.confirm == "publish")
                    ),
                    rx.button(T("common.cancel"), size="1", variant="soft", on_click=S.ask_bulk("")),
                    spacing="2",
                    align="center",
                    wrap="wrap",
                ),
                color_scheme="amber",
                role="alertdialog",
            ),
        ),
        rx.cond(
            (S.notice == "data.bulk.published") | (S.notice == "data.bulk.unpublished"),
            rx.text(S.bulk_count.to_string(), " ", T(S.notice), id="bulk-result", role="status", size="2"),
        ),
        direction="column",
        spacing="2",
        margin_bottom="0.75rem",
    )


def remarks_page() -> rx.Component:
    S = RemarksListState
    return data_list_page(
        S,
        "remarks",
        "data.remarks.title",
        [
            "overlay.number",
            "defects.raised_on",
            "overlay.site",
            "assets.asset_code",
            "defects.severity",
            "overlay.status",
            "overlay.title",
            "data.remark.published",
            "data.actions",
        ],
        lambda r: [
            rx.link(r["number"], href="/admin/site?id=" + r["site_id"] + "&remark=" + r["id"] + "#remark-form"),
            r["raised"],
            r["site"],
            r["asset"],
            coded("severity.", r["severity"]),
            coded("remark.", r["status"]),
            r["title"],
            badges.yes_no(r["published"] != ""),
            publish_toggle(
                r["published"] != "", S.set_published(r["id"], True), S.set_published(r["id"], False), r["number"]
            ),
        ],
        filter_select(
            S, "remarks", "severity", "data.filter.any_severity", codes=enum_codes(Severity), code_prefix="severity."
        ),
        filter_select(
            S, "remarks", "status", "data.filter.any_status", codes=enum_codes(RemarkStatus), code_prefix="remark."
        ),
        filter_select(
            S, "remarks", "published", "data.filter.any_published", codes=("yes", "no"), code_prefix="data.published."
        ),
        intro=_bulk(S),
    )
