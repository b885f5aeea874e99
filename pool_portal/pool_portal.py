"""The Reflex app: pages, backend routes and plugins are wired here only."""

from __future__ import annotations

import reflex as rx
from starlette.applications import Starlette

from pool_portal.api import files, health, integration, pages, session_routes
from pool_portal.pages.access import change_password_page, magic_page, set_password_page, staff_set_password_page
from pool_portal.pages.admin.clients import client_page, clients_page
from pool_portal.pages.admin.groups import group_page, groups_page
from pool_portal.pages.admin import data as data_pages
from pool_portal.pages.admin import data_records, data_site
from pool_portal.pages.admin.home import admin_home
from pool_portal.pages.admin.notifications import notifications_page
from pool_portal.pages.admin.imports import import_page
from pool_portal.pages.admin.settings import settings_page
from pool_portal.pages.admin.staff import staff_page
from pool_portal.pages.login import admin_login, portal_login
from pool_portal.pages.portal.home import portal_home
from pool_portal.pages.portal.records import (
    assets_page,
    defects_page,
    invoices_page,
    jobs_page,
    quotes_page,
    reports_page,
    request_job_page,
)
from pool_portal.states.admin import AdminHomeState
from pool_portal.states.admin_clients import ClientsState, ClientState, GroupsState, GroupState
from pool_portal.states.admin_settings import PortalSettingsState
from pool_portal.states.admin_staff import StaffUsersState
from pool_portal.states.base import LinkState, LoginState, PasswordState
from pool_portal.states.imports import ImportState
from pool_portal.states.notifications import NotificationsState
from pool_portal.states import data as data_states
from pool_portal.states.portal import PortalHomeState
from pool_portal.pages.admin.incidents import detail_page as admin_incident_page
from pool_portal.pages.admin.incidents import history_page as admin_incidents_page
from pool_portal.pages.portal.incidents import detail_page as incident_page
from pool_portal.pages.portal.incidents import list_page as incidents_list_page
from pool_portal.pages.portal.incidents import report_page as report_fault_page
from pool_portal.states.incidents import (
    AdminIncidentState,
    AdminIncidentsState,
    IncidentListState,
    IncidentState,
    ReportFaultState,
)
from pool_portal.states.records import (
    AssetsState,
    DefectsState,
    InvoicesState,
    JobsState,
    QuotesState,
    ReportsState,
    RequestJobState,
)

STYLE = {
    ".sr-only": {"position": "absolute", "width": "1px", "height": "1px", "overflow": "hidden",
                 "clip": "rect(0 0 0 0)", "white_space": "nowrap"},
    ".skip-link": {"position": "absolute", "left": "-9999px"},
    ".skip-link:focus": {"left": "1rem", "top": "1rem", "z_index": "10", "background": "white", "padding": "0.5rem"},
    # White text on Radix's cyan 9 is 3.0:1; on cyan 11 it is 4.8:1 (WCAG AA asks 4.5:1).
    # Solid buttons, badges and checks take the accent's step 9, hover its step 10. These
    # global styles are set on the theme's root element, hence "&" (that element itself).
    "&[data-accent-color='cyan']": {"--accent-9": "var(--cyan-11)", "--accent-10": "var(--cyan-12)"},
}


def _backend() -> Starlette:
    return Starlette(routes=session_routes.routes + files.routes + health.routes + integration.routes)


def index() -> rx.Component:
    return rx.fragment()


app = rx.App(
    api_transformer=[_backend(), pages.serve_pages_without_redirect],
    style=STYLE,
    head_components=[rx.el.meta(name="color-scheme", content="light")],
)
app.add_page(index, route="/", on_load=rx.redirect("/portal"), title="Pool Portal")
app.add_page(portal_login, route="/portal/login", on_load=LoginState.load_login, title="Sign in | Pool Portal")
app.add_page(portal_home, route="/portal", on_load=PortalHomeState.load_home, title="Portal | Pool Portal")
app.add_page(admin_login, route="/admin/login", on_load=LoginState.load_login, title="Staff sign in | Pool Portal")
app.add_page(admin_home, route="/admin", on_load=AdminHomeState.load_admin, title="Admin | Pool Portal")
app.add_page(magic_page, route="/portal/magic", on_load=LinkState.load_magic, title="Sign in | Pool Portal")
app.add_page(set_password_page, route="/portal/set-password", on_load=LinkState.load_set_password, title="Set your password | Pool Portal")
app.add_page(change_password_page, route="/portal/password", on_load=PasswordState.load_portal_password, title="New password | Pool Portal")
app.add_page(change_password_page, route="/admin/password", on_load=PasswordState.load_admin_password, title="New password | Pool Portal")
app.add_page(quotes_page, route="/portal/quotes", on_load=QuotesState.load_quotes, title="Quotes | Pool Portal")
app.add_page(invoices_page, route="/portal/invoices", on_load=InvoicesState.load_invoices, title="Invoices | Pool Portal")
app.add_page(request_job_page, route="/portal/request-job", on_load=RequestJobState.load_request, title="Request a job | Pool Portal")
app.add_page(jobs_page, route="/portal/jobs", on_load=JobsState.load_jobs, title="Jobs | Pool Portal")
app.add_page(reports_page, route="/portal/reports", on_load=ReportsState.load_reports, title="Reports | Pool Portal")
app.add_page(assets_page, route="/portal/assets", on_load=AssetsState.load_assets, title="Assets | Pool Portal")
app.add_page(incidents_list_page, route="/portal/incidents", on_load=IncidentListState.load_incidents,
             title="Incidents | Pool Portal")
app.add_page(report_fault_page, route="/portal/incidents/new", on_load=ReportFaultState.load_report_form,
             title="Report a fault | Pool Portal")
app.add_page(incident_page, route="/portal/incident", on_load=IncidentState.load_incident, title="Incident | Pool Portal")
app.add_page(admin_incidents_page, route="/admin/incidents", on_load=AdminIncidentsState.load_admin_incidents,
             title="Incidents | Pool Portal")
app.add_page(admin_incident_page, route="/admin/incident", on_load=AdminIncidentState.load_admin_incident,
             title="Incident | Pool Portal")
app.add_page(notifications_page, route="/admin/notifications", on_load=NotificationsState.load_notifications,
             title="Notifications | Pool Portal")
app.add_page(defects_page, route="/portal/defects", on_load=DefectsState.load_defects, title="Defects | Pool Portal")
app.add_page(import_page, route="/admin/import", on_load=ImportState.load_import, title="Import | Pool Portal")
# The admin control panel.
app.add_page(settings_page, route="/admin/settings", on_load=PortalSettingsState.load_settings,
             title="Customer portal | Pool Portal")
app.add_page(clients_page, route="/admin/clients", on_load=ClientsState.load_clients, title="Clients | Pool Portal")
app.add_page(client_page, route="/admin/client", on_load=ClientState.load_client, title="Client | Pool Portal")
app.add_page(groups_page, route="/admin/groups", on_load=GroupsState.load_groups, title="Client groups | Pool Portal")
app.add_page(group_page, route="/admin/group", on_load=GroupState.load_group, title="Client group | Pool Portal")
app.add_page(staff_page, route="/admin/staff", on_load=StaffUsersState.load_staff, title="Staff | Pool Portal")
app.add_page(staff_set_password_page, route="/admin/set-password", on_load=LinkState.load_staff_set_password,
             title="Set your password | Pool Portal")

# Admin → Data: lists and edit pages (sites with assets, remarks and documents; jobs and
# visits; quotes and invoices with lines; reports).
for route, page, loader, title in (
    ("/admin/data", data_pages.index_page, data_states.DataIndexState.load_data_index, "Data"),
    ("/admin/sites", data_pages.sites_page, data_states.SitesListState.load_sites_list, "Properties"),
    ("/admin/site", data_site.site_page, data_states.SiteState.load_site, "Property"),
    ("/admin/jobs", data_pages.jobs_page, data_states.JobsListState.load_jobs_list, "Jobs"),
    ("/admin/job", data_records.job_page, data_states.JobState.load_job, "Job"),
    ("/admin/visits", data_pages.visits_page, data_states.VisitsListState.load_visits_list, "Visits"),
    ("/admin/quotes", data_pages.quotes_page, data_states.QuotesListState.load_quotes_list, "Quotes"),
    ("/admin/quote", data_records.quote_page, data_states.QuoteState.load_quote, "Quote"),
    ("/admin/invoices", data_pages.invoices_page, data_states.InvoicesListState.load_invoices_list, "Invoices"),
    ("/admin/invoice", data_records.invoice_page, data_states.InvoiceState.load_invoice, "Invoice"),
    ("/admin/reports", data_pages.reports_page, data_states.ReportsListState.load_reports_list, "Reports"),
    ("/admin/report", data_records.report_page, data_states.ReportState.load_report, "Report"),
    ("/admin/remarks", data_pages.remarks_page, data_states.RemarksListState.load_remarks_list, "Remarks"),
):
    app.add_page(page, route=route, on_load=loader, title=f"{title} | Pool Portal")
