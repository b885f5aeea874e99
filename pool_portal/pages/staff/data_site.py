"""Admin → Data → a property: its form (name, client, address, coordinates), and its
sections: assets and remarks (each with its form, opened from the URL), shared
documents (upload PDFs and images, publish or keep internal), and its jobs, quotes,
invoices and reports with links to create new ones."""

from __future__ import annotations

import reflex as rx

from pool_portal.components import badges, record, style, upload
from pool_portal.components.buttons import add_link, publish_toggle
from pool_portal.components.fields import (
    dom_checked,
    dom_value,
    field_error,
    grid,
    record_checkbox,
    record_field,
    save_button,
)
from pool_portal.components.i18n import T
from pool_portal.components.layout import admin_shell, back_link
from pool_portal.components.notices import data_missing, data_notice, form_error
from pool_portal.components.sections import section
from pool_portal.components.selects import enum_codes, record_select
from pool_portal.components.tables import coded, table
from pool_portal.models import RemarkStatus, Severity
from pool_portal.states.staff.data_site import SiteState

S = SiteState


def _site_url(**extra: str):
    """/admin/site?id=<this site>&... (an rx Var)."""
    tail = "".join(f"&{k}={v}" for k, v in extra.items())
    return "/admin/site?id=" + S.site["id"].to(str) + tail


def _site_form() -> rx.Component:
    v = S.site
    return rx.form(
        grid(
            record_field(S, v, "name", "data.site.name", prefix="site", required=True),
            record_select(
                S,
                v,
                "client_id",
                "data.site.client",
                prefix="site",
                choices=S.clients,
                blank="data.choose",
                required=True,
            ),
            record_field(S, v, "address", "detail.address", prefix="site", max_length=300),
            record_field(S, v, "city", "data.site.city", prefix="site", max_length=120),
            record_field(S, v, "postcode", "data.site.postcode", prefix="site", max_length=20),
            rx.box(),
            record_field(
                S,
                v,
                "latitude",
                "data.site.latitude",
                prefix="site",
                max_length=20,
                hint="data.site.latitude_hint",
                input_mode="decimal",
            ),
            record_field(
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
        record_field(S, v, "notes", "data.site.notes", prefix="site", kind="textarea", max_length=2000),
        rx.cond(~S.is_new, record_checkbox(S, v, "is_active", "data.active_label", prefix="site")),
        form_error(S),
        save_button("data.save", "site-save"),
        on_submit=S.save_site,
        reset_on_submit=False,
        id="site-form",
    )


def _edit_link(href, name) -> rx.Component:
    return rx.link(T("data.edit"), href=href, aria_label=T("data.edit") + " " + name)


def _assets() -> rx.Component:
    a = S.asset
    form = record.sub_form(
        S,
        a,
        record.new_or_edit(a, "data.asset.new", "data.asset.edit"),
        grid(
            record_field(S, a, "asset_code", "assets.asset_code", prefix="asset", max_length=60, required=True),
            record_field(S, a, "asset_type", "assets.asset_type", prefix="asset", max_length=60, required=True),
            record_field(S, a, "model", "assets.model", prefix="asset", max_length=120),
            record_field(S, a, "serial_number", "assets.serial_number", prefix="asset", max_length=120),
            record_field(S, a, "customer_ref", "data.asset.customer_ref", prefix="asset", max_length=120),
            record_field(S, a, "location", "assets.location", prefix="asset"),
            record_field(S, a, "last_test_number", "assets.last_test_number", prefix="asset", max_length=60),
            record_field(S, a, "last_test_date", "assets.last_test_date", prefix="asset", kind="date"),
            record_field(S, a, "next_service_due", "assets.next_service_due", prefix="asset", kind="date"),
        ),
        record_field(S, a, "description", "data.description", prefix="asset", kind="textarea", max_length=1000),
        rx.cond(a["id"].to(str) != "", record_checkbox(S, a, "is_active", "data.active_label", prefix="asset")),
        prefix="asset",
        on_submit=S.save_asset,
        cancel_href=_site_url(),
    )
    return section(
        "detail.assets",
        form,
        table(
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
            cells=lambda r: [
                r["asset_code"],
                r["asset_type"],
                r["model"],
                r["serial_number"],
                r["next_service_due"],
                rx.cond(r["is_active"] != "", T("data.yes"), T("data.no")),
                _edit_link(_site_url(asset=r["id"]) + "#asset-form", r["asset_code"]),
            ],
            id="assets-table",
            size="1",
        ),
        ident="assets",
        actions=[add_link("data.asset.add", _site_url(asset="new") + "#asset-form", "asset-add")],
    )


def _remarks() -> rx.Component:
    r = S.remark
    form = record.sub_form(
        S,
        r,
        record.new_or_edit(r, "data.remark.new", "data.remark.edit"),
        grid(
            record_select(
                S,
                r,
                "severity",
                "defects.severity",
                prefix="remark",
                codes=enum_codes(Severity),
                code_prefix="severity.",
                required=True,
            ),
            record_select(
                S,
                r,
                "status",
                "overlay.status",
                prefix="remark",
                codes=enum_codes(RemarkStatus),
                code_prefix="remark.",
                required=True,
            ),
            record_field(S, r, "title", "overlay.title", prefix="remark", required=True),
            record_select(
                S,
                r,
                "asset_id",
                "data.remark.asset",
                prefix="remark",
                choices=S.asset_choices,
                blank="data.remark.on_site",
            ),
            record_field(S, r, "raised_on", "defects.raised_on", prefix="remark", kind="date"),
            record_field(S, r, "resolved_on", "defects.resolved", prefix="remark", kind="date"),
        ),
        record_field(S, r, "description", "data.description", prefix="remark", kind="textarea", max_length=4000),
        record_checkbox(S, r, "is_published", "data.remark.published_label", prefix="remark"),
        prefix="remark",
        on_submit=S.save_remark,
        cancel_href=_site_url(),
    )
    return section(
        "data.remarks.title",
        form,
        table(
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
            cells=lambda x: [
                x["number"],
                x["raised_on"],
                coded("severity.", x["severity"]),
                coded("remark.", x["status"]),
                x["title"],
                x["asset"],
                publish_toggle(
                    x["is_published"] != "",
                    S.set_remark_published(x["id"], True),
                    S.set_remark_published(x["id"], False),
                ),
                _edit_link(_site_url(remark=x["id"]) + "#remark-form", x["number"]),
            ],
            id="remarks-table",
            size="1",
        ),
        ident="remarks",
        actions=record.see_all_and_add(
            "/admin/remarks?site=" + S.site["id"].to(str),
            "data.remark.add",
            _site_url(remark="new") + "#remark-form",
            "remark-add",
        ),
    )


def _document_upload() -> rx.Component:
    return rx.card(
        rx.heading(T("data.document.upload_title"), size="3", as_="h3"),
        rx.flex(
            rx.flex(
                rx.el.label(T("data.document.title"), html_for="document-title", style=style.LABEL),
                rx.el.input(id="document-title", max_length=200, style=style.FIELD),
                direction="column",
                spacing="1",
            ),
            upload.dropzone("document-file", "file-up", "data.document.pick", accept=upload.DOCUMENTS),
            upload.selected_files("document-file", spacing="1"),
            field_error(S, "document_file"),
            field_error(S, "document_title"),
            field_error(S, "document_form"),
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
                    dom_checked("document-published"),
                ),
            ),
            direction="column",
            spacing="2",
        ),
        margin_bottom="0.75rem",
    )


def _documents() -> rx.Component:
    return section(
        "detail.files",
        _document_upload(),
        table(
            [
                "data.document.title",
                "data.document.file",
                "data.document.size",
                "data.remark.published",
                "data.actions",
            ],
            S.documents,
            cells=lambda d: [
                d["title"],
                rx.link(d["filename"], href="/files/document/" + d["id"], is_external=True),
                d["size"],
                badges.yes_no(d["published"] != ""),
                rx.flex(
                    publish_toggle(
                        d["published"] != "",
                        S.set_document_published(d["id"], True),
                        S.set_document_published(d["id"], False),
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
            id="documents-table",
            size="1",
        ),
        ident="documents",
    )


def _related(title_key: str, ident: str, rows, kind: str, new_key: str, columns: list[str], cells) -> rx.Component:
    """The site's jobs, quotes, invoices or reports (the number opens one; ``cells(r)``
    the other columns): see them all in their list, or add one."""
    site = S.site["id"].to(str)

    def row(r):
        return [rx.link(r["number"], href=f"/admin/{kind}?id=" + r["id"]), *cells(r)]

    return section(
        title_key,
        table(["overlay.number", *columns], rows, cells=row, id=f"{ident}-table", size="1"),
        ident=ident,
        actions=record.see_all_and_add(
            f"/admin/{kind}s?site=" + site, new_key, f"/admin/{kind}?site=" + site, f"{ident}-new"
        ),
    )


def _sections() -> rx.Component:
    return rx.box(
        _assets(),
        _remarks(),
        _documents(),
        _related(
            "data.jobs.title",
            "jobs",
            S.jobs,
            "job",
            "data.job.new",
            ["detail.kind", "overlay.status", "jobs.when", "overlay.title"],
            lambda r: [coded("kind.", r["kind"]), coded("stage.", r["stage"]), r["date"], r["description"]],
        ),
        _related(
            "data.quotes.title",
            "quotes",
            S.quotes,
            "quote",
            "data.quote.new",
            ["overlay.title", "overlay.status", "pdf.total"],
            lambda r: [r["title"], coded("docstatus.", r["status"]), r["amount"]],
        ),
        _related(
            "data.invoices.title",
            "invoices",
            S.invoices,
            "invoice",
            "data.invoice.new",
            ["overlay.status", "pdf.total"],
            lambda r: [coded("docstatus.", r["status"]), r["amount"]],
        ),
        _related(
            "data.reports.title",
            "reports",
            S.reports,
            "report",
            "data.report.new",
            ["overlay.title", "overlay.date", "overlay.status"],
            lambda r: [r["title"], r["date"], coded("docstatus.", r["status"])],
        ),
    )


def site_page() -> rx.Component:
    return admin_shell(
        back_link("data.sites.title", "/admin/sites", size="2"),
        rx.cond(
            S.missing,
            data_missing(),
            rx.box(
                rx.heading(
                    rx.cond(S.is_new, T("data.site.new"), S.site["name"].to(str)),
                    size="6",
                    as_="h1",
                    margin_y="0.5rem",
                    id="site-title",
                ),
                rx.cond(~S.is_new, rx.text(S.site["client"].to(str), size="2", color_scheme="gray")),
                data_notice(S),
                section("data.site.details", _site_form(), ident="site-details"),
                rx.cond(S.is_new, rx.fragment(), _sections()),
            ),
        ),
    )
