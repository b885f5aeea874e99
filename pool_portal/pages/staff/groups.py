"""Admin → Client groups: the tree and a new group; one group's page (rename, nest,
member clients, contacts with access to the whole group, delete when empty)."""

from __future__ import annotations

import reflex as rx

from pool_portal.components import style
from pool_portal.components.fields import field_error, labelled, text_field
from pool_portal.components.i18n import T
from pool_portal.components.layout import admin_shell, back_link, title
from pool_portal.components.notices import admin_notice, missing
from pool_portal.components.sections import fieldset
from pool_portal.components.selects import blank_option, choice_options, code_options, dropdown, enum_codes
from pool_portal.components.tables import table
from pool_portal.models import MembershipRole
from pool_portal.states.staff.groups import GroupsState, GroupState


def _new_group() -> rx.Component:
    S = GroupsState
    return fieldset(
        "admin.group.new",
        rx.form(
            rx.flex(
                text_field(S, "admin.group.name", "name", "group-name", min_width="14rem", max_length=200),
                labelled(
                    S,
                    "admin.group.parent",
                    "parent_id",
                    dropdown(
                        blank_option("admin.group.top_level"),
                        rx.foreach(S.groups, lambda g: rx.el.option(g["label"], value=g["id"])),
                        name="parent_id",
                        id="group-parent",
                        style=style.SELECT_FIT,
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
    return admin_shell(
        title("admin.groups.title", margin_bottom="0.75rem"),
        admin_notice(S),
        rx.cond(
            S.groups.length() > 0,
            table(
                ["admin.group.name", "admin.group.clients", "admin.group.contacts"],
                S.groups,
                cells=lambda g: [
                    rx.box(rx.link(g["name"], href="/admin/group?id=" + g["id"]), padding_left=g["indent"]),
                    g["clients"],
                    g["contacts"],
                ],
                id="groups-table",
            ),
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
            dropdown(
                blank_option(placeholder_key),
                choice_options(choices),
                name=name,
                id=control_id,
                style=style.SELECT_FIT,
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


def _inline_form(on_submit, key_prefix: str, *children) -> rx.Component:
    """A one-line form of the group's settings (its fields, then its button)."""
    return rx.form(
        rx.flex(*children, spacing="3", wrap="wrap", align="end"),
        on_submit=on_submit,
        reset_on_submit=False,
        key=key_prefix + GroupState.form_key.to_string(),
    )


def _settings() -> rx.Component:
    S = GroupState
    g = S.group
    return fieldset(
        "admin.group.settings",
        _inline_form(
            S.rename,
            "ren-",
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
        ),
        _inline_form(
            S.move,
            "mov-",
            labelled(
                S,
                "admin.group.parent",
                "parent_id",
                dropdown(
                    blank_option("admin.group.top_level"),
                    choice_options(S.parent_choices),
                    name="parent_id",
                    id="group-move",
                    default_value=g["parent_id"],
                    style=style.SELECT_FIT,
                ),
                "group-move",
            ),
            rx.button(T("admin.group.move"), type="submit", id="group-move-save"),
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


def _remove_button(label_key: str, on_click, name) -> rx.Component:
    return rx.button(
        T(label_key),
        size="1",
        variant="soft",
        color_scheme="red",
        on_click=on_click,
        aria_label=T(label_key) + " " + name,
    )


def _members() -> rx.Component:
    S = GroupState
    return fieldset(
        "admin.group.clients",
        rx.cond(
            S.members.length() > 0,
            table(
                ["admin.clients.name", "contacts.actions"],
                S.members,
                cells=lambda c: [
                    rx.link(c["name"], href="/admin/client?id=" + c["id"]),
                    _remove_button("admin.group.remove", S.remove_client(c["id"]), c["name"]),
                ],
                id="group-clients",
            ),
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


def _contacts() -> rx.Component:
    S = GroupState
    return fieldset(
        "admin.group.contacts",
        rx.text(T("admin.group.contacts_hint"), size="1", color_scheme="gray"),
        rx.cond(
            S.contacts.length() > 0,
            table(
                ["contacts.name", "contacts.email", "admin.contact.role", "contacts.actions"],
                S.contacts,
                cells=lambda u: [
                    u["name"],
                    u["email"],
                    T("admin.role." + u["role"]),
                    _remove_button("admin.group.revoke", S.revoke(u["id"]), u["email"]),
                ],
                id="group-contacts",
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
            dropdown(
                *code_options(enum_codes(MembershipRole), "admin.role."),
                name="role",
                id="group-grant-role",
                style=style.SELECT_FIT,
                aria_label=T("admin.contact.role"),
            ),
        ),
        field_error(S, "portal_user_id"),
        field_error(S, "role"),
        id="group-access",
    )


def group_page() -> rx.Component:
    S = GroupState
    return admin_shell(
        back_link("admin.groups.title", "/admin/groups"),
        rx.cond(
            S.missing,
            missing("admin.error.not_found", "group-missing", margin_top="0.75rem"),
            rx.box(
                rx.text(
                    rx.foreach(S.path, lambda n: rx.text.span(n, " › ")),
                    size="2",
                    color_scheme="gray",
                    margin_top="0.5rem",
                ),
                title(S.group["name"], id="group-title", margin_bottom="0.5rem"),
                admin_notice(S),
                field_error(S, "group_id"),
                rx.flex(
                    _settings(),
                    _members(),
                    _contacts(),
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
