"""Admin → Clients (list, bulk invitations) and one client's page (contacts and their
portal access, Customise, view the portal as the client).

Thin: the rules live in ``services.staff.clients``, ``client_contacts`` and
``invitations``, ``services.identity.contacts`` and ``services.staff.portal_admin``;
every service re-checks the tenant and the role. ADMIN and OFFICE staff use these
pages; Customise is ADMIN only. Client groups are ``states.staff.groups``.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlencode

import reflex as rx

from pool_portal.presentation import admin as show
from pool_portal.services.core.roles import OFFICE_WORK, PORTAL_ADMINISTRATION
from pool_portal.services.identity import contacts, view_as
from pool_portal.services.portal import portal_settings
from pool_portal.services.staff import client_contacts, invitations, portal_admin
from pool_portal.services.staff import clients as admin_clients
from pool_portal.states.guard import staff_event, viewer
from pool_portal.states.shell import call
from pool_portal.states.staff.admin_page import AdminPage, form_id


# -- the clients list ------------------------------------------------------------------------------
class ClientsState(AdminPage):
    """/admin/clients?q=&group=&access=&page=: the filters live in the URL. "Invite the
    listed clients' contacts" runs in the background with a progress indicator."""

    rows: list[dict[str, str]] = []
    total: int = 0
    page: int = 1
    pages: int = 1
    text: str = ""
    group: str = ""
    access_filter: str = "all"
    groups: list[list[str]] = []  # [id, name indented by depth]
    loaded: bool = False
    bulk_running: bool = False
    bulk_total: int = 0
    bulk_done: int = 0
    bulk_invited: int = -1  # -1: no run finished yet

    def _on_refused(self) -> None:
        super()._on_refused()
        self.rows, self.groups, self.loaded = [], [], False

    @staff_event(OFFICE_WORK)
    async def load_clients(self):
        v = await self._load_shell()
        params = self.router.url.query_parameters
        text = " ".join(str(params.get("q", "")).split())[:100]
        access_filter = str(params.get("access", "all"))
        access_filter = access_filter if access_filter in admin_clients.ACCESS_FILTERS else "all"
        group_id, page = form_id(params.get("group")), form_id(params.get("page")) or 1
        listed = await call(admin_clients.client_list, v.tenant_id, v.user_id, text, group_id, access_filter, page)
        self.groups = show.group_options(listed.groups)
        self.text, self.access_filter = text, access_filter
        self.group = str(listed.group_id) if listed.group_id is not None else ""
        self.rows = show.client_rows(listed.clients)
        self.total, self.page, self.pages = listed.clients.total, listed.clients.page, listed.clients.pages
        self.loaded = True

    @rx.var
    def page_query(self) -> str:
        """The current filters as a query string, for the paging links."""
        query = {
            k: v
            for k, v in (("q", self.text), ("group", self.group), ("access", self.access_filter))
            if v and v != "all"
        }
        return urlencode(query)

    @staff_event(OFFICE_WORK, background=True)
    async def bulk_invite(self):
        """Invite every not-yet-invited (or expired) contact of the clients the current
        filters list, all pages, in batches, in a worker thread: other users and this
        tab's other events go on meanwhile. One run at a time per tab."""
        v = viewer()
        async with self:
            if self.bulk_running or not self.loaded:  # acts on the list the page shows
                return
            self.bulk_running, self.bulk_done, self.bulk_total, self.bulk_invited = True, 0, 0, -1
            text, group_id, access_filter = self.text, form_id(self.group), self.access_filter
        loop = asyncio.get_running_loop()

        async def progress_shown(done: int, total: int) -> None:
            async with self:
                self.bulk_done, self.bulk_total = done, total

        def progress(done: int, total: int) -> None:  # called from the worker thread after each batch
            asyncio.run_coroutine_threadsafe(progress_shown(done, total), loop).result(timeout=60)

        try:
            ids = await call(invitations.invitable_contacts, v.tenant_id, v.user_id, text, group_id, access_filter)
            await progress_shown(0, len(ids))
            result = await asyncio.to_thread(invitations.bulk_invite, v.tenant_id, v.user_id, ids, progress)
        finally:
            async with self:
                self.bulk_running = False
        async with self:
            self.bulk_invited = result.invited
            self.bulk_done = self.bulk_total = result.total
        return ClientsState.load_clients


# -- one client ---------------------------------------------------------------------------------------
class ClientState(AdminPage):
    """/admin/client?id=: the client, its contacts and their portal access (invite,
    resend, disable/enable, a first password), Customise (ADMIN) and "view the portal
    as this client"."""

    client: dict[str, str] = {}
    client_groups: list[dict[str, str]] = []
    contacts: list[dict[str, str]] = []
    panels: list[dict[str, str]] = []  # panel, override ("default"/"show"/"hide"), default, shown ("1"/"")
    missing: bool = False
    loaded: bool = False
    form_key: int = 0
    password_for: str = ""
    password_error: str = ""

    def _on_refused(self) -> None:
        super()._on_refused()
        self.client, self.contacts, self.panels, self.client_groups = {}, [], [], []
        self.loaded = False

    def _client_id(self) -> int | None:
        return form_id(self.client.get("id"))

    async def _reload(self, client_id: int | None) -> None:
        v = await self._load_shell()
        detail = (
            None if client_id is None else await call(admin_clients.client_detail, v.tenant_id, v.user_id, client_id)
        )
        self.missing = detail is None
        self.loaded = True
        self.form_key += 1
        if detail is None:
            self.client, self.contacts, self.panels, self.client_groups = {}, [], [], []
            return
        overrides = await call(portal_admin.get_client_overrides, v.tenant_id, detail.id)
        self.client = show.client_card(detail)
        self.client_groups = show.client_groups(detail)
        self.contacts = show.client_contacts(detail)
        self.panels = show.customise_rows(overrides)

    @staff_event(OFFICE_WORK)
    async def load_client(self):
        self.errors, self.notice, self.password_for, self.password_error = {}, "", "", ""
        await self._reload(form_id(self.router.url.query_parameters.get("id")))

    # -- contacts and their portal access --------------------------------------------------------
    @staff_event(OFFICE_WORK)
    async def add_contact(self, form_data: dict):
        """A person gets portal access to this client (and, ticked, an invitation)."""
        v = viewer()
        client_id = self._client_id()
        form = form_data if isinstance(form_data, dict) else {}
        name, email = str(form.get("name") or "")[:300], str(form.get("email") or "")[:300]
        role, invite = str(form.get("role") or "")[:20], bool(form.get("invite"))
        _, errors, invited = await call(
            client_contacts.add_contact, v.tenant_id, v.user_id, client_id or -1, name, email, role, invite=invite
        )
        self.errors = errors
        if errors:
            self.notice = ""
            return
        self.notice = "admin.contact.added_invited" if invited else "admin.contact.added"
        await self._reload(client_id)

    @staff_event(OFFICE_WORK)
    async def invite(self, contact_id: str):
        """Invite, or resend (the older link stops working); also the "forgot password" path."""
        v = viewer()
        ids = [c] if (c := form_id(contact_id)) is not None else []
        invited = await call(contacts.invite_contacts, v, ids)
        self.notice = "contacts.notice.invited" if invited else "contacts.notice.not_found"
        await self._reload(self._client_id())

    @staff_event(OFFICE_WORK)
    async def set_active(self, contact_id: str, active: bool):
        """Disable (every session of theirs ends at once) or enable a contact."""
        v = viewer()
        uid = form_id(contact_id)
        ok = uid is not None and await call(contacts.set_contact_active, v, uid, bool(active))
        self.notice = (
            ("contacts.notice.enabled" if active else "contacts.notice.disabled") if ok else "contacts.notice.not_found"
        )
        await self._reload(self._client_id())

    @staff_event(OFFICE_WORK)
    def open_password(self, contact_id: str):
        self.password_for = str(contact_id) if form_id(contact_id) is not None else ""
        self.password_error = ""

    @staff_event(OFFICE_WORK)
    def close_password(self):
        self.password_for = ""
        self.password_error = ""

    @staff_event(OFFICE_WORK)
    async def set_initial_password(self, form_data: dict):
        """The password travels in the event only; it is never kept in the state."""
        v = viewer()
        uid = form_id(self.password_for)
        password = str((form_data or {}).get("password") or "")[:1024]
        if uid is None:
            return
        error = await call(contacts.set_initial_password, v, uid, password)
        if error:
            self.password_error = error
            return
        self.password_for = ""
        self.notice = "contacts.notice.password_set"
        await self._reload(self._client_id())

    # -- Customise (ADMIN) ----------------------------------------------------------------------------
    @staff_event(PORTAL_ADMINISTRATION)
    async def save_customise(self, form_data: dict):
        """Each panel: "default" (follow the tenant), "show" or "hide"; all or nothing."""
        v = viewer()
        client_id = self._client_id()
        form = form_data if isinstance(form_data, dict) else {}
        wanted = {p: str(form.get(f"panel_{p}", "default")) for p in portal_settings.PANELS}
        self.errors = await call(portal_admin.set_client_overrides, v.tenant_id, v.user_id, client_id or -1, wanted)
        self.notice = "" if self.errors else "admin.customise.saved"
        await self._reload(client_id)

    @staff_event(PORTAL_ADMINISTRATION)
    async def reset_customise(self):
        v = viewer()
        client_id = self._client_id()
        self.errors = await call(portal_admin.reset_client_overrides, v.tenant_id, v.user_id, client_id or -1)
        self.notice = "" if self.errors else "admin.customise.reset_done"
        await self._reload(client_id)

    # -- view the portal as this client -------------------------------------------------------------
    @staff_event(OFFICE_WORK)
    async def view_as(self):
        """This staff session shows the client's portal, read-only, until "End viewing"
        (audited). Opens the portal's home."""
        v = viewer()
        client_id = self._client_id()
        _, errors = await call(view_as.start_view_as, v.tenant_id, v.user_id, client_id or -1, session_id=v.session_id)
        if errors:
            self.errors = errors
            return
        return rx.redirect("/portal")
