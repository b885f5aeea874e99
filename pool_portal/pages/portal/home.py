"""Portal home: the dashboard. Each panel shows only when the tenant's and the
client's settings allow it (and then its data was computed); every chart has a table
with the same figures for screen readers and small screens."""

from __future__ import annotations

import plotly.graph_objects as go
import reflex as rx

from pool_portal.components.i18n import T
from pool_portal.components.layout import portal_shell
from pool_portal.components.native_form import native_form
from pool_portal.presentation import palette
from pool_portal.settings import get_settings
from pool_portal.states.portal.home import PortalHomeState as S

SEVERITY_COLOURS = palette.SEVERITY_HEX


def _tr(prefix: str, code) -> rx.Var:
    return S.tr[f"{prefix}{code}"].to(str)


def panel(title_key: str, panel_id: str, *children, **props) -> rx.Component:
    return rx.card(
        rx.heading(T(title_key), size="4", as_="h2", margin_bottom="0.5rem"),
        *children,
        id=panel_id,
        width="100%",
        **props,
    )


def chart_table(headers: list[str], rows, table_id: str) -> rx.Component:
    """The chart's figures as a table, behind a disclosure (screen readers, phones)."""
    return rx.el.details(
        rx.el.summary(T("panel.chart_table"), style={"cursor": "pointer", "font_size": "0.85rem"}),
        rx.box(
            rx.table.root(
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(T(h)) for h in headers])),
                rx.table.body(rx.foreach(rows, lambda r: rx.table.row(rx.foreach(r, lambda v: rx.table.cell(v))))),
                size="1",
                id=table_id,
            ),
            overflow_x="auto",
        ),
    )


def _plot(component, figure, chart: str | None = None) -> rx.Component:
    extra = {"on_click": lambda points: S.open_bar(chart, points)} if chart else {}
    return component(
        data=figure.to(go.Figure),
        config={"displayModeBar": False, "responsive": True},
        use_resize_handler=True,
        width="100%",
        **extra,
    )


# Numbers that open an overlay are small: give them a 24 px touch target (WCAG 2.5.8).
TARGET = {
    "display": "inline-flex",
    "min_width": "24px",
    "min_height": "24px",
    "align_items": "center",
    "justify_content": "center",
}


def _count_link(row, field: str, kind: str) -> rx.Component:
    return rx.cond(
        row[field] != "0",
        rx.link(
            row[field],
            href=f"/portal?show={kind}&site=" + row["id"],
            weight="bold",
            aria_label=T(f"overlay.kind.{kind}") + ": " + row["name"],
            style=TARGET,
        ),
        rx.text("0", color_scheme="gray"),
    )


def properties_panel() -> rx.Component:
    return panel(
        "panel.properties",
        "panel-properties",
        rx.box(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell(T("portal.properties.name")),
                        rx.cond(S.documents["invoices"], rx.table.column_header_cell(T("portal.properties.overdue"))),
                        rx.cond(S.documents["quotes"], rx.table.column_header_cell(T("portal.properties.quotes"))),
                        rx.table.column_header_cell(T("portal.properties.defects")),
                    )
                ),
                rx.table.body(
                    rx.foreach(
                        S.properties,
                        lambda row: rx.table.row(
                            rx.table.cell(
                                rx.flex(
                                    rx.box(
                                        width="10px",
                                        height="10px",
                                        border_radius="50%",
                                        flex_shrink="0",
                                        background=rx.match(
                                            row["severity"], *SEVERITY_COLOURS.items(), palette.SEVERITY_HEX["NONE"]
                                        ),
                                        title=_tr("severity.", row["severity"]),
                                    ),
                                    rx.box(
                                        rx.link(
                                            row["name"], href="/portal?show=property&site=" + row["id"], weight="medium"
                                        ),
                                        rx.text(row["address"], size="1", color_scheme="gray"),
                                    ),
                                    spacing="2",
                                    align="center",
                                )
                            ),
                            rx.cond(
                                S.documents["invoices"],
                                rx.table.cell(_count_link(row, "overdue_invoices", "overdue_invoices")),
                            ),
                            rx.cond(
                                S.documents["quotes"], rx.table.cell(_count_link(row, "open_quotes", "open_quotes"))
                            ),
                            rx.table.cell(_count_link(row, "open_defects", "open_defects")),
                        ),
                    )
                ),
                id="properties-table",
                width="100%",
                size="2",
            ),
            overflow_x="auto",
        ),
        rx.cond(S.properties.length() == 0, rx.text(T("portal.properties.empty"), id="properties-empty")),
    )


def _activity_row(kind: str, doc: str) -> rx.Component:
    return rx.cond(
        S.documents[doc],
        rx.el.details(
            rx.el.summary(
                rx.flex(
                    rx.text(T(f"activity.{kind}"), weight="medium"),
                    rx.spacer(),
                    rx.link(
                        S.activity[f"{kind}_count"].to(str),
                        href=f"/portal?show={kind}",
                        weight="bold",
                        id=f"activity-{kind}-count",
                        style=TARGET,
                    ),
                    rx.text(S.activity[f"{kind}_total"].to(str), color_scheme="gray"),
                    spacing="3",
                    align="center",
                ),
                style={"cursor": "pointer", "list_style": "none"},
            ),
            rx.cond(
                kind == "invoices",
                rx.text(
                    T("activity.overdue"),
                    ": ",
                    S.activity["overdue_invoices_count"].to(str),
                    " · ",
                    S.activity["overdue_invoices_total"].to(str),
                    size="2",
                    color_scheme="red",
                ),
            ),
            rx.box(
                rx.foreach(
                    S.activity_items[kind],
                    lambda r: rx.flex(
                        rx.link(
                            r["number"],
                            href="/files/" + r["doc"] + "/" + r["id"],
                            size="2",
                            style=TARGET,
                            aria_label=T("overlay.pdf") + " " + r["number"],
                        ),
                        rx.text(r["site"], size="2", color_scheme="gray", flex="1", min_width="8rem"),
                        rx.text(r["date"], size="2"),
                        rx.text(r["amount"], size="2", weight="medium"),
                        spacing="3",
                        align="center",
                        wrap="wrap",
                        padding_y="0.15rem",
                        class_name="activity-item",
                    ),
                ),
                rx.cond(
                    S.activity[f"{kind}_count"].to(int) > S.activity_items[kind].length(),
                    rx.link(T("activity.see_all"), href=f"/portal?show={kind}", size="2", id=f"activity-{kind}-all"),
                ),
                id=f"activity-{kind}-items",
                padding_top="0.25rem",
            ),
            open=True,
            style={"padding": "0.5rem 0", "border_bottom": "1px solid var(--gray-5)"},
        ),
    )


def _monthly_pdf_form() -> rx.Component:
    """A plain GET form: the browser downloads the PDF from the authorising route."""
    return native_form(
        rx.flex(
            rx.el.label(T("activity.month"), html_for="report-month", style={"font_size": "0.85rem"}),
            rx.el.select(
                rx.foreach(S.report_months, lambda mth: rx.el.option(mth[1], value=mth[0])),
                name="month",
                id="report-month",
                style={"padding": "0.25rem", "border_radius": "6px", "border": "1px solid var(--gray-7)"},
            ),
            rx.button(
                rx.icon("download", size=16), T("activity.download"), type="submit", variant="soft", id="monthly-pdf"
            ),
            spacing="2",
            align="center",
            wrap="wrap",
            margin_top="0.75rem",
        ),
        action=get_settings().form_action("/files/monthly-report"),
        method="get",
    )


def activity_panel() -> rx.Component:
    return panel(
        "panel.activity",
        "panel-activity",
        _activity_row("defect_quotes", "quotes"),
        _activity_row("service_quotes", "quotes"),
        _activity_row("invoices", "invoices"),
        _monthly_pdf_form(),
    )


def defects_panel() -> rx.Component:
    return panel(
        "panel.defects",
        "panel-defects",
        rx.flex(
            rx.heading(T("defects.open_by_severity"), size="2", as_="h3"),
            rx.spacer(),
            rx.link(
                rx.icon("search", size=14), " ", T("defects.search"), href="/portal?show=defects", id="search-defects"
            ),
            align="center",
        ),
        rx.flex(
            rx.foreach(
                S.tally,
                lambda t: rx.box(
                    rx.text(t[1], size="6", weight="bold"),
                    rx.text(_tr("severity.", t[0]), size="1"),
                    border_left=rx.match(
                        t[0], *[(k, f"4px solid {v}") for k, v in SEVERITY_COLOURS.items()], "4px solid gray"
                    ),
                    padding_left="0.5rem",
                    min_width="6.5rem",
                ),
            ),
            spacing="3",
            wrap="wrap",
            id="defect-tally",
        ),
        rx.heading(T("defects.raised"), size="2", as_="h3", margin_top="1rem"),
        _plot(rx.plotly.basic, S.defects_figure, "defects"),
        chart_table(["panel.month", "dash.resolved", "defects.open"], S.defects_table, "defects-table"),
        rx.heading(T("defects.by_asset_type"), size="2", as_="h3", margin_top="1rem"),
        rx.flex(
            rx.foreach(
                S.asset_types,
                lambda a: rx.badge(
                    a[0],
                    " · ",
                    _tr("severity.", a[1]),
                    variant="soft",
                    color_scheme=rx.match(a[1], *palette.SEVERITY_SCHEME.items(), "gray"),
                ),
            ),
            spacing="2",
            wrap="wrap",
        ),
    )


def routine_panel() -> rx.Component:
    return panel(
        "panel.routine",
        "panel-routine",
        rx.flex(
            rx.link("‹ ", T("routine.previous"), href="/portal?year=" + (S.routine_year - 1).to_string()),
            rx.text(T("routine.year"), " ", S.routine_year.to_string(), weight="bold", id="routine-year"),
            rx.link(T("routine.next"), " ›", href="/portal?year=" + (S.routine_year + 1).to_string()),
            spacing="4",
            align="center",
        ),
        _plot(rx.plotly.basic, S.routine_figure, "routine"),
        chart_table(
            [
                "panel.month",
                "routine.on_time",
                "routine.within_tolerance",
                "routine.late",
                "routine.missed",
                "routine.pending",
            ],
            S.routine_table,
            "routine-table",
        ),
        native_form(
            rx.flex(
                rx.el.label(T("routine.from"), html_for="routine-from", style={"font_size": "0.85rem"}),
                rx.input(
                    type="date",
                    name="from",
                    id="routine-from",
                    required=True,
                    default_value=S.routine_year.to_string() + "-01-01",
                    size="1",
                ),
                rx.el.label(T("routine.to"), html_for="routine-to", style={"font_size": "0.85rem"}),
                rx.input(
                    type="date",
                    name="to",
                    id="routine-to",
                    required=True,
                    default_value=S.routine_year.to_string() + "-12-31",
                    size="1",
                ),
                rx.button(
                    rx.icon("download", size=16), T("routine.report"), type="submit", variant="soft", id="routine-pdf"
                ),
                spacing="2",
                align="center",
                wrap="wrap",
                margin_top="0.75rem",
            ),
            action=get_settings().form_action("/files/routine-report"),
            method="get",
        ),
    )


def calls_panel() -> rx.Component:
    return panel(
        "panel.calls",
        "panel-calls",
        _plot(rx.plotly.basic, S.calls_figure, "calls"),
        chart_table(["panel.month", "calls.count"], S.calls_table, "calls-table"),
    )


def spend_panel() -> rx.Component:
    return panel(
        "panel.spend",
        "panel-spend",
        _plot(rx.plotly.basic, S.spend_figure),
        chart_table(["panel.month", "spend.total"], S.spend_table, "spend-table"),
        rx.heading(T("spend.by_property"), size="2", as_="h3", margin_top="0.75rem"),
        rx.foreach(
            S.spend_by_property,
            lambda p: rx.flex(
                rx.text(p[0], size="2"),
                rx.spacer(),
                rx.text(p[1], size="2", weight="medium"),
                border_bottom="1px solid var(--gray-4)",
                padding_y="0.25rem",
            ),
        ),
    )


def map_panel() -> rx.Component:
    return panel(
        "panel.map",
        "panel-map",
        # The same (basic) plotly bundle as the charts: one bundle for the whole page.
        rx.plotly.basic(
            data=S.map_figure.to(go.Figure),
            config={"displayModeBar": False, "responsive": True},
            use_resize_handler=True,
            width="100%",
            on_click=S.open_pin,
        ),
        chart_table(["map.colour", "map.properties", "map.names"], S.map_table, "map-table"),
    )


def _mini_table(
    headers: list[str], rows, fields: list[str], table_id: str, prefixes: dict[str, str] | None = None
) -> rx.Component:
    prefixes = prefixes or {}

    def cell(r, f):
        return rx.table.cell(_tr(prefixes[f], r[f]) if f in prefixes else r[f])

    return rx.box(
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(T(h)) for h in headers])),
            rx.table.body(rx.foreach(rows, lambda r: rx.table.row(*[cell(r, f) for f in fields]))),
            size="1",
            id=table_id,
        ),
        overflow_x="auto",
    )


def search_box() -> rx.Component:
    return rx.form(
        rx.flex(
            rx.el.label(T("search.label"), html_for="search-q", class_name="sr-only"),
            rx.input(
                id="search-q",
                name="q",
                placeholder=T("search.placeholder"),
                type="search",
                min_length=2,
                max_length=100,
                width="100%",
            ),
            rx.button(rx.icon("search", size=16), T("search.go"), type="submit", id="search-go"),
            spacing="2",
            width="100%",
            max_width="520px",
        ),
        on_submit=S.run_search,
        reset_on_submit=False,
        role="search",
        margin_bottom="1rem",
    )


def search_results() -> rx.Component:
    return rx.box(
        rx.text(T("search.for"), " “", S.search_text, "”", color_scheme="gray", size="2"),
        rx.cond(
            S.search_hits.length() > 0,
            rx.box(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            *[
                                rx.table.column_header_cell(T(h))
                                for h in ("search.kind", "overlay.title", "search.detail", "overlay.site")
                            ]
                        )
                    ),
                    rx.table.body(
                        rx.foreach(
                            S.search_hits,
                            lambda h: rx.table.row(
                                rx.table.cell(_tr("search.kind.", h["kind"])),
                                rx.table.cell(h["title"]),
                                rx.table.cell(rx.cond(h["detail_key"] != "", _tr("", h["detail_key"]), h["detail"])),
                                rx.table.cell(rx.link(h["site"], href="/portal?show=property&site=" + h["site_id"])),
                            ),
                        )
                    ),
                    size="1",
                    id="search-results",
                ),
                overflow_x="auto",
                margin_top="0.5rem",
            ),
            rx.text(T("search.none"), id="search-none", margin_top="0.5rem"),
        ),
    )


def property_detail() -> rx.Component:
    return rx.box(
        rx.text(S.detail_address, color_scheme="gray", size="2"),
        rx.heading(T("detail.assets"), size="3", as_="h3", margin_top="0.75rem"),
        _mini_table(
            ["detail.asset_id", "detail.type", "detail.model", "detail.last_test", "detail.next_due"],
            S.detail_assets,
            ["code", "type", "model", "last_test", "next_due"],
            "detail-assets",
        ),
        rx.heading(T("detail.tasks"), size="3", as_="h3", margin_top="0.75rem"),
        _mini_table(
            ["overlay.number", "detail.kind", "overlay.status", "overlay.date", "overlay.title"],
            S.detail_tasks,
            ["number", "kind", "stage", "date", "description"],
            "detail-tasks",
            {"kind": "kind.", "stage": "stage."},
        ),
        rx.heading(T("detail.files"), size="3", as_="h3", margin_top="0.75rem"),
        rx.cond(
            S.detail_documents.length() > 0,
            rx.el.ul(
                rx.foreach(
                    S.detail_documents,
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
                id="detail-files",
            ),
            rx.text(T("detail.no_files"), size="2"),
        ),
    )


def overlay() -> rx.Component:
    """The listing behind a number. Its state is the URL (?show=...), so Back closes it
    and a copied link opens it again; X and Escape close it too."""
    return rx.dialog.root(
        rx.dialog.content(
            rx.flex(
                rx.dialog.title(
                    rx.cond(S.overlay == "property", S.detail_name, _tr("overlay.kind.", S.overlay)), margin="0"
                ),
                rx.spacer(),
                rx.dialog.close(
                    rx.icon_button(
                        rx.icon("x"),
                        variant="ghost",
                        aria_label=T("overlay.close"),
                        id="overlay-close",
                        on_click=S.close_overlay(False),
                    ),
                ),
                align="center",
            ),
            rx.cond(S.overlay == "property", property_detail(), rx.fragment()),
            rx.cond(S.overlay == "search", search_results(), rx.fragment()),
            rx.cond(
                S.overlay == "defects",
                rx.form(
                    rx.flex(
                        rx.input(
                            name="q",
                            default_value=S.overlay_filter,
                            placeholder=T("defects.filter"),
                            aria_label=T("defects.filter"),
                            id="defects-filter",
                            width="100%",
                        ),
                        rx.button(T("search.go"), type="submit"),
                        spacing="2",
                        margin_top="0.5rem",
                    ),
                    on_submit=S.filter_defects,
                    reset_on_submit=False,
                ),
                rx.fragment(),
            ),
            rx.box(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            *[
                                rx.table.column_header_cell(T(f"overlay.{h}"))
                                for h in ("number", "site", "title", "date", "status", "amount")
                            ]
                        )
                    ),
                    rx.table.body(
                        rx.foreach(
                            S.overlay_rows,
                            lambda r: rx.table.row(
                                rx.table.cell(
                                    rx.cond(
                                        (r["doc"] == "quote") | (r["doc"] == "invoice"),
                                        rx.link(
                                            r["number"],
                                            href="/files/" + r["doc"] + "/" + r["id"],
                                            aria_label=T("overlay.pdf") + " " + r["number"],
                                        ),
                                        r["number"],
                                    )
                                ),
                                rx.table.cell(r["site"]),
                                rx.table.cell(r["title"]),
                                rx.table.cell(r["date"]),
                                rx.table.cell(S.tr[r["status_key"]].to(str)),
                                rx.table.cell(r["amount"]),
                            ),
                        )
                    ),
                    id="overlay-table",
                    size="1",
                ),
                overflow_x="auto",
                margin_top="0.75rem",
                display=rx.cond((S.overlay == "property") | (S.overlay == "search"), "none", "block"),
            ),
            rx.cond(
                (S.overlay_rows.length() == 0) & (S.overlay != "property") & (S.overlay != "search"),
                rx.text(T("overlay.empty")),
            ),
            max_width="900px",
            id="overlay",
        ),
        open=S.overlay != "",
        on_open_change=S.close_overlay,
    )


def portal_home() -> rx.Component:
    return portal_shell(
        overlay(),
        rx.heading(T("portal.dashboard.title"), size="6", as_="h1", margin_bottom="0.75rem"),
        search_box(),
        rx.cond(
            S.loaded,
            rx.grid(
                rx.cond(S.panels["map"], map_panel()),
                properties_panel(),
                rx.cond(S.panels["activity_report"], activity_panel()),
                rx.cond(S.panels["defect_analytics"], defects_panel()),
                rx.cond(S.panels["routine_activities"], routine_panel()),
                rx.cond(S.panels["service_calls"], calls_panel()),
                rx.cond(S.panels["spend_tracking"], spend_panel()),
                columns=rx.breakpoints(initial="1", md="2"),
                spacing="4",
                width="100%",
            ),
            rx.text(T("common.loading")),
        ),
    )
