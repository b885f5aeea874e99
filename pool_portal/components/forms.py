"""Form pieces shared by the sign-in and password pages."""

from __future__ import annotations

import reflex as rx

from pool_portal.components.i18n import T


def field(
    label_key: str, name: str, type_: str = "text", autocomplete: str = "off", *, id_prefix: str = "f", **props
) -> rx.Component:
    """A labelled input; the label is tied to the input for screen readers."""
    return rx.flex(
        rx.el.label(T(label_key), html_for=f"{id_prefix}-{name}", style={"font_weight": "500"}),
        rx.input(
            id=f"{id_prefix}-{name}",
            name=name,
            type=type_,
            auto_complete=autocomplete,
            size="3",
            width="100%",
            **props,
        ),
        direction="column",
        spacing="1",
        width="100%",
    )


def alert(message: rx.Var | str, *, id: str, color: str = "red") -> rx.Component:
    return rx.callout(message, color_scheme=color, role="alert" if color == "red" else "status", id=id, width="100%")


def card_page(*children: rx.Component) -> rx.Component:
    """A centred card, for the pages before sign-in."""
    from pool_portal.components.i18n import language_switch

    return rx.el.main(  # the page's main landmark
        rx.center(
            rx.card(
                rx.flex(
                    rx.flex(rx.spacer(), language_switch(), width="100%"),
                    *children,
                    direction="column",
                    spacing="4",
                ),
                width="100%",
                max_width="440px",
            ),
            min_height="100vh",
            padding="1rem",
        ),
    )


def field_error(state, field: str, prefix: str = "") -> rx.Component:
    """The message for ``field`` in ``state.errors`` (a catalogue key), next to the field."""
    return rx.cond(
        state.errors.contains(field),
        rx.text(
            state.tr[state.errors[field].to(str)].to(str),
            color_scheme="red",
            size="2",
            role="alert",
            id=f"{prefix}error-{field}",
        ),
    )
