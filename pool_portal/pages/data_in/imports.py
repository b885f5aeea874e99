"""Admin → Import: choose what to import, upload a CSV, read the dry run (errors per
row, what would be created or updated), then commit."""

from __future__ import annotations

import reflex as rx

from pool_portal.components.i18n import T
from pool_portal.components.layout import admin_shell
from pool_portal.services.data_in import csv_import
from pool_portal.states.data_in.imports import ImportState

S = ImportState
SELECT_STYLE = {"padding": "0.4rem", "border_radius": "6px", "border": "1px solid var(--gray-7)"}
CSV_TYPES = {"text/csv": [".csv"], "text/plain": [".csv", ".txt"], "application/vnd.ms-excel": [".csv"]}


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
                    style={"white_space": "normal", "max_width": "100%", "word_break": "break-word"},
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
        rx.upload(
            rx.flex(
                rx.icon("file-spreadsheet", size=18),
                rx.text(T("import.file_hint"), size="2"),
                spacing="2",
                align="center",
            ),
            id="import-file",
            multiple=False,
            max_files=1,
            accept=CSV_TYPES,
            border="1px dashed var(--gray-8)",
            padding="0.75rem",
            border_radius="8px",
        ),
        rx.flex(
            rx.foreach(rx.selected_files("import-file"), lambda f: rx.badge(f, variant="outline")),
            spacing="1",
            id="import-file-selected",
        ),
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
    return rx.box(
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    *[
                        rx.table.column_header_cell(T(k))
                        for k in ("import.line", "import.external_id", "import.column", "import.problem")
                    ]
                )
            ),
            rx.table.body(
                rx.foreach(
                    S.errors,
                    lambda e: rx.table.row(
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
                )
            ),
            id="import-errors",
            width="100%",
            variant="surface",
        ),
        rx.cond(
            S.error_count > S.errors.length(),
            rx.text(T("import.more_errors"), " ", S.error_count.to_string(), size="2"),
        ),
        overflow_x="auto",
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
        rx.heading(T("import.title"), size="6", as_="h1", margin_bottom="0.5rem"),
        rx.text(T("import.intro"), size="2"),
        rx.flex(
            rx.el.label(T("import.kind"), html_for="import-kind"),
            rx.el.select(
                *[rx.el.option(T(f"import.kind.{k}"), value=k) for k in csv_import.IMPORT_KINDS],
                id="import-kind",
                value=S.kind,
                on_change=S.choose_kind,
                style=SELECT_STYLE,
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
                S.tr[S.file_error].to(str) + rx.cond(S.file_detail != "", ": " + S.file_detail, ""),
                color_scheme="red",
                role="alert",
                id="import-file-error",
                margin_top="0.75rem",
            ),
        ),
        rx.box(_progress(), margin_top="0.75rem"),
        _result(),
    )
