"""Admin → Client groups: the tree and a new group; one group's page (rename, nest,
member clients, contacts with access to the whole group, delete when empty)."""

from __future__ import annotations

import reflex as rx

from pool_portal.components.admin_forms import SELECT_STYLE, labelled, notice, section, table, text_field
from pool_portal.components.forms import field_error
from pool_portal.components.i18n import T
from pool_portal.components.layout import admin_shell
from pool_portal.models import MembershipRole
from pool_portal.states.staff.groups import GroupsState, GroupState


def _new_group() -> rx.Component:
    S = GroupsState
    return section(
        "admin.group.new",
        rx.form(
            rx.flex(
                text_field(S, "admin.group.name", "name", "group-name", min_width="14rem", max_length=200),
                labelled(
                    S,
                    "admin.group.parent",
                    "parent_id",
                    rx.el.select(
                        rx.el.option(T("admin.group.top_level"), value=""),
                        rx.foreach(S.groups, lambda g: rx.el.option(g["label"], value=g["id"])),
                        name="parent_id",
                        id="group-parent",
                        style=SELECT_STYLE,
                    ),
                    "group-parent",
                ),
                rx.button(T("admin.group.create"), type="submit", id="group-create"),
                spacing="3",
                wrap="wrap",
                align="end",
            ),
            on_submit=S.create_group,
            reset_on_submit=False,  # success leaves the page
        ),
    )


def groups_page() -> rx.Component:
    S = GroupsState
    row = lambda g: rx.table.row(  # noqa: E731
        rx.table.cell(rx.box(rx.link(g["name"], href="/admin/group?id=" + g["id"]), padding_left=g["indent"])),
        rx.table.cell(g["clients"]),
        rx.table.cell(g["contacts"]),
    )
    return admin_shell(
        rx.heading(T("admin.groups.title"), size="6", as_="h1", margin_bottom="0.75rem"),
        notice(S),
        rx.cond(
            S.groups.length() > 0,
            table(["admin.group.name", "admin.group.clients", "admin.group.contacts"], S.groups, row, "groups-table"),
            rx.cond(S.loaded, rx.text(T("admin.groups.empty"), id="groups-empty")),
        ),
        rx.box(_new_group(), margin_top="1rem"),
    )


def _picker(
    name: str, control_id: str, placeholder_key: str, choices, button_key: str, on_submit, *extra: rx.Component
) -> rx.Component:
    """Choose one of ``choices`` ([id, label]) and add it (a client, a contact)."""
    return rx.form(
        rx.flex(
            rx.el.select(
                rx.el.option(T(placeholder_key), value=""),
                rx.foreach(choices, lambda c: rx.el.option(c[1], value=c[0])),
                name=name,
                id=control_id,
                style=SELECT_STYLE,
                aria_label=T(placeholder_key),
            ),
            *extra,
            rx.button(T(button_key), type="submit", id=f"{control_id}-save"),
            spacing="2",
            wrap="wrap",
            align="center",
        ),
        on_submit=on_submit,
        reset_on_submit=False,
        key=control_id + GroupState.form_key.to_string(),
    )


def group_page() -> rx.Component:
    S = GroupState
    g = S.group
    settings = section(
        "admin.group.settings",
        rx.form(
            rx.flex(
                text_field(
                    S,
                    "admin.group.name",
                    "name",
                    "group-rename",
                    min_width="14rem",
                    default_value=g["name"],
                    max_length=200,
                ),
                rx.button(T("admin.group.rename"), type="submit", id="group-rename-save"),
                spacing="3",
                wrap="wrap",
                align="end",
            ),
            on_submit=S.rename,
            reset_on_submit=False,
            key="ren-" + S.form_key.to_string(),
        ),
        rx.form(
            rx.flex(
                labelled(
                    S,
                    "admin.group.parent",
                    "parent_id",
                    rx.el.select(
                        rx.el.option(T("admin.group.top_level"), value=""),
                        rx.foreach(S.parent_choices, lambda p: rx.el.option(p[1], value=p[0])),
                        name="parent_id",
                        id="group-move",
                        default_value=g["parent_id"],
                        style=SELECT_STYLE,
                    ),
                    "group-move",
                ),
                rx.button(T("admin.group.move"), type="submit", id="group-move-save"),
                spacing="3",
                wrap="wrap",
                align="end",
            ),
            on_submit=S.move,
            reset_on_submit=False,
            key="mov-" + S.form_key.to_string(),
        ),
        rx.cond(
            S.sub_groups.length() > 0,
            rx.flex(
                rx.text(T("admin.group.sub_groups"), size="2"),
                rx.foreach(S.sub_groups, lambda sg: rx.link(sg["name"], href="/admin/group?id=" + sg["id"], size="2")),
                spacing="2",
                wrap="wrap",
            ),
        ),
    )
    member_row = lambda c: rx.table.row(  # noqa: E731
        rx.table.cell(rx.link(c["name"], href="/admin/client?id=" + c["id"])),
        rx.table.cell(
            rx.button(
                T("admin.group.remove"),
                size="1",
                variant="soft",
                color_scheme="red",
                on_click=S.remove_client(c["id"]),
                aria_label=T("admin.group.remove") + " " + c["name"],
            )
        ),
    )
    members = section(
        "admin.group.clients",
        rx.cond(
            S.members.length() > 0,
            table(["admin.clients.name", "contacts.actions"], S.members, member_row, "group-clients"),
            rx.text(T("admin.group.no_clients"), size="2"),
        ),
        _picker(
            "client_id",
            "group-add-client",
            "admin.group.pick_client",
            S.client_choices,
            "admin.group.add_client",
            S.add_client,
        ),
        field_error(S, "client_id"),
        id="group-members",
    )
    contact_row = lambda u: rx.table.row(  # noqa: E731
        rx.table.cell(u["name"]),
        rx.table.cell(u["email"]),
        rx.table.cell(S.tr["admin.role." + u["role"]].to(str)),
        rx.table.cell(
            rx.button(
                T("admin.group.revoke"),
                size="1",
                variant="soft",
                color_scheme="red",
                on_click=S.revoke(u["id"]),
                aria_label=T("admin.group.revoke") + " " + u["email"],
            )
        ),
    )
    contacts = section(
        "admin.group.contacts",
        rx.text(T("admin.group.contacts_hint"), size="1", color_scheme="gray"),
        rx.cond(
            S.contacts.length() > 0,
            table(
                ["contacts.name", "contacts.email", "admin.contact.role", "contacts.actions"],
                S.contacts,
                contact_row,
                "group-contacts",
            ),
            rx.text(T("admin.group.no_contacts"), size="2"),
        ),
        _picker(
            "portal_user_id",
            "group-grant-user",
            "admin.group.pick_contact",
            S.contact_choices,
            "admin.group.grant",
            S.grant,
            rx.el.select(
                *[rx.el.option(T(f"admin.role.{r.value}"), value=r.value) for r in MembershipRole],
                name="role",
                id="group-grant-role",
                style=SELECT_STYLE,
                aria_label=T("admin.contact.role"),
            ),
        ),
        field_error(S, "portal_user_id"),
        field_error(S, "role"),
        id="group-access",
    )
    return admin_shell(
        rx.link("‹ ", T("admin.groups.title"), href="/admin/groups"),
        rx.cond(
            S.missing,
            rx.callout(T("admin.error.not_found"), id="group-missing", margin_top="0.75rem"),
            rx.box(
                rx.text(
                    rx.foreach(S.path, lambda n: rx.text.span(n, " › ")),
                    size="2",
                    color_scheme="gray",
                    margin_top="0.5rem",
                ),
                rx.heading(g["name"], size="6", as_="h1", id="group-title", margin_bottom="0.5rem"),
                notice(S),
                field_error(S, "group_id"),
                rx.flex(
                    settings,
                    members,
                    contacts,
                    rx.box(
                        rx.button(
                            T("admin.group.delete"),
                            color_scheme="red",
                            variant="outline",
                            on_click=S.delete,
                            id="group-delete",
                        ),
                        rx.text(T("admin.group.delete_hint"), size="1", color_scheme="gray"),
                    ),
                    direction="column",
                    spacing="4",
                ),
            ),
        ),
    )
