"""Pieces of an admin record page (a property, a job, a quote, an invoice, a report):
its head (the title, "Job J-1042" or "New job", with its status, and the property it
belongs to), the card with the form of one of its parts (an asset, a remark, a
visit) and the actions of a section of its related records."""

from __future__ import annotations

import reflex as rx

from pool_portal.components.buttons import add_link
from pool_portal.components.fields import save_button
from pool_portal.components.i18n import T
from pool_portal.components.notices import form_error


def heading(doc, title_key: str, new_key: str, status_prefix: str, status_key: str = "status") -> rx.Component:
    """The title (id ``record-title``) and, once saved, the status badge (``record-status``)."""
    return rx.flex(
        rx.heading(
            rx.cond(doc["id"].to(str) == "", T(new_key), T(title_key) + " " + doc["number"].to(str)),
            size="6",
            as_="h1",
            id="record-title",
        ),
        rx.cond(
            doc["id"].to(str) != "",
            rx.badge(T(status_prefix + doc[status_key].to(str)), size="2", variant="soft", id="record-status"),
        ),
        spacing="3",
        align="center",
        wrap="wrap",
        margin_y="0.5rem",
    )


def site_link(doc) -> rx.Component:
    """ "Property: <name>", linking to the property's page (id ``record-site``)."""
    return rx.text(
        T("overlay.site"),
        ": ",
        rx.link(doc["site"].to(str), href="/admin/site?id=" + doc["site_id"].to(str), id="record-site"),
        size="2",
    )


def new_or_edit(row, new_key: str, edit_key: str) -> rx.Var:
    """ "New asset" while ``row`` is not saved yet (its id is ""), else "Edit asset"."""
    return rx.cond(row["id"].to(str) == "", T(new_key), T(edit_key))


def sub_form(
    S,
    row,
    title,
    *fields: rx.Component,
    prefix: str,
    on_submit,
    cancel_href,
    level: str = "h3",
    with_form_error: bool = True,
) -> rx.Component:
    """The form of a part of a record (a site's asset or remark, a job's visit) in a card
    (id ``<prefix>-form``), shown while the URL names one (``row`` has an "id")."""
    return rx.cond(
        row.contains("id"),
        rx.card(
            rx.heading(title, size="3", as_=level),
            rx.form(
                *fields,
                *([form_error(S)] if with_form_error else []),
                rx.flex(
                    save_button("data.save", f"{prefix}-save"),
                    rx.link(T("common.cancel"), href=cancel_href, size="2"),
                    spacing="3",
                    align="center",
                ),
                on_submit=on_submit,
                reset_on_submit=False,
            ),
            id=f"{prefix}-form",
            margin_bottom="0.75rem",
        ),
    )


def see_all_and_add(all_href, new_key: str, new_href, add_id: str) -> list[rx.Component]:
    """A section's actions: "See all" (the list, narrowed to this record) and "+ new"."""
    return [rx.link(T("data.see_all"), href=all_href, size="2"), add_link(new_key, new_href, add_id)]
