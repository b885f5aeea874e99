"""Sign-in pages for the portal and the admin side.

The form posts natively to the backend route (/auth/login), which sets the HttpOnly
session cookie and redirects; the password never passes through Reflex state.
"""

from __future__ import annotations

import reflex as rx

from pool_portal.components.i18n import T, language_switch
from pool_portal.components.native_form import native_form
from pool_portal.states.base import LoginState


def _field(label_key: str, name: str, type_: str, autocomplete: str) -> rx.Component:
    return rx.flex(
        rx.el.label(T(label_key), html_for=f"login-{name}", style={"font_weight": "500"}),
        rx.input(
            id=f"login-{name}",
            name=name,
            type=type_,
            required=True,
            auto_complete=autocomplete,
            size="3",
            width="100%",
        ),
        direction="column",
        spacing="1",
        width="100%",
    )


def login_page(kind: str) -> rx.Component:
    title = "login.portal_title" if kind == "portal" else "login.admin_title"
    return rx.center(
        rx.card(
            native_form(
                rx.flex(
                    rx.flex(rx.spacer(), language_switch(), width="100%"),
                    rx.heading(T(title), size="6", as_="h1"),
                    rx.text(T("login.intro"), color_scheme="gray"),
                    rx.cond(
                        LoginState.error != "",
                        rx.callout(
                            rx.match(
                                LoginState.error,
                                ("missing", T("login.error.missing")),
                                ("throttled", T("login.error.throttled")),
                                T("login.error.invalid"),
                            ),
                            color_scheme="red",
                            role="alert",
                            id="login-error",
                            width="100%",
                        ),
                    ),
                    _field("field.email", "email", "email", "username"),
                    _field("field.password", "password", "password", "current-password"),
                    rx.el.input(type="hidden", name="kind", value=kind),
                    rx.button(T("login.submit"), type="submit", size="3", width="100%", id="login-submit"),
                    direction="column",
                    spacing="4",
                ),
                action="/auth/login",
                method="post",
            ),
            width="100%",
            max_width="420px",
        ),
        min_height="100vh",
        padding="1rem",
    )


def portal_login() -> rx.Component:
    return login_page("portal")


def admin_login() -> rx.Component:
    return login_page("staff")
