"""Admin → Data: a site (property) with its sections: its form, its assets, remarks and
shared documents (edited here), and its latest jobs, quotes, invoices and reports."""

from __future__ import annotations

import asyncio
from urllib.parse import urlencode

import reflex as rx

from pool_portal.presentation.staff_data import (
    NEW_ASSET,
    NEW_REMARK,
    NEW_SITE,
    choices,
    opened,
    site_sections,
    site_values,
)
from pool_portal.services.core.i18n import normalise_language
from pool_portal.services.core.roles import OFFICE_WORK
from pool_portal.services.staff import documents, site_records, sites
from pool_portal.states.guard import staff_event, viewer
from pool_portal.states.shell import StaffPage, call
from pool_portal.states.staff.data_page import DataPage, as_id, submitted, url_params

SECTIONS = ("assets", "remarks", "documents", "jobs", "quotes", "invoices", "reports")


class SiteState(DataPage, StaffPage):
    """/admin/site?id=<id> (or ?id=new): the site's form and its sections; ``&asset=``
    and ``&remark=`` (an id or "new") open the asset or remark form."""

    site: dict[str, str] = {}
    is_new: bool = False
    clients: list[list[str]] = []
    assets: list[dict[str, str]] = []
    remarks: list[dict[str, str]] = []
    documents: list[dict[str, str]] = []
    jobs: list[dict[str, str]] = []
    quotes: list[dict[str, str]] = []
    invoices: list[dict[str, str]] = []
    reports: list[dict[str, str]] = []
    asset_choices: list[list[str]] = []
    asset: dict[str, str] = {}  # the asset being edited ({} closed, {"id": ""} new)
    remark: dict[str, str] = {}
    uploading: bool = False

    def _on_refused(self) -> None:
        super()._on_refused()
        self.site, self.assets, self.remarks, self.documents, self.clients = {}, [], [], [], []
        self.jobs, self.quotes, self.invoices, self.reports, self.loaded = [], [], [], [], False

    def _site_id(self) -> int | None:
        return as_id(self.site.get("id"))

    async def _read(self, site_id: int | None) -> None:
        """The site ``site_id`` (None: a new one) and the forms the URL opens."""
        v, params = viewer(), url_params(self)
        if site_id is None:
            self.clients = choices(await call(sites.client_choices, v.tenant_id))
            self.site, self.is_new, self.missing = dict(NEW_SITE), True, False
            for name in (*SECTIONS, "asset_choices"):
                setattr(self, name, [])
            self.asset, self.remark = {}, {}
            return
        asset, remark = params.get("asset", ""), params.get("remark", "")
        page = await call(
            sites.site_page, v.tenant_id, v.user_id, site_id, asset_id=as_id(asset), remark_id=as_id(remark)
        )
        self.is_new = False
        if page is None:
            self.missing, self.site = True, {}
            return
        self.missing = False
        self.clients = choices(page.clients)
        self.site = site_values(page)
        for name, rows in site_sections(page, normalise_language(self.lang)).items():
            setattr(self, name, rows)
        self.asset_choices = choices(page.asset_choices)
        self.asset = opened(asset, page.asset, NEW_ASSET)
        self.remark = opened(remark, page.remark, NEW_REMARK)

    async def _reload(self) -> None:
        await self._read(self._site_id())
        self.version += 1

    @staff_event(OFFICE_WORK)
    async def load_site(self):
        raw = url_params(self).get("id", "")
        site_id = None if raw == "new" else as_id(raw)
        self.errors = {}
        self._saved_notice()
        await self._load_shell()
        if site_id is None and raw != "new":
            self.missing, self.site = True, {}
        else:
            await self._read(site_id)
        self.loaded = True
        self.version += 1

    async def _save(self, save, saved: str, *args: object):
        """``save(db, tenant, staff, *args)`` -> (id, errors); on success go to the clean site URL."""
        v = viewer()
        row_id, errors = await call(save, v.tenant_id, v.user_id, *args)
        self.errors = errors
        if errors:
            return None
        site_id = self._site_id() or row_id
        return rx.redirect(f"/admin/site?{urlencode({'id': site_id, 'saved': saved})}")

    @staff_event(OFFICE_WORK)
    async def save_site(self, form_data: dict):
        data, site_id = submitted(form_data), self._site_id()
        if self.missing:
            return
        return await self._save(sites.save_site, "1", site_id, data)

    @staff_event(OFFICE_WORK)
    async def save_asset(self, form_data: dict):
        data, site_id, asset_id = submitted(form_data), self._site_id(), as_id(self.asset.get("id"))
        if site_id is None or not self.asset:
            return
        return await self._save(site_records.save_asset, "asset", asset_id, site_id, data)

    @staff_event(OFFICE_WORK)
    async def save_remark(self, form_data: dict):
        data, site_id, remark_id = submitted(form_data), self._site_id(), as_id(self.remark.get("id"))
        if site_id is None or not self.remark:
            return
        return await self._save(site_records.save_remark, "remark", remark_id, site_id, data)

    @staff_event(OFFICE_WORK)
    async def set_remark_published(self, remark_id: str, published: bool):
        v = viewer()
        error = await call(site_records.set_remark_published, v.tenant_id, v.user_id, as_id(remark_id), bool(published))
        self.notice = error or ""
        await self._reload()

    @staff_event(OFFICE_WORK)
    async def upload_document(self, files: list[rx.UploadFile], title: str = "", published: str = ""):
        """A PDF or image for the site (the service checks type, by content, and size)."""
        v, site_id = viewer(), self._site_id()
        if site_id is None:
            return
        upload = None
        if files:
            f = files[0]
            data = await asyncio.to_thread(f.file.read, documents.MAX_DOCUMENT_BYTES + 1)
            upload = (f.name or "document", data)
        publish = str(published).lower() in ("1", "true", "on", "yes")
        _, errors = await call(
            documents.upload_document, v.tenant_id, v.user_id, site_id, str(title)[:1000], publish, upload
        )
        self.errors = {f"document_{k}": val for k, val in errors.items()}
        if errors:
            return
        self.notice = "data.saved.document"
        await self._reload()
        return rx.clear_selected_files("document-file")

    @staff_event(OFFICE_WORK)
    async def set_document_published(self, document_id: str, published: bool):
        v = viewer()
        error = await call(
            documents.set_document_published, v.tenant_id, v.user_id, as_id(document_id), bool(published)
        )
        self.notice = error or ""
        await self._reload()

    @staff_event(OFFICE_WORK)
    async def delete_document(self, document_id: str):
        v = viewer()
        error = await call(documents.delete_document, v.tenant_id, v.user_id, as_id(document_id))
        self.notice = error or "data.document.deleted"  # the file is gone once the removal committed
        await self._reload()
