"""The pages a mailed link opens, and the change-password page."""

from __future__ import annotations

import reflex as rx

from pool_portal.components.fields import sign_in_field
from pool_portal.components.i18n import T
from pool_portal.components.layout import card_page
from pool_portal.components.native_form import native_form
from pool_portal.components.notices import alert
from pool_portal.settings import get_settings
from pool_portal.states.identity.sign_in import LinkState, PasswordState


def _expired(ask_again: str = "/portal/login", ask_key: str = "link.ask_again") -> rx.Component:
    return rx.flex(
        alert(T("link.invalid"), id="link-invalid"),
        rx.link(T(ask_key), href=ask_again),
        direction="column",
        spacing="3",
    )


def magic_page() -> rx.Component:
    return card_page(
        rx.heading(T("link.magic_title"), size="6", as_="h1"),
        rx.cond(
            LinkState.link_valid,
            native_form(
                rx.flex(
                    rx.text(T("link.magic_intro")),
                    rx.el.input(type="hidden", name="token", value=LinkState.link_token),
                    rx.button(T("login.submit"), type="submit", size="3", width="100%", id="magic-submit"),
                    direction="column",
                    spacing="3",
                ),
                action=get_settings().form_action("/auth/magic"),
                method="post",
            ),
            rx.cond(LinkState.checked, _expired(), rx.text(T("common.loading"))),
        ),
    )


def _password_fields(error_var) -> list[rx.Component]:
    return [
        rx.cond(
            error_var != "",
            alert(
                rx.match(
                    error_var,
                    ("password.too_short", T("password.too_short")),
                    ("password.too_long", T("password.too_long")),
                    ("password.mismatch", T("password.mismatch")),
                    T("link.invalid"),
                ),
                id="password-error",
            ),
        ),
        sign_in_field(
            "field.new_password", "password", "password", "new-password", id_prefix="pw", required=True, min_length=8
        ),
        sign_in_field("field.confirm_password", "confirm", "password", "new-password", id_prefix="pw", required=True),
        rx.text(T("password.rules"), size="1", color_scheme="gray"),
    ]


def set_password_page(
    action: str = "/auth/set-password", ask_again: str = "/portal/login", ask_key: str = "link.ask_again"
) -> rx.Component:
    return card_page(
        rx.heading(T("link.set_password_title"), size="6", as_="h1"),
        rx.cond(
            LinkState.link_valid,
            native_form(
                rx.flex(
                    *_password_fields(LinkState.error),
                    rx.el.input(type="hidden", name="token", value=LinkState.link_token),
                    rx.button(T("password.save"), type="submit", size="3", width="100%", id="password-submit"),
                    direction="column",
                    spacing="3",
                ),
                action=get_settings().form_action(action),
                method="post",
            ),
            rx.cond(LinkState.checked, _expired(ask_again, ask_key), rx.text(T("common.loading"))),
        ),
    )


def staff_set_password_page() -> rx.Component:
    """/admin/set-password: a staff invitation sets the first password here."""
    return set_password_page("/auth/staff-set-password", "/admin/login", "link.staff_ask_again")


def _change_error() -> rx.Component:
    return rx.cond(
        PasswordState.error != "",
        alert(
            rx.match(
                PasswordState.error,
                ("password.too_short", T("password.too_short")),
                ("password.too_long", T("password.too_long")),
                ("password.mismatch", T("password.mismatch")),
                ("password.wrong_current", T("password.wrong_current")),
                ("password.same_as_current", T("password.same_as_current")),
                ("password.throttled", T("password.throttled")),
                T("link.invalid"),
            ),
            id="password-error",
        ),
    )


def _change_form() -> rx.Component:
    return rx.flex(
        rx.text(rx.cond(PasswordState.required, T("password.change_intro"), T("password.change_intro_voluntary"))),
        native_form(
            rx.flex(
                _change_error(),
                sign_in_field(
                    "field.current_password", "current", "password", "current-password", id_prefix="pw", required=True
                ),
                sign_in_field(
                    "field.new_password",
                    "password",
                    "password",
                    "new-password",
                    id_prefix="pw",
                    required=True,
                    min_length=8,
                ),
                sign_in_field(
                    "field.confirm_password", "confirm", "password", "new-password", id_prefix="pw", required=True
                ),
                rx.text(T("password.rules"), size="1", color_scheme="gray"),
                rx.button(T("password.save_only"), type="submit", size="3", width="100%", id="password-submit"),
                direction="column",
                spacing="3",
            ),
            action=get_settings().form_action("/auth/change-password"),
            method="post",
        ),
        direction="column",
        spacing="3",
    )


def _changed() -> rx.Component:
    return rx.flex(
        alert(T("password.changed"), id="password-changed", color="green"),
        rx.text(PasswordState.signed_out_message, id="password-signed-out"),
        rx.link(T("password.continue"), href=PasswordState.home, id="password-continue"),
        direction="column",
        spacing="3",
    )


def change_password_page() -> rx.Component:
    """/portal/password and /admin/password: the current password, then the new one."""
    return card_page(
        rx.heading(T("password.change_title"), size="6", as_="h1"),
        rx.cond(PasswordState.changed, _changed(), _change_form()),
    )
