"""Admin → Import: choose what to import, upload a CSV, read the dry run (errors per
row, what would be created or updated), then commit."""

from __future__ import annotations

import reflex as rx

from pool_portal.components import style, upload
from pool_portal.components.i18n import T
from pool_portal.components.layout import admin_shell, title
from pool_portal.components.selects import code_options, dropdown
from pool_portal.components.tables import table
from pool_portal.services.data_in import csv_import
from pool_portal.states.data_in.imports import ImportState

S = ImportState


def _busy():
    return (S.phase == "checking") | (S.phase == "committing")


def _columns() -> rx.Component:
    return rx.box(
        rx.text(T("import.columns"), weight="medium", size="2"),
        rx.flex(
            rx.foreach(
                S.columns,
                lambda c: rx.badge(
                    c[0],
                    rx.cond(c[1] == "required", " *", ""),
                    rx.cond(c[2] != "", ": " + c[2], ""),
                    variant=rx.cond(c[1] == "required", "solid", "outline"),
                    size="1",
                    style=style.WRAPPING_BADGE,
                ),
            ),
            spacing="1",
            wrap="wrap",
            id="import-columns",
        ),
        rx.text(T("import.columns_hint"), size="1", color_scheme="gray"),
        margin_y="0.5rem",
    )


def _picker() -> rx.Component:
    check = S.upload_file(rx.upload_files(upload_id="import-file"))
    return rx.flex(
        upload.dropzone("import-file", "file-spreadsheet", "import.file_hint", accept=upload.CSV),
        upload.selected_files("import-file", spacing="1"),
        rx.button(T("import.check"), id="import-check", on_click=check, disabled=_busy(), width="fit-content"),
        direction="column",
        spacing="2",
    )


def _progress() -> rx.Component:
    return rx.cond(
        _busy(),
        rx.flex(
            rx.spinner(size="2"),
            rx.text(rx.cond(S.phase == "checking", T("import.checking"), T("import.committing")), size="2"),
            rx.progress(value=S.progress_done, max=rx.cond(S.progress_total > 0, S.progress_total, 1), width="12rem"),
            rx.text(S.progress_done.to_string() + " / " + S.progress_total.to_string(), size="2"),
            spacing="3",
            align="center",
            wrap="wrap",
            id="import-progress",
            role="status",
        ),
    )


def _stat(label, value, element_id: str) -> rx.Component:
    return rx.data_list.item(rx.data_list.label(label), rx.data_list.value(value.to_string(), id=element_id))


def _errors_table() -> rx.Component:
    return table(
        ["import.line", "import.external_id", "import.column", "import.problem"],
        S.errors,
        row=lambda e: rx.table.row(
            rx.table.cell(e["line"]),
            rx.table.cell(e["external_id"]),
            rx.table.cell(rx.code(e["field"])),
            rx.table.cell(
                e["message"],
                rx.cond(
                    e["allowed"] != "",
                    rx.text(T("import.allowed"), " ", e["allowed"], size="1", color_scheme="gray"),
                ),
            ),
        ),
        id="import-errors",
        below=(
            rx.cond(
                S.error_count > S.errors.length(),
                rx.text(T("import.more_errors"), " ", S.error_count.to_string(), size="2"),
            ),
        ),
    )


def _result() -> rx.Component:
    done = S.phase == "done"
    return rx.cond(
        (S.phase == "checked") | done,
        rx.flex(
            rx.heading(rx.cond(done, T("import.done_title"), T("import.dry_run_title")), size="4", as_="h2"),
            rx.data_list.root(
                _stat(T("import.rows"), S.rows, "import-rows"),
                _stat(rx.cond(done, T("import.created"), T("import.to_create")), S.created, "import-created"),
                _stat(rx.cond(done, T("import.updated"), T("import.to_update")), S.updated, "import-updated"),
                _stat(T("import.errors"), S.error_count, "import-error-count"),
                orientation="horizontal",
            ),
            rx.cond(
                S.error_count > 0,
                rx.box(
                    rx.callout(
                        T("import.has_errors"),
                        color_scheme="red",
                        role="alert",
                        id="import-has-errors",
                        margin_bottom="0.5rem",
                    ),
                    _errors_table(),
                ),
                rx.cond(
                    done,
                    rx.callout(T("import.committed"), color_scheme="green", id="import-committed", role="status"),
                    rx.flex(
                        rx.button(
                            T("import.commit"), id="import-commit", on_click=S.commit_import, color_scheme="green"
                        ),
                        rx.text(T("import.commit_hint"), size="2"),
                        spacing="3",
                        align="center",
                        wrap="wrap",
                    ),
                ),
            ),
            rx.button(
                T("import.start_over"),
                variant="soft",
                on_click=S.start_over,
                id="import-start-over",
                width="fit-content",
            ),
            direction="column",
            spacing="3",
            margin_top="1rem",
        ),
    )


def import_page() -> rx.Component:
    return admin_shell(
        title("import.title", margin_bottom="0.5rem"),
        rx.text(T("import.intro"), size="2"),
        rx.flex(
            rx.el.label(T("import.kind"), html_for="import-kind"),
            dropdown(
                *code_options(csv_import.IMPORT_KINDS, "import.kind."),
                id="import-kind",
                value=S.kind,
                on_change=S.choose_kind,
                style=style.SELECT,
                disabled=_busy(),
            ),
            spacing="2",
            align="center",
            margin_top="0.75rem",
        ),
        _columns(),
        _picker(),
        rx.cond(
            S.file_error != "",
            rx.callout(
                T(S.file_error) + rx.cond(S.file_detail != "", ": " + S.file_detail, ""),
                color_scheme="red",
                role="alert",
                id="import-file-error",
                margin_top="0.75rem",
            ),
        ),
        rx.box(_progress(), margin_top="0.75rem"),
        _result(),
    )
