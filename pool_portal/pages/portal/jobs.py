"""Portal jobs: the list (narrowed to a property and one of its assets, and to a date
range) and the form that requests a new job."""

from __future__ import annotations

import reflex as rx

from pool_portal.components import style
from pool_portal.components.fields import field_error
from pool_portal.components.i18n import T
from pool_portal.components.layout import portal_shell, title
from pool_portal.components.lists import FORM_ID, list_body
from pool_portal.components.selects import blank_option, choice_options, code_options, dropdown
from pool_portal.components.toolbar import hidden_label, submit_on_change
from pool_portal.services.portal import jobs
from pool_portal.states.portal.records import JobsState, RequestJobState


def _filters() -> list[rx.Component]:
    S = JobsState
    return [
        hidden_label("job.site", "jobs-site"),
        dropdown(
            blank_option("jobs.all_sites"),
            choice_options(S.sites),
            name="site",
            id="jobs-site",
            value=S.site,
            style=style.SELECT_COMPACT,
            on_change=submit_on_change(FORM_ID),
        ),
        # The chosen property's assets (a new property drops an asset that is not on it).
        rx.cond(
            S.site != "",
            rx.fragment(
                hidden_label("job.asset", "jobs-asset"),
                dropdown(
                    blank_option("jobs.all_assets"),
                    choice_options(S.assets),
                    name="asset",
                    id="jobs-asset",
                    value=S.asset,
                    style=style.SELECT_COMPACT,
                    on_change=submit_on_change(FORM_ID),
                ),
            ),
        ),
        rx.el.label(T("routine.from"), html_for="jobs-from"),
        rx.input(
            type="date", name="from", id="jobs-from", default_value=S.date_from, key="from-" + S.date_from, size="1"
        ),
        rx.el.label(T("routine.to"), html_for="jobs-to"),
        rx.input(type="date", name="to", id="jobs-to", default_value=S.date_to, key="to-" + S.date_to, size="1"),
    ]


def jobs_page() -> rx.Component:
    return portal_shell(
        title("nav.jobs", margin_bottom="0.75rem"),
        list_body(
            JobsState,
            "jobs",
            extra_filters=_filters(),
            cells={"site": lambda r: rx.box(rx.text(r["site"]), rx.text(r["address"], size="1", color_scheme="gray"))},
        ),
    )


def request_job_page() -> rx.Component:
    S = RequestJobState
    return portal_shell(
        title("job.request_title", margin_bottom="0.75rem"),
        rx.cond(
            S.created != "",
            rx.callout(
                T("job.requested") + " " + S.created,
                id="job-created",
                role="status",
                color_scheme="green",
                margin_bottom="0.75rem",
            ),
        ),
        rx.form(
            rx.flex(
                rx.el.label(T("job.site"), html_for="job-site"),
                dropdown(choice_options(S.sites), name="site", id="job-site", style=style.SELECT_FULL),
                field_error(S, "site"),
                rx.el.label(T("job.kind"), html_for="job-kind"),
                dropdown(
                    *code_options(jobs.REQUESTABLE_KINDS, "kind."),
                    name="kind",
                    id="job-kind",
                    style=style.SELECT_FULL,
                ),
                field_error(S, "kind"),
                rx.el.label(T("job.description"), html_for="job-description"),
                rx.text_area(name="description", id="job-description", max_length=4000, rows="5"),
                rx.text(T("job.description_hint"), size="1", color_scheme="gray"),
                field_error(S, "description"),
                rx.button(T("job.submit"), type="submit", id="job-submit", size="3"),
                direction="column",
                spacing="2",
                max_width="560px",
            ),
            on_submit=S.submit_request,
            reset_on_submit=False,
        ),
    )
