"""Admin → Data → a property: its form (name, client, address, coordinates), and its
sections: assets and remarks (each with its form, opened from the URL), shared
documents (upload PDFs and images, publish or keep internal), and its jobs, quotes,
invoices and reports with links to create new ones."""

from __future__ import annotations

import reflex as rx

from pool_portal.components import data_forms as f
from pool_portal.components.i18n import T
from pool_portal.components.layout import admin_shell
from pool_portal.models import RemarkStatus, Severity
from pool_portal.pages.incidents.portal import dom_value
from pool_portal.states.staff.data_site import SiteState

S = SiteState
DOCUMENT_ACCEPT = {
    "application/pdf": [".pdf"],
    "image/jpeg": [".jpg", ".jpeg"],
    "image/png": [".png"],
    "image/webp": [".webp"],
}


def _site_url(**extra: str):
    """/admin/site?id=<this site>&... (an rx Var)."""
    tail = "".join(f"&{k}={v}" for k, v in extra.items())
    return "/admin/site?id=" + S.site["id"].to(str) + tail


def _site_form() -> rx.Component:
    v = S.site
    return rx.form(
        f.grid(
            f.field(S, v, "name", "data.site.name", prefix="site", required=True),
            f.select(
                S,
                v,
                "client_id",
                "data.site.client",
                prefix="site",
                choices=S.clients,
                blank="data.choose",
                required=True,
            ),
            f.field(S, v, "address", "detail.address", prefix="site", max_length=300),
            f.field(S, v, "city", "data.site.city", prefix="site", max_length=120),
            f.field(S, v, "postcode", "data.site.postcode", prefix="site", max_length=20),
            rx.box(),
            f.field(
                S,
                v,
                "latitude",
                "data.site.latitude",
                prefix="site",
                max_length=20,
                hint="data.site.latitude_hint",
                input_mode="decimal",
            ),
            f.field(
                S,
                v,
                "longitude",
                "data.site.longitude",
                prefix="site",
                max_length=20,
                hint="data.site.longitude_hint",
                input_mode="decimal",
            ),
        ),
        f.field(S, v, "notes", "data.site.notes", prefix="site", kind="textarea", max_length=2000),
        rx.cond(~S.is_new, f.checkbox(S, v, "is_active", "data.active_label", prefix="site")),
        f.form_error(S),
        f.save_button("data.save", "site-save"),
        on_submit=S.save_site,
        reset_on_submit=False,
        id="site-form",
    )


def _edit_card(row, new_key: str, edit_key: str, prefix: str, on_submit, *fields) -> rx.Component:
    """The form of an asset or remark of the site, open when the URL names one."""
    return rx.cond(
        row.contains("id"),
        rx.card(
            rx.heading(rx.cond(row["id"].to(str) == "", T(new_key), T(edit_key)), size="3", as_="h3"),
            rx.form(
                *fields,
                f.form_error(S),
                rx.flex(
                    f.save_button("data.save", f"{prefix}-save"),
                    rx.link(T("common.cancel"), href=_site_url(), size="2"),
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


def _assets() -> rx.Component:
    a = S.asset
    form = _edit_card(
        a,
        "data.asset.new",
        "data.asset.edit",
        "asset",
        S.save_asset,
        f.grid(
            f.field(S, a, "asset_code", "assets.asset_code", prefix="asset", max_length=60, required=True),
            f.field(S, a, "asset_type", "assets.asset_type", prefix="asset", max_length=60, required=True),
            f.field(S, a, "model", "assets.model", prefix="asset", max_length=120),
            f.field(S, a, "serial_number", "assets.serial_number", prefix="asset", max_length=120),
            f.field(S, a, "customer_ref", "data.asset.customer_ref", prefix="asset", max_length=120),
            f.field(S, a, "location", "assets.location", prefix="asset"),
            f.field(S, a, "last_test_number", "assets.last_test_number", prefix="asset", max_length=60),
            f.field(S, a, "last_test_date", "assets.last_test_date", prefix="asset", kind="date"),
            f.field(S, a, "next_service_due", "assets.next_service_due", prefix="asset", kind="date"),
        ),
        f.field(S, a, "description", "data.description", prefix="asset", kind="textarea", max_length=1000),
        rx.cond(a["id"].to(str) != "", f.checkbox(S, a, "is_active", "data.active_label", prefix="asset")),
    )
    return f.section(
        "detail.assets",
        form,
        f.table(
            [
                "assets.asset_code",
                "assets.asset_type",
                "assets.model",
                "assets.serial_number",
                "assets.next_service_due",
                "data.active",
                "data.actions",
            ],
            S.assets,
            lambda r: [
                r["asset_code"],
                r["asset_type"],
                r["model"],
                r["serial_number"],
                r["next_service_due"],
                rx.cond(r["is_active"] != "", T("data.yes"), T("data.no")),
                rx.link(
                    T("data.edit"),
                    href=_site_url(asset=r["id"]) + "#asset-form",
                    aria_label=T("data.edit") + " " + r["asset_code"],
                ),
            ],
            ident="assets-table",
        ),
        ident="assets",
        actions=[
            rx.link(
                rx.button(rx.icon("plus", size=14), T("data.asset.add"), size="1", variant="soft"),
                href=_site_url(asset="new") + "#asset-form",
                id="asset-add",
            )
        ],
    )


def _remarks() -> rx.Component:
    r = S.remark
    form = _edit_card(
        r,
        "data.remark.new",
        "data.remark.edit",
        "remark",
        S.save_remark,
        f.grid(
            f.select(
                S,
                r,
                "severity",
                "defects.severity",
                prefix="remark",
                codes=tuple(s.value for s in Severity),
                code_prefix="severity.",
                required=True,
            ),
            f.select(
                S,
                r,
                "status",
                "overlay.status",
                prefix="remark",
                codes=tuple(s.value for s in RemarkStatus),
                code_prefix="remark.",
                required=True,
            ),
            f.field(S, r, "title", "overlay.title", prefix="remark", required=True),
            f.select(
                S,
                r,
                "asset_id",
                "data.remark.asset",
                prefix="remark",
                choices=S.asset_choices,
                blank="data.remark.on_site",
            ),
            f.field(S, r, "raised_on", "defects.raised_on", prefix="remark", kind="date"),
            f.field(S, r, "resolved_on", "defects.resolved", prefix="remark", kind="date"),
        ),
        f.field(S, r, "description", "data.description", prefix="remark", kind="textarea", max_length=4000),
        f.checkbox(S, r, "is_published", "data.remark.published_label", prefix="remark"),
    )
    return f.section(
        "data.remarks.title",
        form,
        f.table(
            [
                "overlay.number",
                "defects.raised_on",
                "defects.severity",
                "overlay.status",
                "overlay.title",
                "assets.asset_code",
                "data.remark.published",
                "data.actions",
            ],
            S.remarks,
            lambda x: [
                x["number"],
                x["raised_on"],
                f.coded(S, "severity.", x["severity"]),
                f.coded(S, "remark.", x["status"]),
                x["title"],
                x["asset"],
                rx.cond(
                    x["is_published"] != "",
                    rx.button(
                        T("data.remark.unpublish"),
                        size="1",
                        variant="soft",
                        color_scheme="gray",
                        on_click=S.set_remark_published(x["id"], False),
                    ),
                    rx.button(
                        T("data.remark.publish"),
                        size="1",
                        variant="soft",
                        on_click=S.set_remark_published(x["id"], True),
                    ),
                ),
                rx.link(
                    T("data.edit"),
                    href=_site_url(remark=x["id"]) + "#remark-form",
                    aria_label=T("data.edit") + " " + x["number"],
                ),
            ],
            ident="remarks-table",
        ),
        ident="remarks",
        actions=[
            rx.link(T("data.see_all"), href="/admin/remarks?site=" + S.site["id"].to(str), size="2"),
            rx.link(
                rx.button(rx.icon("plus", size=14), T("data.remark.add"), size="1", variant="soft"),
                href=_site_url(remark="new") + "#remark-form",
                id="remark-add",
            ),
        ],
    )


def _documents() -> rx.Component:
    upload = rx.card(
        rx.heading(T("data.document.upload_title"), size="3", as_="h3"),
        rx.flex(
            rx.flex(
                rx.el.label(T("data.document.title"), html_for="document-title", style={"font_weight": "500"}),
                rx.el.input(id="document-title", max_length=200, style=f.STYLE),
                direction="column",
                spacing="1",
            ),
            rx.upload(
                rx.flex(
                    rx.icon("file-up", size=18), rx.text(T("data.document.pick"), size="2"), spacing="2", align="center"
                ),
                id="document-file",
                multiple=False,
                accept=DOCUMENT_ACCEPT,
                max_files=1,
                border="1px dashed var(--gray-8)",
                padding="0.75rem",
                border_radius="8px",
            ),
            rx.flex(
                rx.foreach(rx.selected_files("document-file"), lambda x: rx.badge(x, variant="outline")),
                spacing="1",
                id="document-file-selected",
            ),
            f.error_text(S, "document_file"),
            f.error_text(S, "document_title"),
            f.error_text(S, "document_form"),
            rx.flex(
                rx.el.input(type="checkbox", id="document-published", value="on"),
                rx.el.label(T("data.document.publish_now"), html_for="document-published"),
                spacing="2",
                align="center",
            ),
            rx.text(T("data.document.hint"), size="1", color_scheme="gray"),
            rx.button(
                T("data.document.upload"),
                id="document-upload",
                width="fit-content",
                on_click=S.upload_document(
                    rx.upload_files(upload_id="document-file"),
                    dom_value("document-title"),
                    rx.Var("(document.getElementById('document-published')?.checked ? 'on' : '')", _var_type=str),
                ),
            ),
            direction="column",
            spacing="2",
        ),
        margin_bottom="0.75rem",
    )
    return f.section(
        "detail.files",
        upload,
        f.table(
            [
                "data.document.title",
                "data.document.file",
                "data.document.size",
                "data.remark.published",
                "data.actions",
            ],
            S.documents,
            lambda d: [
                d["title"],
                rx.link(d["filename"], href="/files/document/" + d["id"], is_external=True),
                d["size"],
                rx.cond(d["published"] != "", rx.badge(T("data.yes"), color_scheme="green"), rx.badge(T("data.no"))),
                rx.flex(
                    rx.cond(
                        d["published"] != "",
                        rx.button(
                            T("data.remark.unpublish"),
                            size="1",
                            variant="soft",
                            color_scheme="gray",
                            on_click=S.set_document_published(d["id"], False),
                        ),
                        rx.button(
                            T("data.remark.publish"),
                            size="1",
                            variant="soft",
                            on_click=S.set_document_published(d["id"], True),
                        ),
                    ),
                    rx.button(
                        T("data.delete"),
                        size="1",
                        variant="soft",
                        color_scheme="red",
                        on_click=S.delete_document(d["id"]),
                        aria_label=T("data.delete") + " " + d["title"],
                    ),
                    spacing="2",
                ),
            ],
            ident="documents-table",
        ),
        ident="documents",
    )


def _related(
    title_key: str, ident: str, rows, columns: list[str], row, new_key: str, new_path: str, all_path: str
) -> rx.Component:
    return f.section(
        title_key,
        f.table(columns, rows, row, ident=f"{ident}-table"),
        ident=ident,
        actions=[
            rx.link(T("data.see_all"), href=all_path + "?site=" + S.site["id"].to(str), size="2"),
            rx.link(
                rx.button(rx.icon("plus", size=14), T(new_key), size="1", variant="soft"),
                href=new_path + "?site=" + S.site["id"].to(str),
                id=f"{ident}-new",
            ),
        ],
    )


def _link(text, href) -> rx.Component:
    return rx.link(text, href=href)


def _sections() -> rx.Component:
    return rx.box(
        _assets(),
        _remarks(),
        _documents(),
        _related(
            "data.jobs.title",
            "jobs",
            S.jobs,
            ["overlay.number", "detail.kind", "overlay.status", "jobs.when", "overlay.title"],
            lambda r: [
                _link(r["number"], "/admin/job?id=" + r["id"]),
                f.coded(S, "kind.", r["kind"]),
                f.coded(S, "stage.", r["stage"]),
                r["date"],
                r["description"],
            ],
            "data.job.new",
            "/admin/job",
            "/admin/jobs",
        ),
        _related(
            "data.quotes.title",
            "quotes",
            S.quotes,
            ["overlay.number", "overlay.title", "overlay.status", "pdf.total"],
            lambda r: [
                _link(r["number"], "/admin/quote?id=" + r["id"]),
                r["title"],
                f.coded(S, "docstatus.", r["status"]),
                r["amount"],
            ],
            "data.quote.new",
            "/admin/quote",
            "/admin/quotes",
        ),
        _related(
            "data.invoices.title",
            "invoices",
            S.invoices,
            ["overlay.number", "overlay.status", "pdf.total"],
            lambda r: [
                _link(r["number"], "/admin/invoice?id=" + r["id"]),
                f.coded(S, "docstatus.", r["status"]),
                r["amount"],
            ],
            "data.invoice.new",
            "/admin/invoice",
            "/admin/invoices",
        ),
        _related(
            "data.reports.title",
            "reports",
            S.reports,
            ["overlay.number", "overlay.title", "overlay.date", "overlay.status"],
            lambda r: [
                _link(r["number"], "/admin/report?id=" + r["id"]),
                r["title"],
                r["date"],
                f.coded(S, "docstatus.", r["status"]),
            ],
            "data.report.new",
            "/admin/report",
            "/admin/reports",
        ),
    )


def site_page() -> rx.Component:
    return admin_shell(
        f.back("data.sites.title", "/admin/sites"),
        rx.cond(
            S.missing,
            f.missing(S),
            rx.box(
                rx.heading(
                    rx.cond(S.is_new, T("data.site.new"), S.site["name"].to(str)),
                    size="6",
                    as_="h1",
                    margin_y="0.5rem",
                    id="site-title",
                ),
                rx.cond(~S.is_new, rx.text(S.site["client"].to(str), size="2", color_scheme="gray")),
                f.notice(S),
                f.section("data.site.details", _site_form(), ident="site-details"),
                rx.cond(S.is_new, rx.fragment(), _sections()),
            ),
        ),
    )
