"""Admin → Data: a job with its visits, and a service report (quotes and invoices, with
their line editor, are in ``data_billing``)."""

from __future__ import annotations

import reflex as rx

from pool_portal.presentation.staff_data import choices, job_values, job_visit, report_values, visit_rows
from pool_portal.services.core.roles import OFFICE_WORK
from pool_portal.services.staff import jobs, reports
from pool_portal.states.guard import staff_event, viewer
from pool_portal.states.shell import StaffPage, call
from pool_portal.states.staff.data_page import DataPage, as_id, submitted, url_params


class JobState(DataPage, StaffPage):
    """/admin/job?id=<id> or ?site=<id> (a new job on that site); ``&visit=`` (an id
    or "new") opens the visit form."""

    job: dict[str, str] = {}
    visits: list[dict[str, str]] = []
    visit: dict[str, str] = {}
    technicians: list[list[str]] = []
    asset_choices: list[list[str]] = []

    def _on_refused(self) -> None:
        super()._on_refused()
        self.job, self.visits, self.technicians, self.asset_choices, self.loaded = {}, [], [], [], False

    @staff_event(OFFICE_WORK)
    async def load_job(self):
        v, params = await self._load_shell(), url_params(self)
        job_id, site_id, raw_visit = as_id(params.get("id")), as_id(params.get("site")), params.get("visit", "")
        page = await call(jobs.job_page, v.tenant_id, v.user_id, job_id, site_id, as_id(raw_visit))
        self.errors = {}
        self._saved_notice()
        if page is None:
            self.missing, self.job, self.visits = True, {}, []
        else:
            self.missing = False
            self.job, self.visits, self.visit = job_values(page), visit_rows(page), job_visit(page, raw_visit)
            self.technicians, self.asset_choices = choices(page.technicians), choices(page.asset_choices)
        self.loaded = True
        self.version += 1

    @staff_event(OFFICE_WORK)
    async def save_job(self, form_data: dict):
        v, data = viewer(), submitted(form_data)
        if self.missing or not self.job:
            return
        job_id, site_id = as_id(self.job.get("id")), as_id(self.job.get("site_id"))
        return await self._save_record("/admin/job", jobs.save_job, v.tenant_id, v.user_id, job_id, site_id, data)

    @staff_event(OFFICE_WORK)
    async def save_visit(self, form_data: dict):
        v, data = viewer(), submitted(form_data)
        job_id, visit_id = as_id(self.job.get("id")), as_id(self.visit.get("id"))
        if job_id is None or not self.visit:
            return
        _, errors = await call(jobs.save_visit, v.tenant_id, v.user_id, visit_id, job_id, data)
        self.errors = errors
        if not errors:
            return rx.redirect(f"/admin/job?id={job_id}&saved=visit")


class ReportState(DataPage, StaffPage):
    """/admin/report?id=<id> or ?site=<id> (a new draft on that site)."""

    report: dict[str, str] = {}
    job_choices: list[list[str]] = []

    def _on_refused(self) -> None:
        super()._on_refused()
        self.report, self.job_choices, self.loaded = {}, [], False

    @staff_event(OFFICE_WORK)
    async def load_report(self):
        v, params = await self._load_shell(), url_params(self)
        report_id, site_id = as_id(params.get("id")), as_id(params.get("site"))
        page = await call(reports.report_page, v.tenant_id, v.user_id, report_id, site_id)
        self.errors = {}
        self._saved_notice()
        self.missing = page is None
        self.report = report_values(page) if page is not None else {}
        self.job_choices = choices(page.job_choices) if page is not None else []
        self.loaded = True
        self.version += 1

    @staff_event(OFFICE_WORK)
    async def save_report(self, form_data: dict):
        v, data = viewer(), submitted(form_data)
        if self.missing or not self.report:
            return
        report_id, site_id = as_id(self.report.get("id")), as_id(self.report.get("site_id"))
        return await self._save_record(
            "/admin/report", reports.save_report, v.tenant_id, v.user_id, report_id, site_id, data
        )

    @staff_event(OFFICE_WORK)
    async def approve_report(self):
        v, report_id = viewer(), as_id(self.report.get("id"))
        if report_id is None:
            return
        errors = await call(reports.approve_report, v.tenant_id, v.user_id, report_id)  # mails after the commit
        self.errors = errors
        if not errors:
            return rx.redirect(f"/admin/report?id={report_id}&saved=approved")
