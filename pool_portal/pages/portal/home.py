"""Portal home: the dashboard. Each panel shows only when the tenant's and the
client's settings allow it (and then its data was computed); every chart has a table
with the same figures for screen readers and small screens. A number opens the
listing behind it in an overlay (pages/portal/home_overlay.py)."""

from __future__ import annotations

import reflex as rx

from pool_portal.components import badges, style
from pool_portal.components.buttons import count_link
from pool_portal.components.charts import figures_table, plot
from pool_portal.components.i18n import T
from pool_portal.components.layout import portal_shell, title
from pool_portal.components.payments import pay_control, pay_error
from pool_portal.components.sections import panel
from pool_portal.components.selects import choice_options, dropdown
from pool_portal.components.tables import table
from pool_portal.components.toolbar import download_form, search_form, small_label
from pool_portal.presentation import palette
from pool_portal.states.portal.home import PortalHomeState as S


def _bar_click(chart: str):
    return lambda points: S.open_bar(chart, points)


# -- panels -----------------------------------------------------------------------------------------
def _count_link(row, field: str, kind: str) -> rx.Component:
    return count_link(
        row[field], f"/portal?show={kind}&site=" + row["id"], T(f"overlay.kind.{kind}") + ": " + row["name"]
    )


def _property_cell(row) -> rx.Component:
    """The severity dot of the worst open defect, the name (opens the property) and address."""
    return rx.flex(
        badges.severity_dot(row["severity"]),
        rx.box(
            rx.link(row["name"], href="/portal?show=property&site=" + row["id"], weight="medium"),
            rx.text(row["address"], size="1", color_scheme="gray"),
        ),
        spacing="2",
        align="center",
    )


def properties_panel() -> rx.Component:
    invoices, quotes = S.documents["invoices"], S.documents["quotes"]
    return panel(
        "panel.properties",
        "panel-properties",
        table(
            [
                "portal.properties.name",
                rx.cond(invoices, rx.table.column_header_cell(T("portal.properties.overdue"))),
                rx.cond(quotes, rx.table.column_header_cell(T("portal.properties.quotes"))),
                "portal.properties.defects",
            ],
            S.properties,
            row=lambda row: rx.table.row(
                rx.table.cell(_property_cell(row)),
                rx.cond(invoices, rx.table.cell(_count_link(row, "overdue_invoices", "overdue_invoices"))),
                rx.cond(quotes, rx.table.cell(_count_link(row, "open_quotes", "open_quotes"))),
                rx.table.cell(_count_link(row, "open_defects", "open_defects")),
            ),
            id="properties-table",
            variant=None,
            size="2",
        ),
        rx.cond(S.properties.length() == 0, rx.text(T("portal.properties.empty"), id="properties-empty")),
    )


def _activity_item(r) -> rx.Component:
    return rx.flex(
        rx.link(
            r["number"],
            href="/files/" + r["doc"] + "/" + r["id"],
            size="2",
            style=style.TOUCH_TARGET,
            aria_label=T("overlay.pdf") + " " + r["number"],
        ),
        rx.text(r["site"], size="2", color_scheme="gray", flex="1", min_width="8rem"),
        rx.text(r["date"], size="2"),
        rx.text(r["amount"], size="2", weight="medium"),
        rx.cond(
            r["doc"] == "invoice",
            pay_control(r["pay"].to(str), S.pay_invoice(r["id"]), "activity-pay-" + r["id"], r["number"]),
        ),
        spacing="3",
        align="center",
        wrap="wrap",
        padding_y="0.15rem",
        class_name="activity-item",
    )


def _activity_row(kind: str, doc: str) -> rx.Component:
    count = S.activity[f"{kind}_count"]
    return rx.cond(
        S.documents[doc],
        rx.el.details(
            rx.el.summary(
                rx.flex(
                    rx.text(T(f"activity.{kind}"), weight="medium"),
                    rx.spacer(),
                    rx.link(
                        count.to(str),
                        href=f"/portal?show={kind}",
                        weight="bold",
                        id=f"activity-{kind}-count",
                        style=style.TOUCH_TARGET,
                    ),
                    rx.text(S.activity[f"{kind}_total"].to(str), color_scheme="gray"),
                    spacing="3",
                    align="center",
                ),
                style=style.SUMMARY_ROW,
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
                rx.foreach(S.activity_items[kind], _activity_item),
                rx.cond(
                    count.to(int) > S.activity_items[kind].length(),
                    rx.link(T("activity.see_all"), href=f"/portal?show={kind}", size="2", id=f"activity-{kind}-all"),
                ),
                id=f"activity-{kind}-items",
                padding_top="0.25rem",
            ),
            open=True,
            style=style.DISCLOSURE_ROW,
        ),
    )


def activity_panel() -> rx.Component:
    return panel(
        "panel.activity",
        "panel-activity",
        _activity_row("defect_quotes", "quotes"),
        _activity_row("service_quotes", "quotes"),
        _activity_row("invoices", "invoices"),
        pay_error(S),
        download_form(
            "/files/monthly-report",
            "activity.download",
            "monthly-pdf",
            small_label("activity.month", "report-month"),
            dropdown(choice_options(S.report_months), name="month", id="report-month", style=style.SELECT_SMALL),
        ),
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
                    rx.text(T("severity." + t[0]), size="1"),
                    border_left=rx.match(
                        t[0], *[(k, f"4px solid {v}") for k, v in palette.SEVERITY_HEX.items()], "4px solid gray"
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
        plot(S.defects_figure, _bar_click("defects")),
        figures_table(["panel.month", "dash.resolved", "defects.open"], S.defects_table, "defects-table"),
        rx.heading(T("defects.by_asset_type"), size="2", as_="h3", margin_top="1rem"),
        rx.flex(
            rx.foreach(
                S.asset_types,
                lambda a: rx.badge(
                    a[0],
                    " · ",
                    T("severity." + a[1]),
                    variant="soft",
                    color_scheme=badges.scheme(a[1], palette.SEVERITY_SCHEME),
                ),
            ),
            spacing="2",
            wrap="wrap",
        ),
    )


def _date_field(label_key: str, name: str, ident: str, default) -> list[rx.Component]:
    return [
        small_label(label_key, ident),
        rx.input(type="date", name=name, id=ident, required=True, default_value=default, size="1"),
    ]


def routine_panel() -> rx.Component:
    year = S.routine_year.to_string()
    return panel(
        "panel.routine",
        "panel-routine",
        rx.flex(
            rx.link("‹ ", T("routine.previous"), href="/portal?year=" + (S.routine_year - 1).to_string()),
            rx.text(T("routine.year"), " ", year, weight="bold", id="routine-year"),
            rx.link(T("routine.next"), " ›", href="/portal?year=" + (S.routine_year + 1).to_string()),
            spacing="4",
            align="center",
        ),
        plot(S.routine_figure, _bar_click("routine")),
        figures_table(
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
        download_form(
            "/files/routine-report",
            "routine.report",
            "routine-pdf",
            *_date_field("routine.from", "from", "routine-from", year + "-01-01"),
            *_date_field("routine.to", "to", "routine-to", year + "-12-31"),
        ),
    )


def calls_panel() -> rx.Component:
    return panel(
        "panel.calls",
        "panel-calls",
        plot(S.calls_figure, _bar_click("calls")),
        figures_table(["panel.month", "calls.count"], S.calls_table, "calls-table"),
    )


def spend_panel() -> rx.Component:
    return panel(
        "panel.spend",
        "panel-spend",
        plot(S.spend_figure),
        figures_table(["panel.month", "spend.total"], S.spend_table, "spend-table"),
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
        plot(S.map_figure, S.open_pin),
        figures_table(["map.colour", "map.properties", "map.names"], S.map_table, "map-table"),
    )


def portal_home(overlay: rx.Component) -> rx.Component:
    """The dashboard under ``overlay``, the listing behind a number (pages/portal/
    home_overlay.py; pool_portal.py puts the two together, as a page never imports
    another page module)."""
    return portal_shell(
        overlay,
        title("portal.dashboard.title", margin_bottom="0.75rem"),
        search_form(
            S.run_search,
            ident="search-q",
            go_id="search-go",
            label_key="search.label",
            placeholder_key="search.placeholder",
            margin_bottom="1rem",
        ),
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
