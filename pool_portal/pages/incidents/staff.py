"""Admin → Incidents: the history (filters in the URL) and one incident's handling:
classification, tasks, the visit, internal notes versus replies to the portal, solve
with resolution notes, reopen."""

from __future__ import annotations

import reflex as rx

from pool_portal.components.i18n import T
from pool_portal.components.layout import admin_shell
from pool_portal.components.native_form import native_form
from pool_portal.pages.incidents.portal import field_error, pager, status_badge, timeline
from pool_portal.services.incidents import common
from pool_portal.states.incidents.staff import AdminIncidentsState, AdminIncidentState

STYLE = {"padding": "0.3rem", "border_radius": "6px", "border": "1px solid var(--gray-7)"}


def _submit(form_id: str):
    return rx.call_script(f"document.getElementById('{form_id}').requestSubmit()")


def history_page() -> rx.Component:
    S = AdminIncidentsState
    filters = native_form(
        rx.flex(
            rx.el.select(
                rx.el.option(T("incidents.filter.all"), value=""),
                rx.el.option(T("incidents.filter.open"), value="OPEN"),
                *[rx.el.option(T(f"incident.status.{s}"), value=s) for s in common.CUSTOMER_STATUSES],
                name="status",
                id="admin-incidents-status",
                value=S.status,
                style=STYLE,
                aria_label=T("overlay.status"),
                on_change=_submit("admin-incidents-form"),
            ),
            rx.el.select(
                rx.el.option(T("incidents.filter.any_category"), value=""),
                *[rx.el.option(T(f"incident.category.{c}"), value=c) for c in common.CATEGORIES],
                name="category",
                id="admin-incidents-category",
                value=S.category,
                style=STYLE,
                aria_label=T("incident.category"),
                on_change=_submit("admin-incidents-form"),
            ),
            rx.el.select(
                rx.el.option(T("incidents.filter.any_client"), value=""),
                rx.foreach(S.clients, lambda c: rx.el.option(c[1], value=c[0])),
                name="client",
                id="admin-incidents-client",
                value=S.client,
                style=STYLE,
                aria_label=T("incidents.client"),
                on_change=_submit("admin-incidents-form"),
            ),
            rx.el.select(
                rx.el.option(T("incidents.filter.any_site"), value=""),
                rx.foreach(S.sites, lambda c: rx.el.option(c[1], value=c[0])),
                name="site",
                id="admin-incidents-site",
                value=S.site,
                style=STYLE,
                aria_label=T("overlay.site"),
                on_change=_submit("admin-incidents-form"),
            ),
            rx.input(
                name="q",
                id="admin-incidents-q",
                default_value=S.text,
                key="q-" + S.text,
                type="search",
                placeholder=T("incidents.search"),
                max_length=100,
            ),
            rx.button(rx.icon("search", size=16), T("search.go"), type="submit"),
            spacing="2",
            wrap="wrap",
            align="center",
            margin_bottom="0.75rem",
        ),
        action="/admin/incidents",
        method="get",
        id="admin-incidents-form",
    )
    return admin_shell(
        rx.heading(T("incidents.history"), size="6", as_="h1", margin_bottom="0.75rem"),
        filters,
        rx.box(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        *[
                            rx.table.column_header_cell(T(k))
                            for k in (
                                "incident.reference",
                                "overlay.date",
                                "incidents.client",
                                "overlay.site",
                                "incident.category",
                                "incident.priority",
                                "overlay.status",
                            )
                        ]
                    )
                ),
                rx.table.body(
                    rx.foreach(
                        S.rows,
                        lambda r: rx.table.row(
                            rx.table.cell(rx.link(r["reference"], href="/admin/incident?id=" + r["id"])),
                            rx.table.cell(r["created"].to(str)[:16].replace("T", " ")),
                            rx.table.cell(r["client"]),
                            rx.table.cell(r["site"]),
                            rx.table.cell(S.tr["incident.category." + r["category"]].to(str)),
                            rx.table.cell(S.tr["incident.priority." + r["priority"]].to(str)),
                            rx.table.cell(status_badge(S, r["status"])),
                        ),
                    )
                ),
                id="admin-incidents-table",
                width="100%",
                variant="surface",
            ),
            overflow_x="auto",
        ),
        rx.cond(S.loaded & (S.total == 0), rx.text(T("list.empty"), id="list-empty", margin_top="0.5rem")),
        rx.text(S.total.to_string(), " ", T("list.items"), size="2", margin_top="0.5rem", id="page-info"),
        pager(S),
    )


def _section(title_key: str, *children) -> rx.Component:
    return rx.box(
        rx.heading(T(title_key), size="3", as_="h2", margin_bottom="0.4rem"),
        *children,
        padding="0.75rem",
        border="1px solid var(--gray-5)",
        border_radius="8px",
    )


def detail_page() -> rx.Component:
    S = AdminIncidentState
    i = S.incident
    classify = rx.form(
        rx.flex(
            rx.el.select(
                *[rx.el.option(T(f"incident.category.{c}"), value=c) for c in common.CATEGORIES],
                name="category",
                default_value=i["category"].to(str),
                key="cat-" + i["category"].to(str),
                style=STYLE,
                aria_label=T("incident.category"),
            ),
            rx.el.select(
                *[rx.el.option(T(f"incident.priority.{p}"), value=p) for p in common.PRIORITIES],
                name="priority",
                default_value=i["priority"].to(str),
                key="pri-" + i["priority"].to(str),
                style=STYLE,
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
    tasks = rx.box(
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
    visit = rx.box(
        rx.foreach(
            S.visits,
            lambda vi: rx.text(
                S.tr["visit.status." + vi["status"]].to(str), " ", vi["when"], " ", vi["technician"], size="2"
            ),
        ),
        rx.form(
            rx.flex(
                rx.input(type="date", name="date", id="visit-date", size="1"),
                rx.el.select(
                    rx.foreach(S.technicians, lambda t: rx.el.option(t[1], value=t[0])),
                    name="technician",
                    id="visit-technician",
                    style=STYLE,
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
    reply = rx.form(
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
                    on_click=S.reply(
                        {
                            "body": rx.Var("(document.getElementById('admin-reply')?.value ?? '')", _var_type=str),
                            "internal": "1",
                        }
                    ),
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
    solve = rx.cond(
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
    return admin_shell(
        rx.link("‹ ", T("incidents.history"), href="/admin/incidents"),
        rx.cond(
            S.missing,
            rx.callout(T("incident.not_found"), id="incident-missing", margin_top="0.75rem"),
            rx.box(
                rx.flex(
                    rx.heading(i["reference"], size="6", as_="h1", id="incident-reference"),
                    rx.cond(i.contains("status"), status_badge(S, i["status"].to(str))),
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
                rx.cond(
                    S.notice != "",
                    rx.callout(S.tr[S.notice].to(str), id="incident-notice", role="status", margin_top="0.5rem"),
                ),
                field_error(S, "form"),
                rx.grid(
                    rx.flex(
                        timeline(S, staff=True),
                        _section("incident.admin.reply_title", reply),
                        direction="column",
                        spacing="3",
                    ),
                    rx.flex(
                        _section("incident.admin.classification", classify),
                        _section("incident.admin.tasks", tasks),
                        _section("incident.admin.visit", visit),
                        _section("incident.admin.solve_title", solve),
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
