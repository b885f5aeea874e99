"""Admin → Incidents: the history (filters in the URL) and one incident's handling:
classification, tasks, the visit, internal notes versus replies to the portal, solve
with resolution notes, reopen."""

from __future__ import annotations

import reflex as rx

from pool_portal.components import badges, sections, style
from pool_portal.components.fields import dom_value, field_error
from pool_portal.components.i18n import T
from pool_portal.components.layout import admin_shell, back_link, title
from pool_portal.components.notices import missing, notice
from pool_portal.components.pager import empty_line, page_of, pager
from pool_portal.components.selects import blank_option, choice_options, code_options, dropdown
from pool_portal.components.tables import table
from pool_portal.components.thread import timeline
from pool_portal.components.toolbar import bar, go_button, search_input, submit_on_change
from pool_portal.services.incidents import common
from pool_portal.states.incidents.staff import AdminIncidentsState, AdminIncidentState

FILTERS_FORM = "admin-incidents-form"


def _filter(name: str, label_key: str, value, *options) -> rx.Component:
    return dropdown(
        *options,
        name=name,
        id=f"admin-incidents-{name}",
        value=value,
        style=style.SELECT_COMPACT,
        aria_label=T(label_key),
        on_change=submit_on_change(FILTERS_FORM),
    )


def _filters() -> rx.Component:
    S = AdminIncidentsState
    return bar(
        _filter(
            "status",
            "overlay.status",
            S.status,
            blank_option("incidents.filter.all"),
            rx.el.option(T("incidents.filter.open"), value="OPEN"),
            *code_options(common.CUSTOMER_STATUSES, "incident.status."),
        ),
        _filter(
            "category",
            "incident.category",
            S.category,
            blank_option("incidents.filter.any_category"),
            *code_options(common.CATEGORIES, "incident.category."),
        ),
        _filter(
            "client",
            "incidents.client",
            S.client,
            blank_option("incidents.filter.any_client"),
            choice_options(S.clients),
        ),
        _filter("site", "overlay.site", S.site, blank_option("incidents.filter.any_site"), choice_options(S.sites)),
        search_input("admin-incidents-q", S.text, "q-" + S.text, "incidents.search"),
        go_button(),
        action="/admin/incidents",
        form_id=FILTERS_FORM,
    )


def history_page() -> rx.Component:
    S = AdminIncidentsState
    return admin_shell(
        title("incidents.history", margin_bottom="0.75rem"),
        _filters(),
        table(
            [
                "incident.reference",
                "overlay.date",
                "incidents.client",
                "overlay.site",
                "incident.category",
                "incident.priority",
                "overlay.status",
            ],
            S.rows,
            cells=lambda r: [
                rx.link(r["reference"], href="/admin/incident?id=" + r["id"]),
                r["created"].to(str)[:16].replace("T", " "),
                r["client"],
                r["site"],
                T("incident.category." + r["category"]),
                T("incident.priority." + r["priority"]),
                badges.incident_status(r["status"]),
            ],
            id="admin-incidents-table",
        ),
        empty_line(S, T("list.empty"), margin_top="0.5rem"),
        rx.text(S.total.to_string(), " ", T("list.items"), size="2", margin_top="0.5rem", id="page-info"),
        pager(page_of(S, "page-of"), S.prev_href, S.next_href, compact=True, only_if=S.pages > 1),
    )


def _classify(S, i) -> rx.Component:
    return rx.form(
        rx.flex(
            dropdown(
                *code_options(common.CATEGORIES, "incident.category."),
                name="category",
                default_value=i["category"].to(str),
                key="cat-" + i["category"].to(str),
                style=style.SELECT_COMPACT,
                aria_label=T("incident.category"),
            ),
            dropdown(
                *code_options(common.PRIORITIES, "incident.priority."),
                name="priority",
                default_value=i["priority"].to(str),
                key="pri-" + i["priority"].to(str),
                style=style.SELECT_COMPACT,
                aria_label=T("incident.priority"),
            ),
            rx.button(T("incident.admin.save"), type="submit", size="1", id="classify-save"),
            spacing="2",
            align="center",
            wrap="wrap",
        ),
        on_submit=S.classify,
        reset_on_submit=False,
    )


def _tasks(S) -> rx.Component:
    return rx.box(
        rx.foreach(
            S.tasks,
            lambda t: rx.flex(
                rx.checkbox(
                    checked=t["done"] != "",
                    on_change=lambda checked: S.toggle_task(t["id"], checked),
                    aria_label=t["title"],
                ),
                rx.text(t["title"], text_decoration=rx.cond(t["done"] != "", "line-through", "none"), size="2"),
                spacing="2",
                align="center",
            ),
        ),
        rx.form(
            rx.flex(
                rx.input(
                    name="title",
                    id="task-title",
                    max_length=common.MAX_TASK_TITLE,
                    placeholder=T("incident.admin.task_placeholder"),
                    key="task-" + S.sent.to_string(),
                ),
                rx.button(T("incident.admin.add_task"), type="submit", size="1", id="task-add"),
                spacing="2",
            ),
            on_submit=S.add_task,
            reset_on_submit=True,
            margin_top="0.4rem",
        ),
        field_error(S, "title"),
    )


def _visit(S) -> rx.Component:
    return rx.box(
        rx.foreach(
            S.visits,
            lambda vi: rx.text(T("visit.status." + vi["status"]), " ", vi["when"], " ", vi["technician"], size="2"),
        ),
        rx.form(
            rx.flex(
                rx.input(type="date", name="date", id="visit-date", size="1"),
                dropdown(
                    choice_options(S.technicians),
                    name="technician",
                    id="visit-technician",
                    style=style.SELECT_COMPACT,
                    aria_label=T("incident.admin.technician"),
                ),
                rx.button(T("incident.admin.schedule"), type="submit", size="1", id="visit-schedule"),
                spacing="2",
                align="center",
                wrap="wrap",
            ),
            on_submit=S.schedule,
            reset_on_submit=False,
            margin_top="0.4rem",
        ),
        field_error(S, "date"),
        field_error(S, "technician"),
    )


def _reply(S) -> rx.Component:
    """A reply to the portal (the form's submit) or an internal note (the body read in
    the browser)."""
    return rx.form(
        rx.flex(
            rx.el.label(T("incident.admin.message"), html_for="admin-reply"),
            rx.text_area(
                name="body",
                id="admin-reply",
                rows="3",
                max_length=common.MAX_MESSAGE,
                key="reply-" + S.sent.to_string(),
            ),
            field_error(S, "body"),
            rx.flex(
                rx.button(
                    T("incident.admin.send_portal"), type="submit", name="internal", value="0", id="reply-portal"
                ),
                rx.button(
                    T("incident.admin.internal_note"),
                    type="button",
                    variant="soft",
                    color_scheme="amber",
                    id="reply-internal",
                    on_click=S.reply({"body": dom_value("admin-reply"), "internal": "1"}),
                ),
                spacing="2",
                wrap="wrap",
            ),
            direction="column",
            spacing="2",
        ),
        on_submit=S.reply,
        reset_on_submit=False,
    )


def _solve(S, i) -> rx.Component:
    return rx.cond(
        i["state"].to(str) == "SOLVED",
        rx.flex(
            rx.text(T("incident.admin.solved_with"), " ", i["resolution"], size="2"),
            rx.button(T("incident.admin.reopen"), on_click=S.reopen, variant="soft", id="incident-reopen"),
            direction="column",
            spacing="2",
        ),
        rx.form(
            rx.flex(
                rx.el.label(T("incident.admin.resolution"), html_for="resolution"),
                rx.text_area(name="resolution", id="resolution", rows="2", max_length=common.MAX_RESOLUTION),
                field_error(S, "resolution_note"),
                rx.button(T("incident.admin.solve"), type="submit", color_scheme="green", id="incident-solve"),
                direction="column",
                spacing="2",
            ),
            on_submit=S.solve,
            reset_on_submit=False,
        ),
    )


def detail_page() -> rx.Component:
    S = AdminIncidentState
    i = S.incident
    return admin_shell(
        back_link("incidents.history", "/admin/incidents"),
        rx.cond(
            S.missing,
            missing("incident.not_found", "incident-missing", margin_top="0.75rem"),
            rx.box(
                rx.flex(
                    title(i["reference"], id="incident-reference"),
                    rx.cond(i.contains("status"), badges.incident_status(i["status"].to(str))),
                    spacing="3",
                    align="center",
                    wrap="wrap",
                    margin_y="0.5rem",
                ),
                rx.text(
                    i["client"],
                    " · ",
                    i["site"],
                    " · ",
                    T("incident.admin.assigned"),
                    " ",
                    i["assigned"],
                    size="2",
                    color_scheme="gray",
                ),
                notice(S, "incident-notice", color_scheme=None, margin_top="0.5rem"),
                field_error(S, "form"),
                rx.grid(
                    rx.flex(
                        timeline(S),
                        sections.box("incident.admin.reply_title", _reply(S)),
                        direction="column",
                        spacing="3",
                    ),
                    rx.flex(
                        sections.box("incident.admin.classification", _classify(S, i)),
                        sections.box("incident.admin.tasks", _tasks(S)),
                        sections.box("incident.admin.visit", _visit(S)),
                        sections.box("incident.admin.solve_title", _solve(S, i)),
                        direction="column",
                        spacing="3",
                    ),
                    columns=rx.breakpoints(initial="1", md="2"),
                    spacing="4",
                    margin_top="0.75rem",
                ),
            ),
        ),
    )
