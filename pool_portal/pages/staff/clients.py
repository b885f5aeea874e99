"""Admin → Clients: the list (search and filters in the URL) and the bulk invitation
of every contact not yet invited, with a progress indicator."""

from __future__ import annotations

import reflex as rx

from pool_portal.components import style
from pool_portal.components.i18n import T
from pool_portal.components.layout import admin_shell, title
from pool_portal.components.pager import empty_line, page_info, pager
from pool_portal.components.selects import blank_option, choice_options, code_options, dropdown
from pool_portal.components.tables import table
from pool_portal.components.toolbar import bar, go_button, search_input, submit_on_change
from pool_portal.services.staff import clients as admin_clients
from pool_portal.states.staff.clients import ClientsState

FILTERS_FORM = "clients-form"


def _filters() -> rx.Component:
    """A plain GET form: the filters go into the URL. The selects are uncontrolled (keyed
    on the value from the URL), so the chosen option is still there when it submits."""
    S = ClientsState
    return bar(
        search_input("clients-q", S.text, "q-" + S.text, "admin.clients.search", aria_label=T("admin.clients.search")),
        dropdown(
            blank_option("admin.clients.any_group"),
            choice_options(S.groups),
            name="group",
            id="clients-group",
            default_value=S.group,
            key="group-" + S.group,
            style=style.SELECT_FIT,
            aria_label=T("admin.clients.group"),
            on_change=submit_on_change(FILTERS_FORM),
        ),
        dropdown(
            *code_options(admin_clients.ACCESS_FILTERS, "admin.clients.access."),
            name="access",
            id="clients-access",
            default_value=S.access_filter,
            key="access-" + S.access_filter,
            style=style.SELECT_FIT,
            aria_label=T("admin.clients.portal_access"),
            on_change=submit_on_change(FILTERS_FORM),
        ),
        go_button("clients-go"),
        action="/admin/clients",
        form_id=FILTERS_FORM,
        margin_bottom=None,
    )


def _bulk() -> rx.Component:
    S = ClientsState
    return rx.flex(
        rx.button(
            rx.icon("send", size=16),
            T("admin.clients.bulk_invite"),
            on_click=S.bulk_invite,
            disabled=S.bulk_running,
            id="bulk-invite",
        ),
        rx.cond(
            S.bulk_running | (S.bulk_invited >= 0),
            rx.flex(
                rx.progress(value=S.bulk_done, max=rx.cond(S.bulk_total > 0, S.bulk_total, 1), width="10rem"),
                rx.text(S.bulk_done.to_string(), " / ", S.bulk_total.to_string(), size="2", id="bulk-count"),
                rx.cond(
                    ~S.bulk_running,
                    rx.text(T("admin.clients.bulk_done"), " ", S.bulk_invited.to_string(), size="2", id="bulk-done"),
                ),
                spacing="2",
                align="center",
                role="status",
                aria_live="polite",
                id="bulk-progress",
            ),
        ),
        rx.text(T("admin.clients.bulk_hint"), size="1", color_scheme="gray", width="100%"),
        spacing="3",
        align="center",
        wrap="wrap",
        margin_y="0.75rem",
    )


def clients_page() -> rx.Component:
    S = ClientsState
    page_href = "/admin/clients?" + S.page_query + "&page="
    return admin_shell(
        title("admin.clients.title", margin_bottom="0.75rem"),
        _filters(),
        _bulk(),
        table(
            [
                "admin.clients.name",
                "contacts.email",
                "admin.clients.sites",
                "admin.clients.contacts",
                "admin.clients.signed_up",
                "contacts.last_login",
            ],
            S.rows,
            cells=lambda r: [
                rx.link(r["name"], href="/admin/client?id=" + r["id"]),
                r["email"],
                r["sites"],
                r["contacts"],
                r["accepted"],
                r["last_sign_in"],
            ],
            id="admin-clients-table",
        ),
        empty_line(S, T("list.no_match"), margin_top="0.5rem"),
        pager(
            page_info(S),
            page_href + (S.page - 1).to_string(),
            page_href + (S.page + 1).to_string(),
            has_prev=S.page > 1,
            has_next=S.page < S.pages,
            prev_id="clients-prev",
            next_id="clients-next",
            arrows=False,
            compact=True,
        ),
    )
