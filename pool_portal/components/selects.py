"""Selects: the native ``<select>`` element, its options (coded values through the
catalogue, [id, label] choices from a state), the admin forms' labelled select and
the record forms' select. Styles are in ``components/style.py``."""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum

import reflex as rx
from reflex_components_core.el.elements.forms import Select

from pool_portal.components import style
from pool_portal.components.fields import current, field_error, field_label, labelled, version_key
from pool_portal.components.i18n import T


def dropdown(*options, style: dict | None = style.SELECT, **props) -> rx.Component:
    """A native ``<select>`` of ``options`` (``rx.el.option``s, or a foreach of them)."""
    return Select.create(*options, style=style, **props)


def enum_codes(enum_cls: type[Enum], *extra: str) -> tuple[str, ...]:
    """The codes of an enum (and any ``extra`` ones), in order."""
    return tuple(e.value for e in enum_cls) + extra


def code_options(values: Iterable[str], prefix: str) -> list[rx.Component]:
    """An option per code, labelled from the catalogue (``prefix`` + code)."""
    return [rx.el.option(T(prefix + c), value=c) for c in values]


def choice_options(choices) -> rx.Component:
    """An option per [id, label] pair of a state's list."""
    return rx.foreach(choices, lambda c: rx.el.option(c[1], value=c[0]))


def blank_option(label_key: str) -> rx.Component:
    """The empty choice ("Any client", "None"...)."""
    return rx.el.option(T(label_key), value="")


def labelled_select(state, label_key: str, name: str, control_id: str, options: list, **props) -> rx.Component:
    """An admin one-line form's select, with its label and the message for ``name``."""
    control = dropdown(*options, name=name, id=control_id, style=style.SELECT_FIT, **props)
    return labelled(state, label_key, name, control, control_id)


def record_select(
    S,
    values,
    name: str,
    label_key: str,
    *,
    prefix: str,
    codes: tuple[str, ...] = (),
    code_prefix: str = "",
    choices=None,
    blank: str | None = None,
    required: bool = False,
) -> rx.Component:
    """A record form's select of coded values (labels from the catalogue: ``code_prefix``
    + code) or of ``choices`` ([id, label] pairs from the state); ``blank`` labels an
    empty choice."""
    ident = f"{prefix}-{name}"
    options = [blank_option(blank)] if blank else []
    options += code_options(codes, code_prefix)
    if choices is not None:
        options.append(choice_options(choices))
    return rx.flex(
        field_label(label_key, ident, required),
        dropdown(
            *options,
            id=ident,
            name=name,
            default_value=current(values, name),
            key=version_key(S, ident),
            style=style.FIELD,
        ),
        field_error(S, name),
        direction="column",
        spacing="1",
        width="100%",
    )
