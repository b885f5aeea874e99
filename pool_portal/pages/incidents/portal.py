"""Portal incidents: report a fault (with photos), the list of the user's incidents,
and one incident's thread. Message text is shown as text, never as HTML."""

from __future__ import annotations

import reflex as rx

from pool_portal.components.forms import field_error
from pool_portal.components.i18n import T
from pool_portal.components.layout import portal_shell
from pool_portal.presentation import palette
from pool_portal.services.incidents import common
from pool_portal.states.incidents.portal import IncidentListState, IncidentState, ReportFaultState

SELECT_STYLE = {"padding": "0.4rem", "border_radius": "6px", "border": "1px solid var(--gray-7)", "width": "100%"}
IMAGE_TYPES = {"image/jpeg": [".jpg", ".jpeg"], "image/png": [".png"], "image/webp": [".webp"]}
STATUS_COLOURS = palette.INCIDENT_STATUS_SCHEME


def dom_value(element_id: str) -> rx.Var:
    """The current value of a form field, read in the browser when the event fires (so
    the fields travel with the upload, without a round trip per keystroke)."""
    return rx.Var(f"(document.getElementById('{element_id}')?.value ?? '')", _var_type=str)


def status_badge(state, status) -> rx.Component:
    return rx.badge(
        state.tr["incident.status." + status].to(str),
        color_scheme=rx.match(status, *STATUS_COLOURS.items(), "gray"),
        variant="soft",
        size="2",
    )


def photo_picker(upload_id: str) -> rx.Component:
    return rx.box(
        rx.upload(
            rx.flex(
                rx.icon("camera", size=18), rx.text(T("incident.photos_hint"), size="2"), spacing="2", align="center"
            ),
            id=upload_id,
            multiple=True,
            accept=IMAGE_TYPES,
            max_files=common.MAX_PHOTOS,
            border="1px dashed var(--gray-8)",
            padding="0.75rem",
            border_radius="8px",
        ),
        rx.flex(
            rx.foreach(rx.selected_files(upload_id), lambda f: rx.badge(f, variant="outline")),
            spacing="1",
            wrap="wrap",
            margin_top="0.25rem",
            id=f"{upload_id}-selected",
        ),
    )


def report_page() -> rx.Component:
    S = ReportFaultState
    submit = S.submit_report(
        rx.upload_files(upload_id="incident-photos"),
        dom_value("incident-site"),
        dom_value("incident-category"),
        dom_value("incident-description"),
    )
    return portal_shell(
        rx.heading(T("incident.report_title"), size="6", as_="h1", margin_bottom="0.75rem"),
        rx.cond(
            S.enabled,
            rx.flex(
                field_error(S, "form"),
                rx.el.label(T("job.site"), html_for="incident-site"),
                rx.el.select(
                    rx.foreach(S.sites, lambda s: rx.el.option(s[1], value=s[0])),
                    id="incident-site",
                    style=SELECT_STYLE,
                ),
                field_error(S, "site"),
                rx.el.label(T("incident.category"), html_for="incident-category"),
                rx.el.select(
                    *[rx.el.option(T(f"incident.category.{c}"), value=c) for c in common.CATEGORIES],
                    id="incident-category",
                    style=SELECT_STYLE,
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
            rx.callout(T("list.unavailable"), id="incidents-off"),
        ),
    )


def pager(S) -> rx.Component:
    """Previous / page N of M / next, for a list state with page, pages and the two hrefs."""
    return rx.cond(
        S.pages > 1,
        rx.flex(
            rx.cond(S.prev_href != "", rx.link("‹ ", T("list.previous"), href=S.prev_href, id="page-prev")),
            rx.text(S.page.to_string(), " / ", S.pages.to_string(), size="2", id="page-of"),
            rx.cond(S.next_href != "", rx.link(T("list.next"), " ›", href=S.next_href, id="page-next")),
            spacing="3",
            align="center",
            margin_top="0.5rem",
        ),
    )


def list_page() -> rx.Component:
    S = IncidentListState
    options = ["all", *common.CUSTOMER_STATUSES]
    return portal_shell(
        rx.flex(
            rx.heading(T("nav.incidents"), size="6", as_="h1"),
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
                rx.flex(
                    *[
                        rx.link(
                            rx.cond(o == "all", T("incidents.filter.all"), T(f"incident.status.{o}")),
                            href=f"/portal/incidents?status={o}",
                            id=f"incidents-filter-{o}",
                            weight=rx.cond(S.status == o, "bold", "regular"),
                        )
                        for o in options
                    ],
                    spacing="3",
                    wrap="wrap",
                    margin_bottom="0.75rem",
                ),
                rx.box(
                    rx.table.root(
                        rx.table.header(
                            rx.table.row(
                                *[
                                    rx.table.column_header_cell(T(k))
                                    for k in (
                                        "incident.reference",
                                        "overlay.date",
                                        "overlay.site",
                                        "incident.category",
                                        "overlay.status",
                                    )
                                ]
                            )
                        ),
                        rx.table.body(
                            rx.foreach(
                                S.rows,
                                lambda r: rx.table.row(
                                    rx.table.cell(rx.link(r["reference"], href="/portal/incident?id=" + r["id"])),
                                    rx.table.cell(r["created"].to(str)[:16].replace("T", " ")),
                                    rx.table.cell(r["site"]),
                                    rx.table.cell(S.tr["incident.category." + r["category"]].to(str)),
                                    rx.table.cell(status_badge(S, r["status"])),
                                ),
                            )
                        ),
                        id="incidents-table",
                        width="100%",
                        variant="surface",
                    ),
                    overflow_x="auto",
                ),
                rx.cond(S.loaded & (S.total == 0), rx.text(T("list.empty"), id="list-empty", margin_top="0.5rem")),
                pager(S),
            ),
            rx.callout(T("list.unavailable"), id="incidents-off"),
        ),
    )


def photo_strip(photos) -> rx.Component:
    return rx.cond(
        photos != "",
        rx.flex(
            rx.foreach(
                photos.to(str).split(","),
                lambda pid: rx.link(
                    rx.image(
                        src="/files/incident-photo/" + pid + "?size=thumb",
                        alt=T("incident.photo"),
                        width="96px",
                        height="96px",
                        object_fit="cover",
                        border_radius="6px",
                        loading="lazy",
                    ),
                    href="/files/incident-photo/" + pid,
                    is_external=True,
                ),
            ),
            spacing="2",
            wrap="wrap",
            margin_top="0.4rem",
        ),
    )


def timeline(state, staff: bool = False) -> rx.Component:
    def entry(e):
        resolution = e["kind"] == "resolution"
        label = rx.cond(
            resolution,
            T("incident.closure"),
            rx.cond(
                e["internal"] != "",
                T("incident.internal_note"),
                rx.cond(
                    e["author"] == "CLIENT",
                    rx.cond(e["name"] != "", e["name"], T("incident.you")),
                    rx.cond(e["name"] != "", e["name"], T("incident.team")),
                ),
            ),
        )
        return rx.box(
            rx.flex(
                rx.text(label, weight="bold", size="2"),
                rx.text(e["at"], size="1", color_scheme="gray"),
                spacing="2",
                align="baseline",
            ),
            # Plain text: the body is never rendered as HTML.
            rx.text(e["body"], white_space="pre-wrap", size="2"),
            photo_strip(e["photos"]),
            padding="0.6rem 0.8rem",
            border_radius="8px",
            background=rx.cond(
                resolution,
                "var(--green-3)",
                rx.cond(
                    e["internal"] != "",
                    "var(--amber-3)",
                    rx.cond(e["author"] == "CLIENT", "var(--gray-3)", "var(--accent-3)"),
                ),
            ),
            class_name=rx.cond(e["internal"] != "", "thread-entry internal", "thread-entry"),
        )

    return rx.flex(rx.foreach(state.thread, entry), direction="column", spacing="2", id="thread", aria_live="polite")


def detail_page() -> rx.Component:
    S = IncidentState
    post = S.post_message(rx.upload_files(upload_id="reply-photos"), dom_value("reply-body"))
    return portal_shell(
        rx.link("‹ ", T("nav.incidents"), href="/portal/incidents"),
        rx.cond(
            S.missing,
            rx.callout(T("incident.not_found"), id="incident-missing", margin_top="0.75rem"),
            rx.box(
                rx.flex(
                    rx.heading(S.incident["reference"], size="6", as_="h1", id="incident-reference"),
                    rx.cond(S.incident.contains("status"), status_badge(S, S.incident["status"].to(str))),
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
                        S.tr["incident.category." + S.incident["category"].to(str)].to(str),
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
