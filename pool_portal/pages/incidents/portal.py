"""Portal incidents: report a fault (with photos), the list of the user's incidents,
and one incident's thread. Message text is shown as text, never as HTML."""

from __future__ import annotations

import reflex as rx

from pool_portal.components import badges, style, upload
from pool_portal.components.fields import dom_value, field_error
from pool_portal.components.i18n import T
from pool_portal.components.layout import back_link, portal_shell, title
from pool_portal.components.notices import missing
from pool_portal.components.pager import empty_line, page_of, pager
from pool_portal.components.selects import choice_options, code_options, dropdown
from pool_portal.components.tables import table
from pool_portal.components.thread import timeline
from pool_portal.services.incidents import common
from pool_portal.states.incidents.portal import IncidentListState, IncidentState, ReportFaultState


def photo_picker(upload_id: str) -> rx.Component:
    return rx.box(
        upload.dropzone(upload_id, "camera", "incident.photos_hint", accept=upload.IMAGES, max_files=common.MAX_PHOTOS),
        upload.selected_files(upload_id, spacing="1", wrap="wrap", margin_top="0.25rem"),
    )


def _off() -> rx.Component:
    return rx.callout(T("list.unavailable"), id="incidents-off")


def report_page() -> rx.Component:
    S = ReportFaultState
    submit = S.submit_report(
        rx.upload_files(upload_id="incident-photos"),
        dom_value("incident-site"),
        dom_value("incident-category"),
        dom_value("incident-description"),
    )
    return portal_shell(
        title("incident.report_title", margin_bottom="0.75rem"),
        rx.cond(
            S.enabled,
            rx.flex(
                field_error(S, "form"),
                rx.el.label(T("job.site"), html_for="incident-site"),
                dropdown(choice_options(S.sites), id="incident-site", style=style.SELECT_FULL),
                field_error(S, "site"),
                rx.el.label(T("incident.category"), html_for="incident-category"),
                dropdown(
                    *code_options(common.CATEGORIES, "incident.category."),
                    id="incident-category",
                    style=style.SELECT_FULL,
                ),
                field_error(S, "category"),
                rx.el.label(T("incident.description"), html_for="incident-description"),
                rx.text_area(id="incident-description", max_length=common.MAX_DESCRIPTION, rows="5"),
                rx.text(T("incident.description_hint"), size="1", color_scheme="gray"),
                field_error(S, "description"),
                rx.text(T("incident.photos"), weight="medium"),
                photo_picker("incident-photos"),
                field_error(S, "photos"),
                rx.button(T("incident.submit"), id="incident-submit", size="3", on_click=submit),
                direction="column",
                spacing="2",
                max_width="560px",
            ),
            _off(),
        ),
    )


def _status_filter(S) -> rx.Component:
    return rx.flex(
        *[
            rx.link(
                rx.cond(o == "all", T("incidents.filter.all"), T(f"incident.status.{o}")),
                href=f"/portal/incidents?status={o}",
                id=f"incidents-filter-{o}",
                weight=rx.cond(S.status == o, "bold", "regular"),
            )
            for o in ["all", *common.CUSTOMER_STATUSES]
        ],
        spacing="3",
        wrap="wrap",
        margin_bottom="0.75rem",
    )


def list_page() -> rx.Component:
    S = IncidentListState
    return portal_shell(
        rx.flex(
            title("nav.incidents"),
            rx.spacer(),
            rx.cond(
                S.enabled,
                rx.link(
                    rx.button(rx.icon("triangle-alert", size=16), T("incident.report_fault")),
                    href="/portal/incidents/new",
                    id="report-fault",
                ),
            ),
            align="center",
            margin_bottom="0.75rem",
        ),
        rx.cond(
            S.enabled,
            rx.box(
                _status_filter(S),
                table(
                    ["incident.reference", "overlay.date", "overlay.site", "incident.category", "overlay.status"],
                    S.rows,
                    cells=lambda r: [
                        rx.link(r["reference"], href="/portal/incident?id=" + r["id"]),
                        r["created"].to(str)[:16].replace("T", " "),
                        r["site"],
                        T("incident.category." + r["category"]),
                        badges.incident_status(r["status"]),
                    ],
                    id="incidents-table",
                ),
                empty_line(S, T("list.empty"), margin_top="0.5rem"),
                pager(page_of(S, "page-of"), S.prev_href, S.next_href, compact=True, only_if=S.pages > 1),
            ),
            _off(),
        ),
    )


def detail_page() -> rx.Component:
    S = IncidentState
    post = S.post_message(rx.upload_files(upload_id="reply-photos"), dom_value("reply-body"))
    return portal_shell(
        back_link("nav.incidents", "/portal/incidents"),
        rx.cond(
            S.missing,
            missing("incident.not_found", "incident-missing", margin_top="0.75rem"),
            rx.box(
                rx.flex(
                    title(S.incident["reference"], id="incident-reference"),
                    rx.cond(S.incident.contains("status"), badges.incident_status(S.incident["status"].to(str))),
                    spacing="3",
                    align="center",
                    wrap="wrap",
                    margin_y="0.5rem",
                    id="incident-status",
                ),
                rx.text(
                    S.incident["site"],
                    " · ",
                    rx.cond(
                        S.incident.contains("category"),
                        T("incident.category." + S.incident["category"].to(str)),
                        "",
                    ),
                    " · ",
                    S.incident["created"],
                    size="2",
                    color_scheme="gray",
                ),
                rx.box(timeline(S), margin_y="1rem"),
                rx.cond(
                    S.can_post,
                    rx.flex(
                        rx.el.label(T("incident.reply"), html_for="reply-body"),
                        rx.text_area(id="reply-body", max_length=common.MAX_MESSAGE, rows="3", key=S.sent.to_string()),
                        field_error(S, "body"),
                        photo_picker("reply-photos"),
                        field_error(S, "photos"),
                        field_error(S, "form"),
                        rx.button(T("incident.send"), id="reply-send", on_click=post, width="fit-content"),
                        direction="column",
                        spacing="2",
                        max_width="640px",
                    ),
                    rx.callout(T("incident.solved_closed"), id="incident-closed", color_scheme="green"),
                ),
            ),
        ),
    )
