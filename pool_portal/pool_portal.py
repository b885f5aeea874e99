"""The Reflex app: pages, backend routes and plugins are wired here only."""

from __future__ import annotations

import reflex as rx
from starlette.applications import Starlette
from starlette.types import ASGIApp

from pool_portal.api import files, health, integration, origins, pages, payments, security_headers, session_routes
from pool_portal.api.upload_door import upload_door
from pool_portal.components import style
from pool_portal.components.i18n import page_title
from pool_portal.pages.data_in.imports import import_page
from pool_portal.pages.identity.access import (
    change_password_page,
    magic_page,
    set_password_page,
    staff_set_password_page,
)
from pool_portal.pages.identity.login import admin_login, portal_login
from pool_portal.pages.incidents.portal import detail_page as incident_page
from pool_portal.pages.incidents.portal import list_page as incidents_list_page
from pool_portal.pages.incidents.portal import report_page as report_fault_page
from pool_portal.pages.incidents.staff import detail_page as admin_incident_page
from pool_portal.pages.incidents.staff import history_page as admin_incidents_page
from pool_portal.pages.portal import home, home_overlay
from pool_portal.pages.portal.assets import assets_page, defects_page
from pool_portal.pages.portal.documents import invoices_page, quotes_page, reports_page
from pool_portal.pages.portal.invoice import invoice_page as portal_invoice_page
from pool_portal.pages.portal.jobs import jobs_page, request_job_page
from pool_portal.pages.staff import (
    data,
    data_documents,
    data_job,
    data_lists,
    data_remarks,
    data_report,
    data_site,
    data_visits,
)
from pool_portal.pages.staff.client import client_page
from pool_portal.pages.staff.clients import clients_page
from pool_portal.pages.staff.groups import group_page, groups_page
from pool_portal.pages.staff.home import admin_home
from pool_portal.pages.staff.notifications import notifications_page
from pool_portal.pages.staff.portal_settings import settings_page
from pool_portal.pages.staff.users import staff_page
from pool_portal.settings import get_settings
from pool_portal.states import tabs
from pool_portal.states.data_in.imports import ImportState
from pool_portal.states.identity.sign_in import LinkState, LoginState, PasswordState
from pool_portal.states.incidents.portal import IncidentListState, IncidentState, ReportFaultState
from pool_portal.states.incidents.staff import AdminIncidentsState, AdminIncidentState
from pool_portal.states.portal.home import PortalHomeState
from pool_portal.states.portal.invoice import InvoicePageState
from pool_portal.states.portal.records import (
    AssetsState,
    DefectsState,
    InvoicesState,
    JobsState,
    QuotesState,
    ReportsState,
    RequestJobState,
)
from pool_portal.states.staff.clients import ClientsState, ClientState
from pool_portal.states.staff.data_billing import InvoiceState, QuoteState
from pool_portal.states.staff.data_lists import (
    DataIndexState,
    InvoicesListState,
    JobsListState,
    QuotesListState,
    RemarksListState,
    ReportsListState,
    SitesListState,
    VisitsListState,
)
from pool_portal.states.staff.data_records import JobState, ReportState
from pool_portal.states.staff.data_site import SiteState
from pool_portal.states.staff.groups import GroupsState, GroupState
from pool_portal.states.staff.home import AdminHomeState
from pool_portal.states.staff.notifications import NotificationsState
from pool_portal.states.staff.portal_settings import PortalSettingsState
from pool_portal.states.staff.users import StaffUsersState


def _backend() -> Starlette:
    return Starlette(routes=session_routes.routes + files.routes + health.routes + payments.routes + integration.routes)


def index() -> rx.Component:
    return rx.fragment()


def portal_home() -> rx.Component:
    """/portal: the dashboard under its overlay (two page modules, put together here
    because a page never imports another page module)."""
    return home.portal_home(home_overlay.listing_overlay())


class PortalApp(rx.App):
    """rx.App, its whole ASGI app behind the origin gate (api/origins.py): outside the
    CORS middleware Reflex puts around everything, whose answers the gate cleans."""

    def __call__(self) -> ASGIApp:
        return origins.origin_gate(super().__call__(), get_settings().allowed_origins, integration.PREFIX)


app = PortalApp(
    # Our routes around Reflex's; then the pages without the trailing-slash redirect;
    # the upload door (a tab's id is not a credential); outermost, the security headers
    # on every answer of any of them.
    api_transformer=[_backend(), pages.serve_pages_without_redirect, upload_door, security_headers.security_headers],
    style=style.APP,
    head_components=[rx.el.meta(name="color-scheme", content="light")],
)
# A tab id is never a credential: bind tabs to sessions, wipe them when that ends.
tabs.install(app)
app.add_page(index, route="/", on_load=rx.redirect("/portal"), title="Pool Portal")
app.add_page(portal_login, route="/portal/login", on_load=LoginState.load_login, title=page_title("title.sign_in"))
app.add_page(portal_home, route="/portal", on_load=PortalHomeState.load_home, title=page_title("title.portal"))
app.add_page(admin_login, route="/admin/login", on_load=LoginState.load_login, title=page_title("title.staff_sign_in"))
app.add_page(admin_home, route="/admin", on_load=AdminHomeState.load_admin, title=page_title("title.admin"))
app.add_page(magic_page, route="/portal/magic", on_load=LinkState.load_magic, title=page_title("title.sign_in"))
app.add_page(
    set_password_page,
    route="/portal/set-password",
    on_load=LinkState.load_set_password,
    title=page_title("title.set_password"),
)
app.add_page(
    change_password_page,
    route="/portal/password",
    on_load=PasswordState.load_portal_password,
    title=page_title("title.new_password"),
)
app.add_page(
    change_password_page,
    route="/admin/password",
    on_load=PasswordState.load_admin_password,
    title=page_title("title.new_password"),
)
app.add_page(quotes_page, route="/portal/quotes", on_load=QuotesState.load_quotes, title=page_title("title.quotes"))
app.add_page(
    invoices_page, route="/portal/invoices", on_load=InvoicesState.load_invoices, title=page_title("title.invoices")
)
app.add_page(
    portal_invoice_page,
    route="/portal/invoice",
    on_load=InvoicePageState.load_invoice_page,
    title=page_title("title.invoice"),
)
app.add_page(
    request_job_page,
    route="/portal/request-job",
    on_load=RequestJobState.load_request,
    title=page_title("title.request_job"),
)
app.add_page(jobs_page, route="/portal/jobs", on_load=JobsState.load_jobs, title=page_title("title.jobs"))
app.add_page(
    reports_page, route="/portal/reports", on_load=ReportsState.load_reports, title=page_title("title.reports")
)
app.add_page(assets_page, route="/portal/assets", on_load=AssetsState.load_assets, title=page_title("title.assets"))
app.add_page(
    incidents_list_page,
    route="/portal/incidents",
    on_load=IncidentListState.load_incidents,
    title=page_title("title.incidents"),
)
app.add_page(
    report_fault_page,
    route="/portal/incidents/new",
    on_load=ReportFaultState.load_report_form,
    title=page_title("title.report_fault"),
)
app.add_page(
    incident_page, route="/portal/incident", on_load=IncidentState.load_incident, title=page_title("title.incident")
)
app.add_page(
    admin_incidents_page,
    route="/admin/incidents",
    on_load=AdminIncidentsState.load_admin_incidents,
    title=page_title("title.incidents"),
)
app.add_page(
    admin_incident_page,
    route="/admin/incident",
    on_load=AdminIncidentState.load_admin_incident,
    title=page_title("title.incident"),
)
app.add_page(
    notifications_page,
    route="/admin/notifications",
    on_load=NotificationsState.load_notifications,
    title=page_title("title.notifications"),
)
app.add_page(
    defects_page, route="/portal/defects", on_load=DefectsState.load_defects, title=page_title("title.defects")
)
app.add_page(import_page, route="/admin/import", on_load=ImportState.load_import, title=page_title("title.import"))
# The admin control panel.
app.add_page(
    settings_page,
    route="/admin/settings",
    on_load=PortalSettingsState.load_settings,
    title=page_title("title.portal_settings"),
)
app.add_page(clients_page, route="/admin/clients", on_load=ClientsState.load_clients, title=page_title("title.clients"))
app.add_page(client_page, route="/admin/client", on_load=ClientState.load_client, title=page_title("title.client"))
app.add_page(groups_page, route="/admin/groups", on_load=GroupsState.load_groups, title=page_title("title.groups"))
app.add_page(group_page, route="/admin/group", on_load=GroupState.load_group, title=page_title("title.group"))
app.add_page(staff_page, route="/admin/staff", on_load=StaffUsersState.load_staff, title=page_title("title.staff"))
app.add_page(
    staff_set_password_page,
    route="/admin/set-password",
    on_load=LinkState.load_staff_set_password,
    title=page_title("title.set_password"),
)

# Admin → Data: lists and edit pages (sites with assets, remarks and documents; jobs and
# visits; quotes and invoices with lines; reports).
for route, page, loader, title in (
    ("/admin/data", data.index_page, DataIndexState.load_data_index, "title.data"),
    ("/admin/sites", data_lists.sites_page, SitesListState.load_sites_list, "title.sites"),
    ("/admin/site", data_site.site_page, SiteState.load_site, "title.site"),
    ("/admin/jobs", data_lists.jobs_page, JobsListState.load_jobs_list, "title.jobs"),
    ("/admin/job", data_job.job_page, JobState.load_job, "title.job"),
    ("/admin/visits", data_visits.visits_page, VisitsListState.load_visits_list, "title.visits"),
    ("/admin/quotes", data_lists.quotes_page, QuotesListState.load_quotes_list, "title.quotes"),
    ("/admin/quote", data_documents.quote_page, QuoteState.load_quote, "title.quote"),
    ("/admin/invoices", data_lists.invoices_page, InvoicesListState.load_invoices_list, "title.invoices"),
    ("/admin/invoice", data_documents.invoice_page, InvoiceState.load_invoice, "title.invoice"),
    ("/admin/reports", data_lists.reports_page, ReportsListState.load_reports_list, "title.reports"),
    ("/admin/report", data_report.report_page, ReportState.load_report, "title.report"),
    ("/admin/remarks", data_remarks.remarks_page, RemarksListState.load_remarks_list, "title.remarks"),
):
    app.add_page(page, route=route, on_load=loader, title=page_title(title))
