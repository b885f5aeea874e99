"""Form and list pieces of the admin Data pages: labelled fields with their message
next to them, selects of coded values, sections, the list toolbar and pager.

A field is uncontrolled (its value travels with the form's submit, no event per
keystroke); its ``key`` carries the state's ``version`` so that new values from the
server re-mount it."""

from __future__ import annotations

import reflex as rx

from pool_portal.components.i18n import T
from pool_portal.components.native_form import native_form

STYLE = {
    "padding": "0.4rem",
    "border_radius": "6px",
    "border": "1px solid var(--gray-7)",
    "width": "100%",
    "background": "var(--color-background)",
    "font_size": "0.9rem",
}
SMALL = {**STYLE, "width": "auto", "max_width": "14rem"}


def error_text(S, key, ident=None) -> rx.Component:
    """The message for ``key`` (a str, or a Var with its ``ident``) from ``S.errors``."""
    if ident is None:
        ident = "error-" + key.replace(".", "-")
    return rx.cond(
        S.errors.contains(key),
        rx.text(S.tr[S.errors[key].to(str)].to(str), color_scheme="red", size="2", role="alert", id=ident),
    )


def _label(label_key: str, ident: str, required: bool) -> rx.Component:
    return rx.el.label(
        T(label_key),
        rx.cond(required, rx.text.span(" *", color_scheme="red", aria_hidden="true"), ""),
        html_for=ident,
        style={"font_weight": "500", "font_size": "0.9rem"},
    )


def field(
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
    """A text, date, number or multi-line (``kind="textarea"``) field."""
    ident = f"{prefix}-{name}"
    value = rx.cond(values.contains(name), values[name].to(str), "")
    common = dict(
        id=ident,
        name=name,
        default_value=value,
        key=f"{ident}-" + S.version.to_string(),
        aria_invalid=rx.cond(S.errors.contains(name), "true", "false"),
        aria_describedby=f"error-{name}",
        **props,
    )
    if kind == "textarea":
        control = rx.el.textarea(rows="3", max_length=max_length, style=STYLE, **common)
    else:
        control = rx.el.input(
            type=kind, max_length=max_length, style=STYLE, aria_required="true" if required else "false", **common
        )
    return rx.flex(
        _label(label_key, ident, required),
        control,
        rx.text(T(hint), size="1", color_scheme="gray") if hint else rx.fragment(),
        error_text(S, name),
        direction="column",
        spacing="1",
        width="100%",
    )


def select(
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
    """A select of coded values (labels from the catalogue: ``code_prefix`` + code) or of
    ``choices`` ([id, label] pairs from the state); ``blank`` labels an empty choice."""
    ident = f"{prefix}-{name}"
    value = rx.cond(values.contains(name), values[name].to(str), "")
    options = [rx.el.option(T(blank), value="")] if blank else []
    options += [rx.el.option(T(code_prefix + c), value=c) for c in codes]
    if choices is not None:
        options.append(rx.foreach(choices, lambda c: rx.el.option(c[1], value=c[0])))
    return rx.flex(
        _label(label_key, ident, required),
        rx.el.select(
            *options, id=ident, name=name, default_value=value, key=f"{ident}-" + S.version.to_string(), style=STYLE
        ),
        error_text(S, name),
        direction="column",
        spacing="1",
        width="100%",
    )


def checkbox(S, values, name: str, label_key: str, *, prefix: str) -> rx.Component:
    ident = f"{prefix}-{name}"
    return rx.flex(
        rx.el.input(
            type="checkbox",
            id=ident,
            name=name,
            value="on",
            default_checked=values.contains(name) & (values[name].to(str) != ""),
            key=f"{ident}-" + S.version.to_string(),
        ),
        rx.el.label(T(label_key), html_for=ident),
        error_text(S, name),
        spacing="2",
        align="center",
    )


def grid(*children) -> rx.Component:
    return rx.grid(*children, columns=rx.breakpoints(initial="1", sm="2"), spacing="3", width="100%")


def save_button(label_key: str, ident: str) -> rx.Component:
    return rx.button(T(label_key), type="submit", id=ident, margin_top="0.5rem")


def section(title_key: str, *children, ident: str, actions: list | None = None) -> rx.Component:
    return rx.el.section(
        rx.flex(
            rx.heading(T(title_key), size="4", as_="h2"),
            rx.spacer(),
            *(actions or []),
            align="center",
            spacing="3",
            wrap="wrap",
            margin_bottom="0.5rem",
        ),
        *children,
        id=ident,
        aria_label=T(title_key),
        style={"padding": "0.75rem", "border": "1px solid var(--gray-5)", "border_radius": "8px", "margin_top": "1rem"},
    )


def notice(S) -> rx.Component:
    return rx.cond(
        S.notice != "",
        rx.callout(S.tr[S.notice].to(str), id="data-notice", role="status", color_scheme="green", margin_y="0.5rem"),
    )


def form_error(S) -> rx.Component:
    return rx.cond(
        S.errors.contains("form"),
        rx.callout(
            S.tr[S.errors["form"].to(str)].to(str), color_scheme="red", role="alert", id="error-form", margin_y="0.5rem"
        ),
    )


def missing(S, key: str = "data.not_found") -> rx.Component:
    return rx.callout(T(key), id="data-missing", margin_top="0.75rem")


def coded(S, prefix: str, value) -> rx.Component:
    return rx.text(S.tr[prefix + value].to(str))


def table(columns: list[str], rows, row, *, ident: str) -> rx.Component:
    """A table: header keys, the rows var and ``row(r)`` -> list of cells."""
    return rx.box(
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(T(c)) for c in columns])),
            rx.table.body(rx.foreach(rows, lambda r: rx.table.row(*[rx.table.cell(c) for c in row(r)]))),
            id=ident,
            width="100%",
            variant="surface",
            size="1",
        ),
        overflow_x="auto",
    )


def toolbar(S, kind: str, *filters: rx.Component, new_href: str | None = None) -> rx.Component:
    """The list's search form: a plain GET form, so the query goes into the URL."""
    form_id = f"{kind}-filters"
    return native_form(
        rx.flex(
            *filters,
            rx.el.label(T("list.search"), html_for="list-q", class_name="sr-only"),
            rx.input(
                name="q",
                id="list-q",
                default_value=S.text,
                key=f"{kind}-q-" + S.text,
                type="search",
                placeholder=T("list.search"),
                max_length=100,
            ),
            rx.button(rx.icon("search", size=16), T("search.go"), type="submit", id="list-go"),
            rx.cond(S.filtered, rx.link(T("list.clear"), href=f"/admin/{kind}", id="list-clear", size="2")),
            spacing="2",
            wrap="wrap",
            align="center",
            margin_bottom="0.75rem",
        ),
        action=f"/admin/{kind}",
        method="get",
        id=form_id,
    )


def filter_select(
    S, kind: str, name: str, label_key: str, *, codes: tuple[str, ...] = (), code_prefix: str = "", choices=None
) -> rx.Component:
    """A filter of the list toolbar; changing it submits the form."""
    value = rx.cond(S.filters.contains(name), S.filters[name].to(str), "")
    options = [rx.el.option(T(label_key), value="")]
    options += [rx.el.option(T(code_prefix + c), value=c) for c in codes]
    if choices is not None:
        options.append(rx.foreach(choices, lambda c: rx.el.option(c[1], value=c[0])))
    return rx.el.select(
        *options,
        name=name,
        id=f"filter-{name}",
        value=value,
        aria_label=T(label_key),
        style=SMALL,
        on_change=rx.call_script(f"document.getElementById('{kind}-filters').requestSubmit()"),
    )


def site_filter(S) -> rx.Component:
    """The property a list is narrowed to (from a site page's "see all" link)."""
    return rx.cond(
        S.filters.contains("site"),
        rx.fragment(
            rx.el.input(type="hidden", name="site", value=S.filters["site"].to(str)),
            rx.badge(T("overlay.site"), ": ", S.site_name, variant="soft", size="2", id="filter-site-badge"),
        ),
    )


def pager(S) -> rx.Component:
    return rx.box(
        rx.cond(
            S.loaded & (S.total == 0),
            rx.text(rx.cond(S.filtered, T("list.no_match"), T("list.empty")), id="list-empty", margin_top="0.5rem"),
        ),
        rx.flex(
            rx.cond(S.prev_href != "", rx.link("‹ ", T("list.previous"), href=S.prev_href, id="page-prev")),
            rx.text(
                T("list.page"),
                " ",
                S.page.to_string(),
                " / ",
                S.pages.to_string(),
                " · ",
                S.total.to_string(),
                " ",
                T("list.items"),
                size="2",
                id="page-info",
            ),
            rx.cond(S.next_href != "", rx.link(T("list.next"), " ›", href=S.next_href, id="page-next")),
            spacing="4",
            align="center",
            margin_top="0.75rem",
        ),
    )


def back(label_key: str, href: str) -> rx.Component:
    return rx.link("‹ ", T(label_key), href=href, size="2")
