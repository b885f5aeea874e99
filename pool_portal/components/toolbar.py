"""Toolbars: the search and filter bars above a list, and the small forms that
download a PDF. A bar is a plain GET form (the browser submits it, so the query and
the filters go into the URL); a filter select submits the bar when it changes."""

from __future__ import annotations

import reflex as rx

from pool_portal.components import style
from pool_portal.components.i18n import T
from pool_portal.components.native_form import native_form
from pool_portal.components.selects import blank_option, choice_options, code_options, dropdown
from pool_portal.settings import get_settings


def submit_on_change(form_id: str):
    """The event that submits the form ``form_id`` (a filter changed)."""
    # run_script: a function compiled into the page; call_script would eval() a string,
    # which the Content-Security-Policy refuses (no 'unsafe-eval').
    return rx.run_script(f"document.getElementById('{form_id}').requestSubmit()")


def bar(*children, action: str, form_id: str, margin_bottom: str | None = "0.75rem") -> rx.Component:
    """A search / filter bar: a GET form to ``action`` whose controls wrap on a phone."""
    return native_form(
        rx.flex(*children, spacing="2", wrap="wrap", align="center", margin_bottom=margin_bottom),
        action=action,
        method="get",
        id=form_id,
    )


def hidden_label(label_key: str, html_for: str) -> rx.Component:
    """A label only screen readers read."""
    return rx.el.label(T(label_key), html_for=html_for, class_name="sr-only")


def search_input(ident: str, text, key, placeholder_key: str, **props) -> rx.Component:
    """The search box (``q``); ``key`` re-mounts it when the URL's query changes."""
    return rx.input(
        name="q",
        id=ident,
        default_value=text,
        key=key,
        type="search",
        placeholder=T(placeholder_key),
        max_length=100,
        **props,
    )


def search_form(on_submit, *, ident: str, go_id: str, label_key: str, placeholder_key: str, **props) -> rx.Component:
    """A search box handled by an event (``on_submit`` gets ``{"q": ...}``), not the URL."""
    return rx.form(
        rx.flex(
            hidden_label(label_key, ident),
            rx.input(
                id=ident,
                name="q",
                placeholder=T(placeholder_key),
                type="search",
                min_length=2,
                max_length=100,
                width="100%",
            ),
            go_button(go_id),
            spacing="2",
            width="100%",
            max_width="520px",
        ),
        on_submit=on_submit,
        reset_on_submit=False,
        role="search",
        **props,
    )


def go_button(ident: str | None = None) -> rx.Component:
    return rx.button(rx.icon("search", size=16), T("search.go"), type="submit", id=ident)


def clear_link(show, href) -> rx.Component:
    """ "Clear": back to the list without filters, when some are set."""
    return rx.cond(show, rx.link(T("list.clear"), href=href, id="list-clear", size="2"))


def list_search(S, kind: str) -> list[rx.Component]:
    """The search box of a list (id ``list-q``) and its hidden label."""
    return [
        hidden_label("list.search", "list-q"),
        search_input("list-q", S.text, f"{kind}-q-" + S.text, "list.search"),
    ]


def filter_select(
    S, kind: str, name: str, label_key: str, *, codes: tuple[str, ...] = (), code_prefix: str = "", choices=None
) -> rx.Component:
    """A filter of an admin Data list's bar (id ``filter-<name>``); ``label_key`` names
    its empty choice ("Any status")."""
    options = [blank_option(label_key), *code_options(codes, code_prefix)]
    if choices is not None:
        options.append(choice_options(choices))
    return dropdown(
        *options,
        name=name,
        id=f"filter-{name}",
        value=rx.cond(S.filters.contains(name), S.filters[name].to(str), ""),
        aria_label=T(label_key),
        style=style.FIELD_SMALL,
        on_change=submit_on_change(f"{kind}-filters"),
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


def download_form(path: str, button_key: str, button_id: str, *fields: rx.Component) -> rx.Component:
    """A plain GET form: the browser downloads the file (a PDF) from the authorising
    route ``path``, with ``fields`` as the query."""
    return native_form(
        rx.flex(
            *fields,
            rx.button(rx.icon("download", size=16), T(button_key), type="submit", variant="soft", id=button_id),
            spacing="2",
            align="center",
            wrap="wrap",
            margin_top="0.75rem",
        ),
        action=get_settings().form_action(path),
        method="get",
    )


def small_label(label_key: str, html_for: str) -> rx.Component:
    return rx.el.label(T(label_key), html_for=html_for, style=style.SMALL_LABEL)
