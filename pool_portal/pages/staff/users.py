"""Admin → Staff users (ADMIN): invite, roles, deactivate and reactivate."""

from __future__ import annotations

import reflex as rx

from pool_portal.components import style
from pool_portal.components.fields import text_field
from pool_portal.components.i18n import T
from pool_portal.components.layout import admin_shell, title
from pool_portal.components.notices import admin_notice
from pool_portal.components.sections import fieldset
from pool_portal.components.selects import code_options, dropdown, enum_codes, labelled_select
from pool_portal.components.tables import table
from pool_portal.models import StaffRole
from pool_portal.states.staff.users import StaffUsersState as S


def _roles() -> list[rx.Component]:
    return code_options(enum_codes(StaffRole), "admin.staff.role.")


def _row(u) -> rx.Component:
    return rx.table.row(
        rx.table.cell(u["name"], rx.cond(u["you"] != "", rx.badge(T("admin.staff.you"), margin_left="0.4rem"))),
        rx.table.cell(u["email"]),
        rx.table.cell(
            dropdown(
                *_roles(),
                value=u["role"],
                on_change=lambda role: S.set_role(u["id"], role),
                style=style.SELECT_FIT,
                aria_label=T("admin.staff.role") + " " + u["email"],
                id="staff-role-" + u["id"],
                disabled=u["active"] == "",
            ),
            rx.cond(
                S.row_errors.contains(u["id"]),
                rx.text(
                    T(S.row_errors[u["id"]].to(str)),
                    color_scheme="red",
                    size="2",
                    role="alert",
                    id="staff-error-" + u["id"],
                ),
            ),
        ),
        rx.table.cell(
            rx.cond(
                u["active"] == "",
                T("admin.staff.inactive"),
                rx.cond(u["invited"] != "", T("admin.staff.invited_status"), T("admin.staff.active")),
            )
        ),
        rx.table.cell(u["last_sign_in"]),
        rx.table.cell(
            rx.cond(
                u["active"] != "",
                rx.button(
                    T("admin.staff.deactivate"),
                    size="1",
                    variant="soft",
                    color_scheme="red",
                    on_click=S.set_active(u["id"], False),
                    aria_label=T("admin.staff.deactivate") + " " + u["email"],
                ),
                rx.button(
                    T("admin.staff.reactivate"),
                    size="1",
                    variant="soft",
                    on_click=S.set_active(u["id"], True),
                    aria_label=T("admin.staff.reactivate") + " " + u["email"],
                ),
            )
        ),
        id="staff-" + u["id"],
    )


def _invite() -> rx.Component:
    return fieldset(
        "admin.staff.invite_title",
        rx.form(
            rx.flex(
                text_field(S, "contacts.name", "name", "staff-name", max_length=120),
                text_field(
                    S, "contacts.email", "email", "staff-email", min_width="14rem", type="email", max_length=254
                ),
                labelled_select(
                    S, "admin.staff.role", "role", "staff-new-role", _roles(), default_value=StaffRole.OFFICE.value
                ),
                rx.button(T("admin.staff.invite"), type="submit", id="staff-invite"),
                spacing="3",
                wrap="wrap",
                align="end",
            ),
            on_submit=S.invite,
            reset_on_submit=False,
            no_validate=True,
            key="inv-" + S.form_key.to_string(),
        ),
        rx.text(T("admin.staff.roles_hint"), size="1", color_scheme="gray"),
    )


def staff_page() -> rx.Component:
    return admin_shell(
        title("admin.staff.title", margin_bottom="0.75rem"),
        admin_notice(S),
        table(
            [
                "contacts.name",
                "contacts.email",
                "admin.staff.role",
                "contacts.status",
                "contacts.last_login",
                "contacts.actions",
            ],
            S.staff,
            row=_row,
            id="staff-table",
        ),
        rx.box(_invite(), margin_top="1rem"),
    )
