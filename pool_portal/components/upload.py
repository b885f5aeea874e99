"""Files: a drop zone to upload them (click or drop), the names of the files chosen,
the types each upload accepts, and a list of documents to download. Uploaded files
travel with the event that reads ``rx.upload_files(upload_id=...)``."""

from __future__ import annotations

import reflex as rx

from pool_portal.components.i18n import T

IMAGES = {"image/jpeg": [".jpg", ".jpeg"], "image/png": [".png"], "image/webp": [".webp"]}
DOCUMENTS = {"application/pdf": [".pdf"], **IMAGES}  # PDFs and images (site documents, signed quotes)
CSV = {"text/csv": [".csv"], "text/plain": [".csv", ".txt"], "application/vnd.ms-excel": [".csv"]}


def dropzone(
    upload_id: str,
    icon: str,
    hint_key: str,
    *,
    accept: dict,
    max_files: int = 1,
    icon_size: int = 18,
    padding: str = "0.75rem",
    **props,
) -> rx.Component:
    """A dashed drop zone: an icon and a hint; one file unless ``max_files`` says more."""
    return rx.upload(
        rx.flex(rx.icon(icon, size=icon_size), rx.text(T(hint_key), size="2"), spacing="2", align="center"),
        id=upload_id,
        multiple=max_files > 1,
        max_files=max_files,
        accept=accept,
        border="1px dashed var(--gray-8)",
        padding=padding,
        border_radius="8px",
        **props,
    )


def selected_files(upload_id: str, **props) -> rx.Component:
    """The names of the files chosen in ``upload_id`` (id ``<upload_id>-selected``)."""
    return rx.flex(
        rx.foreach(rx.selected_files(upload_id), lambda f: rx.badge(f, variant="outline")),
        id=f"{upload_id}-selected",
        **props,
    )


def download_list(documents, ident: str, empty_key: str) -> rx.Component:
    """Shared documents to download (``documents``: rows with id, title and size)."""
    return rx.cond(
        documents.length() > 0,
        rx.el.ul(
            rx.foreach(
                documents,
                lambda d: rx.el.li(
                    rx.link(
                        rx.icon("file-down", size=14),
                        " ",
                        d["title"],
                        href="/files/document/" + d["id"],
                        is_external=True,
                    ),
                    rx.text(" (", d["size"], ")", as_="span", size="1", color_scheme="gray"),
                ),
            ),
            id=ident,
        ),
        rx.text(T(empty_key), size="2"),
    )
