"""Admin → Clients: the list (search and filters in the URL, bulk invitations with a
progress indicator) and one client's page: contacts and their portal access,
Customise (this client's panels) and "view the portal as this client"."""

from __future__ import annotations

import reflex as rx

from pool_portal.components.admin_forms import (
    SELECT_STYLE,
    checkbox,
    labelled,
    notice,
    section,
    select,
    table,
    text_field,
)
from pool_portal.components.forms import field_error
from pool_portal.components.i18n import T
from pool_portal.components.layout import admin_shell
from pool_portal.components.native_form import native_form
from pool_portal.models import MembershipRole
from pool_portal.presentation import palette
from pool_portal.services.staff import clients as admin_clients
from pool_portal.states.shell import AppState
from pool_portal.states.staff.clients import ClientsState, ClientState

ACCESS_FILTERS = admin_clients.ACCESS_FILTERS
STATUS_COLOURS = palette.ACCESS_STATUS_SCHEME


def _submit(form_id: str):
    return rx.call_script(f"document.getElementById('{form_id}').requestSubmit()")


# -- the list -------------------------------------------------------------------------------------
def _filters() -> rx.Component:
    """A plain GET form: the filters go into the URL. The selects are uncontrolled (keyed
    on the value from the URL), so the chosen option is still there when it submits."""
    S = ClientsState
    return native_form(
        rx.flex(
            rx.input(
                name="q",
                id="clients-q",
                default_value=S.text,
                key="q-" + S.text,
                type="search",
                placeholder=T("admin.clients.search"),
                max_length=100,
                aria_label=T("admin.clients.search"),
            ),
            rx.el.select(
                rx.el.option(T("admin.clients.any_group"), value=""),
                rx.foreach(S.groups, lambda g: rx.el.option(g[1], value=g[0])),
                name="group",
                id="clients-group",
                default_value=S.group,
                key="group-" + S.group,
                style=SELECT_STYLE,
                aria_label=T("admin.clients.group"),
                on_change=_submit("clients-form"),
            ),
            rx.el.select(
                *[rx.el.option(T(f"admin.clients.access.{a}"), value=a) for a in ACCESS_FILTERS],
                name="access",
                id="clients-access",
                default_value=S.access_filter,
                key="access-" + S.access_filter,
                style=SELECT_STYLE,
                aria_label=T("admin.clients.portal_access"),
                on_change=_submit("clients-form"),
            ),
            rx.button(rx.icon("search", size=16), T("search.go"), type="submit", id="clients-go"),
            spacing="2",
            wrap="wrap",
            align="center",
        ),
        action="/admin/clients",
        method="get",
        id="clients-form",
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
    row = lambda r: rx.table.row(  # noqa: E731
        rx.table.cell(rx.link(r["name"], href="/admin/client?id=" + r["id"])),
        rx.table.cell(r["email"]),
        rx.table.cell(r["sites"]),
        rx.table.cell(r["contacts"]),
        rx.table.cell(r["accepted"]),
        rx.table.cell(r["last_sign_in"]),
    )
    pager = rx.flex(
        rx.cond(
            S.page > 1,
            rx.link(
                T("list.previous"),
                href="/admin/clients?" + S.page_query + "&page=" + (S.page - 1).to_string(),
                id="clients-prev",
            ),
        ),
        rx.text(
            T("list.page"),
            " ",
            S.page.to_string(),
            " / ",
            S.pages.to_string(),
            " · ",
            S.total.to_string(),
            " ",
            T("list.items"),
            size="2",
            id="page-info",
        ),
        rx.cond(
            S.page < S.pages,
            rx.link(
                T("list.next"),
                href="/admin/clients?" + S.page_query + "&page=" + (S.page + 1).to_string(),
                id="clients-next",
            ),
        ),
        spacing="3",
        align="center",
        margin_top="0.5rem",
    )
    return admin_shell(
        rx.heading(T("admin.clients.title"), size="6", as_="h1", margin_bottom="0.75rem"),
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
            row,
            "admin-clients-table",
        ),
        rx.cond(S.loaded & (S.total == 0), rx.text(T("list.no_match"), id="list-empty", margin_top="0.5rem")),
        pager,
    )


def labelled_role(S, label_key: str, control_id: str, options: list, **props) -> rx.Component:
    """The "role" select of an add/invite form, with its message."""
    return labelled(S, label_key, "role", select("role", control_id, options, **props), control_id)


# -- one client ------------------------------------------------------------------------------------
def _contact_actions(c) -> rx.Component:
    S = ClientState
    label = lambda key: T(key) + " " + c["email"]  # noqa: E731
    return rx.flex(
        rx.cond(
            c["status"] != "disabled",
            rx.fragment(
                rx.cond(
                    c["status"] != "accepted",
                    rx.button(
                        rx.cond(c["status"] == "never_invited", T("contacts.invite"), T("contacts.resend")),
                        size="1",
                        on_click=S.invite(c["id"]),
                        aria_label=label("contacts.invite"),
                    ),
                ),
                rx.cond(
                    c["status"] == "accepted",
                    rx.button(
                        T("admin.contact.reset_password"),
                        size="1",
                        variant="soft",
                        on_click=S.invite(c["id"]),
                        aria_label=label("admin.contact.reset_password"),
                    ),
                ),
                rx.button(
                    T("contacts.set_password"),
                    size="1",
                    variant="soft",
                    on_click=S.open_password(c["id"]),
                    aria_label=label("contacts.set_password"),
                ),
                rx.button(
                    T("contacts.disable"),
                    size="1",
                    color_scheme="red",
                    variant="soft",
                    on_click=S.set_active(c["id"], False),
                    aria_label=label("contacts.disable"),
                ),
            ),
            rx.button(
                T("contacts.enable"),
                size="1",
                variant="soft",
                on_click=S.set_active(c["id"], True),
                aria_label=label("contacts.enable"),
            ),
        ),
        spacing="2",
        wrap="wrap",
    )


def _password_dialog() -> rx.Component:
    S = ClientState
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(T("contacts.set_password")),
            rx.dialog.description(T("contacts.set_password_intro"), size="2"),
            rx.form(
                rx.flex(
                    rx.el.label(T("field.new_password"), html_for="initial-password"),
                    rx.input(
                        id="initial-password",
                        name="password",
                        type="password",
                        auto_complete="new-password",
                        required=True,
                        min_length=8,
                    ),
                    rx.cond(
                        S.password_error != "",
                        rx.text(
                            S.tr[S.password_error].to(str),
                            color_scheme="red",
                            role="alert",
                            id="initial-password-error",
                            size="2",
                        ),
                    ),
                    rx.flex(
                        rx.button(T("common.cancel"), type="button", variant="soft", on_click=S.close_password),
                        rx.button(T("password.save_only"), type="submit", id="initial-password-save"),
                        spacing="3",
                        justify="end",
                    ),
                    direction="column",
                    spacing="3",
                ),
                on_submit=S.set_initial_password,
                reset_on_submit=True,
            ),
        ),
        open=S.password_for != "",
        on_open_change=lambda _open: S.close_password(),
    )


def _contacts() -> rx.Component:
    S = ClientState
    row = lambda c: rx.table.row(  # noqa: E731
        rx.table.cell(c["name"]),
        rx.table.cell(c["email"]),
        rx.table.cell(
            rx.cond(c["by_group"] != "", T("admin.contact.via_group") + " " + c["via"], T("admin.contact.direct"))
        ),
        rx.table.cell(
            rx.badge(
                S.tr["admin.access." + c["status"]].to(str),
                color_scheme=rx.match(c["status"], *STATUS_COLOURS.items(), "gray"),
                variant="soft",
            ),
            class_name="contact-status",
        ),
        rx.table.cell(c["last_sign_in"]),
        rx.table.cell(_contact_actions(c)),
        id="contact-" + c["id"],
    )
    add = rx.form(
        rx.flex(
            text_field(S, "contacts.name", "name", "contact-name", max_length=120),
            text_field(S, "contacts.email", "email", "contact-email", min_width="14rem", type="email", max_length=254),
            labelled_role(
                S,
                "admin.contact.role",
                "contact-role",
                [rx.el.option(T(f"admin.role.{r.value}"), value=r.value) for r in MembershipRole],
            ),
            checkbox("invite", T("admin.contact.send_invitation"), True, "contact-invite"),
            rx.button(T("admin.contact.add"), type="submit", id="contact-add"),
            spacing="3",
            wrap="wrap",
            align="end",
        ),
        on_submit=S.add_contact,
        reset_on_submit=False,
        no_validate=True,
        key="add-" + S.form_key.to_string(),
        id="contact-form",
    )
    return section(
        "admin.client.portal_access",
        rx.cond(
            S.contacts.length() > 0,
            table(
                [
                    "contacts.name",
                    "contacts.email",
                    "contacts.access",
                    "contacts.status",
                    "contacts.last_login",
                    "contacts.actions",
                ],
                S.contacts,
                row,
                "client-contacts",
            ),
            rx.text(T("admin.client.no_contacts"), size="2", id="client-no-contacts"),
        ),
        rx.text(T("admin.client.invite_hint"), size="1", color_scheme="gray"),
        rx.heading(T("admin.contact.add_title"), size="3", as_="h3", margin_top="0.5rem"),
        add,
        id="client-access",
    )


def _customise() -> rx.Component:
    S = ClientState

    def panel(p) -> rx.Component:
        default = rx.cond(p["default"] != "", T("admin.customise.default_shown"), T("admin.customise.default_hidden"))
        return rx.flex(
            rx.el.label(
                S.tr["admin.panel." + p["panel"]].to(str),
                html_for="customise-" + p["panel"],
                style={"min_width": "12rem"},
            ),
            rx.el.select(
                rx.el.option(T("admin.customise.follow_default") + " (" + default + ")", value="default"),
                rx.el.option(T("admin.customise.show"), value="show"),
                rx.el.option(T("admin.customise.hide"), value="hide"),
                name="panel_" + p["panel"],
                id="customise-" + p["panel"],
                default_value=p["override"],
                style=SELECT_STYLE,
            ),
            rx.badge(
                rx.cond(p["shown"] != "", T("admin.customise.shown"), T("admin.customise.hidden")),
                color_scheme=rx.cond(p["shown"] != "", "green", "gray"),
                variant="soft",
                id="customise-state-" + p["panel"],
            ),
            rx.cond(
                S.errors.contains("panel_" + p["panel"]),
                rx.text(T("admin.settings.error.on_off"), color_scheme="red", size="2", role="alert"),
            ),
            spacing="3",
            align="center",
            wrap="wrap",
        )

    return section(
        "admin.customise.title",
        rx.text(T("admin.customise.intro"), size="1", color_scheme="gray"),
        rx.form(
            rx.flex(
                rx.foreach(S.panels, panel),
                rx.flex(
                    rx.button(T("admin.save"), type="submit", id="customise-save"),
                    rx.button(
                        T("admin.customise.reset"),
                        type="button",
                        variant="soft",
                        on_click=S.reset_customise,
                        id="customise-reset",
                    ),
                    spacing="3",
                ),
                direction="column",
                spacing="2",
            ),
            on_submit=S.save_customise,
            reset_on_submit=False,
            key="cust-" + S.form_key.to_string(),
            id="customise-form",
        ),
        id="client-customise",
    )


def client_page() -> rx.Component:
    S = ClientState
    c = S.client
    return admin_shell(
        _password_dialog(),
        rx.link("‹ ", T("admin.clients.title"), href="/admin/clients"),
        rx.cond(
            S.missing,
            rx.callout(T("admin.error.not_found"), id="client-missing", margin_top="0.75rem"),
            rx.box(
                rx.flex(
                    rx.heading(c["name"], size="6", as_="h1", id="client-name"),
                    rx.cond(c["active"] == "", rx.badge(T("admin.client.inactive"), color_scheme="gray")),
                    rx.spacer(),
                    rx.button(
                        rx.icon("eye", size=16),
                        T("admin.client.view_as"),
                        on_click=S.view_as,
                        variant="outline",
                        id="view-as",
                        disabled=c["active"] == "",
                    ),
                    spacing="3",
                    align="center",
                    wrap="wrap",
                    margin_y="0.5rem",
                ),
                rx.text(
                    c["email"],
                    " · ",
                    c["phone"],
                    " · ",
                    c["sites"],
                    " ",
                    T("admin.clients.sites"),
                    size="2",
                    color_scheme="gray",
                ),
                rx.cond(
                    S.client_groups.length() > 0,
                    rx.flex(
                        rx.text(T("admin.client.groups"), size="2"),
                        rx.foreach(
                            S.client_groups, lambda g: rx.link(g["name"], href="/admin/group?id=" + g["id"], size="2")
                        ),
                        spacing="2",
                        wrap="wrap",
                    ),
                ),
                notice(S),
                field_error(S, "client_id"),
                rx.flex(
                    _contacts(),
                    rx.cond(AppState.staff_role == "ADMIN", _customise()),
                    direction="column",
                    spacing="4",
                    margin_top="0.75rem",
                ),
            ),
        ),
    )
