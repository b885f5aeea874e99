"""An incident's thread, as both sides see it: the messages, internal notes and the
closure in order, each with its author, time and photos. Message text is shown as
text, never as HTML."""

from __future__ import annotations

import reflex as rx

from pool_portal.components.i18n import T


def photo_strip(photos) -> rx.Component:
    """Thumbnails of a message's photos (``photos``: their ids, comma-separated)."""
    return rx.cond(
        photos != "",
        rx.flex(
            rx.foreach(
                photos.to(str).split(","),
                lambda pid: rx.link(
                    rx.image(
                        src="/files/incident-photo/" + pid + "?size=thumb",
                        alt=T("incident.photo"),
                        width="96px",
                        height="96px",
                        object_fit="cover",
                        border_radius="6px",
                        loading="lazy",
                    ),
                    href="/files/incident-photo/" + pid,
                    is_external=True,
                ),
            ),
            spacing="2",
            wrap="wrap",
            margin_top="0.4rem",
        ),
    )


def _entry(e) -> rx.Component:
    resolution = e["kind"] == "resolution"
    label = rx.cond(
        resolution,
        T("incident.closure"),
        rx.cond(
            e["internal"] != "",
            T("incident.internal_note"),
            rx.cond(
                e["author"] == "CLIENT",
                rx.cond(e["name"] != "", e["name"], T("incident.you")),
                rx.cond(e["name"] != "", e["name"], T("incident.team")),
            ),
        ),
    )
    return rx.box(
        rx.flex(
            rx.text(label, weight="bold", size="2"),
            rx.text(e["at"], size="1", color_scheme="gray"),
            spacing="2",
            align="baseline",
        ),
        # Plain text: the body is never rendered as HTML.
        rx.text(e["body"], white_space="pre-wrap", size="2"),
        photo_strip(e["photos"]),
        padding="0.6rem 0.8rem",
        border_radius="8px",
        background=rx.cond(
            resolution,
            "var(--green-3)",
            rx.cond(
                e["internal"] != "",
                "var(--amber-3)",
                rx.cond(e["author"] == "CLIENT", "var(--gray-3)", "var(--accent-3)"),
            ),
        ),
        class_name=rx.cond(e["internal"] != "", "thread-entry internal", "thread-entry"),
    )


def timeline(state) -> rx.Component:
    """``state.thread``, oldest first (announced to screen readers as it grows)."""
    return rx.flex(rx.foreach(state.thread, _entry), direction="column", spacing="2", id="thread", aria_live="polite")
