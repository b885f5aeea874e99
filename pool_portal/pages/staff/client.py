"""Admin → Clients → one client: its contacts and their portal access (invite, reset,
set a first password, disable), Customise (this client's panels, ADMIN only) and
"view the portal as this client"."""

from __future__ import annotations

import reflex as rx

from pool_portal.components import badges, overlay, style
from pool_portal.components.fields import checkbox, field_error, text_field
from pool_portal.components.i18n import T
from pool_portal.components.layout import admin_shell, back_link, title
from pool_portal.components.notices import admin_notice, missing
from pool_portal.components.sections import fieldset
from pool_portal.components.selects import code_options, dropdown, enum_codes, labelled_select
from pool_portal.components.tables import table
from pool_portal.models import MembershipRole
from pool_portal.states.shell import AppState
from pool_portal.states.staff.clients import ClientState


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
    return overlay.dialog(
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
                        T(S.password_error), color_scheme="red", role="alert", id="initial-password-error", size="2"
                    ),
                ),
                overlay.buttons(
                    overlay.cancel_button(S.close_password),
                    rx.button(T("password.save_only"), type="submit", id="initial-password-save"),
                ),
                direction="column",
                spacing="3",
            ),
            on_submit=S.set_initial_password,
            reset_on_submit=True,
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
        rx.table.cell(badges.access_status(c["status"]), class_name="contact-status"),
        rx.table.cell(c["last_sign_in"]),
        rx.table.cell(_contact_actions(c)),
        id="contact-" + c["id"],
    )
    add = rx.form(
        rx.flex(
            text_field(S, "contacts.name", "name", "contact-name", max_length=120),
            text_field(S, "contacts.email", "email", "contact-email", min_width="14rem", type="email", max_length=254),
            labelled_select(
                S, "admin.contact.role", "role", "contact-role", code_options(enum_codes(MembershipRole), "admin.role.")
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
    return fieldset(
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
                row=row,
                id="client-contacts",
            ),
            rx.text(T("admin.client.no_contacts"), size="2", id="client-no-contacts"),
        ),
        rx.text(T("admin.client.invite_hint"), size="1", color_scheme="gray"),
        rx.heading(T("admin.contact.add_title"), size="3", as_="h3", margin_top="0.5rem"),
        add,
        id="client-access",
    )


def _customise_panel(p) -> rx.Component:
    """One panel: follow the tenant's default (shown or hidden), show or hide."""
    S = ClientState
    default = rx.cond(p["default"] != "", T("admin.customise.default_shown"), T("admin.customise.default_hidden"))
    return rx.flex(
        rx.el.label(
            T("admin.panel." + p["panel"]),
            html_for="customise-" + p["panel"],
            style=style.WIDE_LABEL,
        ),
        dropdown(
            rx.el.option(T("admin.customise.follow_default") + " (" + default + ")", value="default"),
            rx.el.option(T("admin.customise.show"), value="show"),
            rx.el.option(T("admin.customise.hide"), value="hide"),
            name="panel_" + p["panel"],
            id="customise-" + p["panel"],
            default_value=p["override"],
            style=style.SELECT_FIT,
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


def _customise() -> rx.Component:
    S = ClientState
    return fieldset(
        "admin.customise.title",
        rx.text(T("admin.customise.intro"), size="1", color_scheme="gray"),
        rx.form(
            rx.flex(
                rx.foreach(S.panels, _customise_panel),
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
        back_link("admin.clients.title", "/admin/clients"),
        rx.cond(
            S.missing,
            missing("admin.error.not_found", "client-missing", margin_top="0.75rem"),
            rx.box(
                rx.flex(
                    title(c["name"], id="client-name"),
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
                admin_notice(S),
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
