"""The one pager, for every list (portal lists, incidents, admin lists, clients,
notifications), and the line a list shows when it has nothing.

Each list keeps the ids and text its pager had: previous / next are ``page-prev`` /
``page-next`` ("‹ Previous", "Next ›") unless told otherwise; the page line is
``page_info`` ("Page 2 / 5 · 48 items", id ``page-info``) or ``page_of`` ("2 / 5")."""

from __future__ import annotations

import reflex as rx

from pool_portal.components.i18n import T


def page_info(S) -> rx.Component:
    """ "Page N / M · T items", for a state with ``page``, ``pages`` and ``total``."""
    return rx.text(
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
    )


def page_of(S, ident: str | None = None) -> rx.Component:
    """ "N / M"."""
    return rx.text(S.page.to_string(), " / ", S.pages.to_string(), size="2", id=ident)


def pager(
    info: rx.Component,
    prev_href,
    next_href,
    *,
    has_prev=None,
    has_next=None,
    prev_id: str = "page-prev",
    next_id: str = "page-next",
    arrows: bool = True,
    compact: bool = False,
    only_if=None,
) -> rx.Component:
    """Previous · ``info`` · next.

    ``prev_href`` / ``next_href``: the links (Vars); each shows when ``has_prev`` /
    ``has_next`` is true, by default when its href is not empty. ``arrows``: "‹ " and
    " ›" around the words. ``compact``: tighter spacing (incidents, clients,
    notifications). ``only_if``: show the pager only then (e.g. more than one page)."""
    has_prev = (prev_href != "") if has_prev is None else has_prev
    has_next = (next_href != "") if has_next is None else has_next
    previous = ("‹ ", T("list.previous")) if arrows else (T("list.previous"),)
    following = (T("list.next"), " ›") if arrows else (T("list.next"),)
    bar = rx.flex(
        rx.cond(has_prev, rx.link(*previous, href=prev_href, id=prev_id)),
        info,
        rx.cond(has_next, rx.link(*following, href=next_href, id=next_id)),
        spacing="3" if compact else "4",
        align="center",
        margin_top="0.5rem" if compact else "0.75rem",
    )
    return bar if only_if is None else rx.cond(only_if, bar)


def list_pager(S) -> rx.Component:
    """The pager of a list state with ``prev_href`` / ``next_href`` (portal lists, admin
    Data lists)."""
    return pager(page_info(S), S.prev_href, S.next_href)


def empty_line(S, text: rx.Component | rx.Var | str, **props) -> rx.Component:
    """What a list shows once it has loaded and counted no row (id ``list-empty``)."""
    return rx.cond(S.loaded & (S.total == 0), rx.text(text, id="list-empty", **props))
