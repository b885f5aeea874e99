"""Admin → Contacts: who has portal access, invitations and disabling."""

from __future__ import annotations

import reflex as rx

from pool_portal.components.i18n import T
from pool_portal.components.layout import admin_shell
from pool_portal.states.contacts import ContactsState


def _actions(row) -> rx.Component:
    return rx.flex(
        rx.cond(
            row["status"] != "disabled",
            rx.fragment(
                rx.cond(
                    row["status"] != "active",
                    rx.button(
                        rx.cond(row["status"] == "none", T("contacts.invite"), T("contacts.resend")),
                        size="1",
                        on_click=ContactsState.invite(row["id"]),
                        aria_label=T("contacts.invite") + " " + row["email"],
                    ),
                ),
                rx.button(
                    T("contacts.set_password"), size="1", variant="soft",
                    on_click=ContactsState.open_password(row["id"]),
                    aria_label=T("contacts.set_password") + " " + row["email"],
                ),
                rx.button(
                    T("contacts.disable"), size="1", color_scheme="red", variant="soft",
                    on_click=ContactsState.set_active(row["id"], False),
                    aria_label=T("contacts.disable") + " " + row["email"],
                ),
            ),
            rx.button(
                T("contacts.enable"), size="1", variant="soft",
                on_click=ContactsState.set_active(row["id"], True),
                aria_label=T("contacts.enable") + " " + row["email"],
            ),
        ),
        spacing="2",
        wrap="wrap",
    )


def _password_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(T("contacts.set_password")),
            rx.dialog.description(T("contacts.set_password_intro"), size="2"),
            rx.form(
                rx.flex(
                    rx.el.label(T("field.new_password"), html_for="initial-password"),
                    rx.input(id="initial-password", name="password", type="password",
                             auto_complete="new-password", required=True, min_length=8),
                    rx.cond(
                        ContactsState.password_error != "",
                        rx.text(ContactsState.tr[ContactsState.password_error].to(str), color_scheme="red",
                                role="alert", id="initial-password-error", size="2"),
                    ),
                    rx.flex(
                        rx.button(T("common.cancel"), type="button", variant="soft", on_click=ContactsState.close_password),
                        rx.button(T("password.save_only"), type="submit", id="initial-password-save"),
                        spacing="3",
                        justify="end",
                    ),
                    direction="column",
                    spacing="3",
                ),
                on_submit=ContactsState.set_initial_password,
                reset_on_submit=True,
            ),
        ),
        open=ContactsState.password_for != "",
        on_open_change=lambda _open: ContactsState.close_password(),
    )


def contacts_page() -> rx.Component:
    return admin_shell(
        _password_dialog(),
        rx.flex(
            rx.heading(T("contacts.title"), size="6", as_="h1"),
            rx.spacer(),
            rx.button(T("contacts.invite_all"), on_click=ContactsState.invite_all_pending, id="invite-all"),
            align="center",
            wrap="wrap",
            spacing="3",
            margin_bottom="0.75rem",
        ),
        rx.cond(
            ContactsState.bulk_total > 0,
            rx.flex(
                rx.progress(value=ContactsState.bulk_done, max=ContactsState.bulk_total, width="12rem"),
                rx.text(ContactsState.bulk_done.to_string() + " / " + ContactsState.bulk_total.to_string(), size="2"),
                spacing="3",
                align="center",
                id="bulk-progress",
                role="status",
            ),
        ),
        rx.cond(
            ContactsState.notice != "",
            rx.callout(ContactsState.tr["contacts.notice." + ContactsState.notice].to(str), id="contacts-notice", role="status"),
        ),
        rx.box(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        *[rx.table.column_header_cell(T(k)) for k in (
                            "contacts.name", "contacts.email", "contacts.access",
                            "contacts.status", "contacts.last_login", "contacts.actions")]
                    )
                ),
                rx.table.body(
                    rx.foreach(
                        ContactsState.contacts,
                        lambda row: rx.table.row(
                            rx.table.cell(row["name"]),
                            rx.table.cell(row["email"]),
                            rx.table.cell(row["access"]),
                            rx.table.cell(ContactsState.tr["contacts.status." + row["status"]].to(str)),
                            rx.table.cell(row["last_login"]),
                            rx.table.cell(_actions(row)),
                        ),
                    )
                ),
                id="contacts-table",
                width="100%",
                variant="surface",
            ),
            overflow_x="auto",
        ),
    )
