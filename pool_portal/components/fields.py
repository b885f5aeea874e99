"""Fields: labelled inputs (text, number, date, multi-line), checkboxes and the message
next to a field.

Three kinds of form use them:
- the sign-in and password cards: ``sign_in_field`` (a large input, label above);
- the admin one-line forms (add a contact, invite staff, a group's name):
  ``labelled``, ``text_field``, ``checkbox``;
- the admin record forms (Data pages): ``record_field``, ``record_checkbox`` in a
  ``grid``, with ``save_button``. Such a field is uncontrolled (its value travels with
  the form's submit, no event per keystroke); its ``key`` carries the state's
  ``version`` so that new values from the server re-mount it.

The server's message for a field is a catalogue key in ``state.errors[field]``;
``field_error`` shows it (id ``error-<field>``)."""

from __future__ import annotations

import reflex as rx

from pool_portal.components import style
from pool_portal.components.i18n import T


def field_error(state, key: str | rx.Var, ident: str | rx.Var | None = None) -> rx.Component:
    """The message for ``key`` in ``state.errors``, next to its field. Its id is
    ``error-<key>`` (dots as dashes); pass ``ident`` when ``key`` is a Var."""
    if ident is None:
        ident = "error-" + key.replace(".", "-")
    return rx.cond(
        state.errors.contains(key),
        rx.text(T(state.errors[key].to(str)), color_scheme="red", size="2", role="alert", id=ident),
    )


def dom_value(element_id: str) -> rx.Var:
    """A form field's current value, read in the browser when the event fires (so the
    fields travel with an upload, without a round trip per keystroke)."""
    return rx.Var(f"(document.getElementById('{element_id}')?.value ?? '')", _var_type=str)


def dom_checked(element_id: str) -> rx.Var:
    """A checkbox's state read in the browser when the event fires: "on" or ""."""
    return rx.Var(f"(document.getElementById('{element_id}')?.checked ? 'on' : '')", _var_type=str)


# -- the sign-in and password cards -------------------------------------------------------------
def sign_in_field(
    label_key: str, name: str, type_: str = "text", autocomplete: str = "off", *, id_prefix: str = "f", **props
) -> rx.Component:
    """A large labelled input; the label is tied to the input for screen readers."""
    return rx.flex(
        rx.el.label(T(label_key), html_for=f"{id_prefix}-{name}", style=style.LABEL),
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


# -- the admin one-line forms -------------------------------------------------------------------
def labelled(
    state, label_key: str, field: str, control: rx.Component, control_id: str, min_width: str | None = None
) -> rx.Component:
    """A label tied to ``control``, the control, and the server's message for ``field``."""
    return rx.box(
        rx.el.label(T(label_key), html_for=control_id),
        control,
        field_error(state, field),
        min_width=min_width,
        max_width="100%",
    )


def text_field(state, label_key: str, name: str, control_id: str, *, min_width: str = "12rem", **props) -> rx.Component:
    return labelled(state, label_key, name, rx.input(name=name, id=control_id, **props), control_id, min_width)


def checkbox(name, label, checked, id_) -> rx.Component:
    """A checkbox inside its label (``checked``: its initial state)."""
    return rx.el.label(
        rx.el.input(type="checkbox", name=name, default_checked=checked, id=id_),
        label,
        style=style.CHECK_LABEL,
    )


# -- the admin record forms ---------------------------------------------------------------------
def field_label(label_key: str, ident: str, required: bool = False) -> rx.Component:
    """A record form's label, with a red star when the field is required."""
    return rx.el.label(
        T(label_key),
        rx.cond(required, rx.text.span(" *", color_scheme="red", aria_hidden="true"), ""),
        html_for=ident,
        style=style.FIELD_LABEL,
    )


def current(values, name: str) -> rx.Var:
    """The record's value for ``name`` as text ("" when it has none)."""
    return rx.cond(values.contains(name), values[name].to(str), "")


def version_key(S, ident: str) -> rx.Var:
    """A key that changes with the state's ``version`` (new values re-mount the field)."""
    return f"{ident}-" + S.version.to_string()


def record_field(
    S,
    values,
    name: str,
    label_key: str,
    *,
    prefix: str,
    kind: str = "text",
    max_length: int = 200,
    required: bool = False,
    hint: str | None = None,
    **props,
) -> rx.Component:
    """A text, date, number or multi-line (``kind="textarea"``) field of ``values``."""
    ident = f"{prefix}-{name}"
    common = dict(
        id=ident,
        name=name,
        default_value=current(values, name),
        key=version_key(S, ident),
        aria_invalid=rx.cond(S.errors.contains(name), "true", "false"),
        aria_describedby=f"error-{name}",
        **props,
    )
    if kind == "textarea":
        control = rx.el.textarea(rows="3", max_length=max_length, style=style.FIELD, **common)
    else:
        control = rx.el.input(
            type=kind, max_length=max_length, style=style.FIELD, aria_required="true" if required else "false", **common
        )
    return rx.flex(
        field_label(label_key, ident, required),
        control,
        rx.text(T(hint), size="1", color_scheme="gray") if hint else rx.fragment(),
        field_error(S, name),
        direction="column",
        spacing="1",
        width="100%",
    )


def record_checkbox(S, values, name: str, label_key: str, *, prefix: str) -> rx.Component:
    ident = f"{prefix}-{name}"
    return rx.flex(
        rx.el.input(
            type="checkbox",
            id=ident,
            name=name,
            value="on",
            default_checked=values.contains(name) & (values[name].to(str) != ""),
            key=version_key(S, ident),
        ),
        rx.el.label(T(label_key), html_for=ident),
        field_error(S, name),
        spacing="2",
        align="center",
    )


def grid(*children) -> rx.Component:
    """A record form's fields: one column on a phone, two from small screens up."""
    return rx.grid(*children, columns=rx.breakpoints(initial="1", sm="2"), spacing="3", width="100%")


def save_button(label_key: str, ident: str) -> rx.Component:
    return rx.button(T(label_key), type="submit", id=ident, margin_top="0.5rem")
