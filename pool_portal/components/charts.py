"""Charts: a Plotly figure from a state var (one basic bundle for the whole page), and
the same figures as a table behind a disclosure, for screen readers and phones."""

from __future__ import annotations

import plotly.graph_objects as go
import reflex as rx

from pool_portal.components import style
from pool_portal.components.i18n import T
from pool_portal.components.tables import table


def plot(figure, on_click=None) -> rx.Component:
    """``figure``: a state var holding a Plotly figure; ``on_click`` gets the points clicked."""
    extra = {"on_click": on_click} if on_click is not None else {}
    return rx.plotly.basic(
        data=figure.to(go.Figure),
        config={"displayModeBar": False, "responsive": True},
        use_resize_handler=True,
        width="100%",
        **extra,
    )


def figures_table(headers: list[str], rows, table_id: str) -> rx.Component:
    """The chart's figures as a table (``rows``: lists of cell texts), behind a disclosure."""
    return rx.el.details(
        rx.el.summary(T("panel.chart_table"), style=style.SUMMARY),
        table(
            headers,
            rows,
            row=lambda r: rx.table.row(rx.foreach(r, lambda v: rx.table.cell(v))),
            id=table_id,
            variant=None,
            size="1",
            width=None,
        ),
    )
