"""Sign-in pages for the portal and the admin side.

The password form posts natively to the backend route (/auth/login), which sets the
HttpOnly session cookie and redirects; the password never passes through Reflex
state. The "email me a link" forms go through event handlers and always answer the
same whether or not the address is known.
"""

from __future__ import annotations

import reflex as rx

from pool_portal.components.fields import sign_in_field
from pool_portal.components.i18n import T
from pool_portal.components.layout import card_page
from pool_portal.components.native_form import native_form
from pool_portal.components.notices import alert
from pool_portal.settings import get_settings
from pool_portal.states.identity.sign_in import LoginState


def _status(var, id_: str) -> rx.Component:
    return rx.match(
        var,
        ("sent", alert(T("login.link_sent"), id=id_, color="green")),
        ("invalid_email", alert(T("login.error.bad_email"), id=id_)),
        ("rate_limited", alert(T("login.error.rate_limited"), id=id_)),
        rx.fragment(),
    )


def _magic_link_form() -> rx.Component:
    return rx.form(
        rx.flex(
            sign_in_field("field.email", "email", "email", "username", id_prefix="link", required=True),
            rx.button(T("login.send_link"), type="submit", size="3", width="100%", id="link-submit"),
            _status(LoginState.link_status, "link-status"),
            direction="column",
            spacing="3",
        ),
        on_submit=LoginState.request_link,
        reset_on_submit=False,
    )


def _reset_form() -> rx.Component:
    return rx.box(
        rx.link(T("login.forgot"), on_click=LoginState.toggle_reset, href="#", id="forgot-toggle", size="2"),
        rx.cond(
            LoginState.show_reset,
            rx.form(
                rx.flex(
                    rx.text(T("login.reset_intro"), size="2"),
                    sign_in_field("field.email", "email", "email", "username", id_prefix="reset", required=True),
                    rx.button(T("login.send_reset"), type="submit", variant="soft", width="100%", id="reset-submit"),
                    _status(LoginState.reset_status, "reset-status"),
                    direction="column",
                    spacing="3",
                    margin_top="0.75rem",
                ),
                on_submit=LoginState.request_reset,
                reset_on_submit=False,
            ),
        ),
    )


def _password_form(kind: str) -> rx.Component:
    return native_form(
        rx.flex(
            rx.cond(
                LoginState.error != "",
                alert(
                    rx.match(
                        LoginState.error,
                        ("missing", T("login.error.missing")),
                        ("throttled", T("login.error.throttled")),
                        T("login.error.invalid"),
                    ),
                    id="login-error",
                ),
            ),
            sign_in_field("field.email", "email", "email", "username", id_prefix="login", required=True),
            sign_in_field(
                "field.password", "password", "password", "current-password", id_prefix="login", required=True
            ),
            rx.el.input(type="hidden", name="kind", value=kind),
            rx.button(T("login.submit"), type="submit", size="3", width="100%", id="login-submit"),
            direction="column",
            spacing="3",
        ),
        action=get_settings().form_action("/auth/login"),
        method="post",
    )


def portal_login() -> rx.Component:
    return card_page(
        rx.heading(T("login.portal_title"), size="6", as_="h1"),
        rx.text(T("login.link_intro"), color_scheme="gray"),
        _magic_link_form(),
        rx.divider(),
        rx.text(T("login.password_intro"), color_scheme="gray", size="2"),
        _password_form("portal"),
        _reset_form(),
    )


def admin_login() -> rx.Component:
    return card_page(
        rx.heading(T("login.admin_title"), size="6", as_="h1"),
        rx.text(T("login.intro"), color_scheme="gray"),
        _password_form("staff"),
    )
