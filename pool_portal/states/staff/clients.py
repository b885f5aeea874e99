"""Admin → Clients (list, bulk invitations), one client's page (contacts and their
portal access, Customise, view the portal as the client) and client groups.

Thin: the rules live in ``services.admin``, ``services.admin_clients`` and
``services.access``; every service re-checks the tenant and the role. ADMIN and
OFFICE staff use these pages; Customise is ADMIN only.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from urllib.parse import urlencode

import reflex as rx

from pool_portal.db import session_scope
from pool_portal.services.core import outcome
from pool_portal.services.core.params import parse_id
from pool_portal.services.core.roles import OFFICE_WORK, PORTAL_ADMINISTRATION
from pool_portal.services.identity import access, view_as
from pool_portal.services.portal import branding, portal_settings
from pool_portal.services.staff import clients as admin_clients
from pool_portal.services.staff import portal_admin
from pool_portal.states.guard import staff_event, viewer
from pool_portal.states.shell import AppState

OVERRIDES = {"default": None, "show": True, "hide": False}


def _int(raw) -> int | None:
    return parse_id(str(raw if raw is not None else ""))


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if isinstance(value, datetime) else ""


class _AdminPage(AppState):
    """Shared by the admin pages: identity for the shell, a notice, errors by field."""

    errors: dict[str, str] = {}
    notice: str = ""


# -- the clients list ------------------------------------------------------------------------------
class ClientsState(_AdminPage):
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
        v = viewer()
        params = self.router.url.query_parameters
        text = " ".join(str(params.get("q", "")).split())[:100]
        access_filter = str(params.get("access", "all"))
        access_filter = access_filter if access_filter in admin_clients.ACCESS_FILTERS else "all"
        group_id, page = _int(params.get("group")), _int(params.get("page")) or 1

        def work():
            with session_scope() as db:
                groups = admin_clients.list_groups(db, v.tenant_id, v.user_id)
                known = {g["id"] for g in groups}
                gid = group_id if group_id in known else None
                return (
                    branding.tenant_branding(db, v),
                    groups,
                    gid,
                    admin_clients.list_clients(db, v.tenant_id, v.user_id, text, gid, access_filter, page),
                )

        (name, colour), groups, gid, result = await asyncio.to_thread(work)
        self._apply_identity(v, name, colour)
        self.groups = [[str(g["id"]), "\u00a0\u00a0" * g["depth"] + g["name"]] for g in groups]
        self.text, self.group, self.access_filter = text, str(gid) if gid is not None else "", access_filter
        self.rows = [
            {
                "id": str(r["id"]),
                "name": r["name"],
                "email": r["email"],
                "sites": str(r["sites"]),
                "contacts": str(r["contacts"]),
                "accepted": str(r["accepted"]),
                "last_sign_in": _when(r["last_sign_in"]),
                "active": "1" if r["is_active"] else "",
            }
            for r in result["rows"]
        ]
        self.total, self.page, self.pages = result["total"], result["page"], result["pages"]
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
            text, group_id, access_filter = self.text, _int(self.group), self.access_filter
        loop = asyncio.get_running_loop()

        async def show(done: int, total: int) -> None:
            async with self:
                self.bulk_done, self.bulk_total = done, total

        def progress(done: int, total: int) -> None:  # called from the worker thread after each batch
            asyncio.run_coroutine_threadsafe(show(done, total), loop).result(timeout=60)

        def work():
            with session_scope() as db:
                ids = admin_clients.invitable_contacts(db, v.tenant_id, v.user_id, text, group_id, access_filter)
            asyncio.run_coroutine_threadsafe(show(0, len(ids)), loop).result(timeout=60)
            return admin_clients.bulk_invite(session_scope, v.tenant_id, v.user_id, ids, progress)

        try:
            result = await asyncio.to_thread(work)
        finally:
            async with self:
                self.bulk_running = False
        async with self:
            self.bulk_invited = result["invited"]
            self.bulk_done = self.bulk_total = result["total"]
        return ClientsState.load_clients


# -- one client ---------------------------------------------------------------------------------------
class ClientState(_AdminPage):
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
        return _int(self.client.get("id"))

    async def _reload(self, client_id: int | None) -> None:
        v = viewer()

        def work():
            with session_scope() as db:
                brand = branding.tenant_branding(db, v)
                if client_id is None:
                    return brand, None, None
                return (
                    brand,
                    admin_clients.client_detail(db, v.tenant_id, v.user_id, client_id),
                    portal_admin.get_client_overrides(db, v.tenant_id, client_id),
                )

        (name, colour), detail, overrides = await asyncio.to_thread(work)
        self._apply_identity(v, name, colour)
        self.missing = detail is None
        self.loaded = True
        self.form_key += 1
        if detail is None:
            self.client, self.contacts, self.panels, self.client_groups = {}, [], [], []
            return
        self.client = {
            "id": str(detail["id"]),
            "name": detail["name"],
            "email": detail["email"],
            "phone": detail["phone"],
            "billing_address": detail["billing_address"],
            "sites": str(detail["sites"]),
            "active": "1" if detail["is_active"] else "",
        }
        self.client_groups = [{"id": str(g["id"]), "name": g["name"]} for g in detail["groups"]]
        self.contacts = [
            {
                "id": str(c["id"]),
                "name": c["name"],
                "email": c["email"],
                "via": "client" if c["via"] == "client" else c["via"].removeprefix("group:"),
                "by_group": "" if c["via"] == "client" else "1",
                "status": c["status"],
                "last_sign_in": _when(c["last_sign_in"]),
            }
            for c in detail["contacts"]
        ]
        self.panels = [
            {
                "panel": p,
                "override": {None: "default", True: "show", False: "hide"}[o["override"]],
                "default": "1" if o["default"] else "",
                "shown": "1" if o["shown"] else "",
            }
            for p, o in (overrides or {"panels": {}})["panels"].items()
        ]

    @staff_event(OFFICE_WORK)
    async def load_client(self):
        self.errors, self.notice, self.password_for, self.password_error = {}, "", "", ""
        await self._reload(_int(self.router.url.query_parameters.get("id")))

    # -- contacts and their portal access --------------------------------------------------------
    @staff_event(OFFICE_WORK)
    async def add_contact(self, form_data: dict):
        """A person gets portal access to this client (and, ticked, an invitation)."""
        v = viewer()
        client_id = self._client_id()
        form = form_data if isinstance(form_data, dict) else {}
        name, email = str(form.get("name") or "")[:300], str(form.get("email") or "")[:300]
        role, invite = str(form.get("role") or "")[:20], bool(form.get("invite"))

        def work():
            with session_scope() as db:
                uid, errors, mails = admin_clients.add_contact(
                    db, v.tenant_id, v.user_id, client_id or -1, name, email, role, invite=invite
                )
                if errors:
                    db.rollback()
                return errors, mails

        errors, mails = await asyncio.to_thread(work)
        access.send(mails)  # after the commit: queued on the mail worker threads
        self.errors = errors
        if errors:
            self.notice = ""
            return
        self.notice = "admin.contact.added_invited" if mails else "admin.contact.added"
        await self._reload(client_id)

    @staff_event(OFFICE_WORK)
    async def invite(self, contact_id: str):
        """Invite, or resend (the older link stops working); also the "forgot password" path."""
        v = viewer()
        ids = [c] if (c := _int(contact_id)) is not None else []

        def work():
            with session_scope() as db:
                return access.invite_contacts(db, v, ids)

        mails = await asyncio.to_thread(work)
        access.send(mails)
        self.notice = "contacts.notice.invited" if mails else "contacts.notice.not_found"
        await self._reload(self._client_id())

    @staff_event(OFFICE_WORK)
    async def set_active(self, contact_id: str, active: bool):
        """Disable (every session of theirs ends at once) or enable a contact."""
        v = viewer()
        uid = _int(contact_id)

        def work():
            with session_scope() as db:
                return uid is not None and access.set_contact_active(db, v, uid, bool(active))

        ok = await asyncio.to_thread(work)
        self.notice = (
            ("contacts.notice.enabled" if active else "contacts.notice.disabled") if ok else "contacts.notice.not_found"
        )
        await self._reload(self._client_id())

    @staff_event(OFFICE_WORK)
    def open_password(self, contact_id: str):
        self.password_for = str(contact_id) if _int(contact_id) is not None else ""
        self.password_error = ""

    @staff_event(OFFICE_WORK)
    def close_password(self):
        self.password_for = ""
        self.password_error = ""

    @staff_event(OFFICE_WORK)
    async def set_initial_password(self, form_data: dict):
        """The password travels in the event only; it is never kept in the state."""
        v = viewer()
        uid = _int(self.password_for)
        password = str((form_data or {}).get("password") or "")[:1024]
        if uid is None:
            return

        def work():
            with session_scope() as db:
                return access.set_initial_password(db, v, uid, password)

        error = await asyncio.to_thread(work)
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

        def work():
            with session_scope() as db:
                errors: dict[str, str] = {}
                for panel, choice in wanted.items():
                    if choice not in OVERRIDES:
                        errors[f"panel_{panel}"] = "admin.settings.error.on_off"
                        continue
                    problem = portal_admin.set_client_override(
                        db, v.tenant_id, v.user_id, client_id or -1, panel, OVERRIDES[choice]
                    )
                    errors.update({(f"panel_{panel}" if k == "value" else k): e for k, e in problem.items()})
                if errors:
                    db.rollback()
                return errors

        self.errors = await asyncio.to_thread(work)
        self.notice = "" if self.errors else "admin.customise.saved"
        await self._reload(client_id)

    @staff_event(PORTAL_ADMINISTRATION)
    async def reset_customise(self):
        v = viewer()
        client_id = self._client_id()

        def work():
            with session_scope() as db:
                return portal_admin.reset_client_overrides(db, v.tenant_id, v.user_id, client_id or -1)

        self.errors = await asyncio.to_thread(work)
        self.notice = "" if self.errors else "admin.customise.reset_done"
        await self._reload(client_id)

    # -- view the portal as this client -------------------------------------------------------------
    @staff_event(OFFICE_WORK)
    async def view_as(self):
        """This staff session shows the client's portal, read-only, until "End viewing"
        (audited). Opens the portal's home."""
        v = viewer()
        client_id = self._client_id()

        def work():
            with session_scope() as db:
                return view_as.start_view_as(db, v.tenant_id, v.user_id, client_id or -1, session_id=v.session_id)[1]

        errors = await asyncio.to_thread(work)
        if errors:
            self.errors = errors
            return
        return rx.redirect("/portal")


# -- client groups -------------------------------------------------------------------------------------
class GroupsState(_AdminPage):
    """/admin/groups: the groups as a tree, and a new group (optionally nested)."""

    groups: list[dict[str, str]] = []
    loaded: bool = False

    def _on_refused(self) -> None:
        super()._on_refused()
        self.groups, self.loaded = [], False

    async def _reload(self) -> None:
        v = viewer()

        def work():
            with session_scope() as db:
                return branding.tenant_branding(db, v), admin_clients.list_groups(db, v.tenant_id, v.user_id)

        (name, colour), groups = await asyncio.to_thread(work)
        self._apply_identity(v, name, colour)
        self.groups = [
            {
                "id": str(g["id"]),
                "name": g["name"],
                "indent": f"{g['depth'] * 1.5}rem",
                "label": "\u00a0\u00a0" * g["depth"] + g["name"],
                "clients": str(g["clients"]),
                "contacts": str(g["contacts"]),
            }
            for g in groups
        ]
        self.loaded = True

    @staff_event(OFFICE_WORK)
    async def load_groups(self):
        self.errors, self.notice = {}, ""
        await self._reload()

    @staff_event(OFFICE_WORK)
    async def create_group(self, form_data: dict):
        v = viewer()
        form = form_data if isinstance(form_data, dict) else {}
        name, parent = str(form.get("name") or "")[:400], _int(form.get("parent_id"))
        bad_parent = str(form.get("parent_id") or "") not in ("", str(parent))

        def work():
            with session_scope() as db:
                if bad_parent:
                    return None, {"parent_id": outcome.NOT_FOUND}
                return admin_clients.create_group(db, v.tenant_id, v.user_id, name, parent)

        group_id, errors = await asyncio.to_thread(work)
        self.errors = errors
        if errors:
            self.notice = ""
            return
        return rx.redirect(f"/admin/group?id={group_id}")


class GroupState(_AdminPage):
    """/admin/group?id=: rename, move (nest), member clients, contacts with access
    through the group (grant, revoke), delete when empty."""

    group: dict[str, str] = {}
    path: list[str] = []
    sub_groups: list[dict[str, str]] = []
    members: list[dict[str, str]] = []
    contacts: list[dict[str, str]] = []
    parent_choices: list[list[str]] = []
    client_choices: list[list[str]] = []
    contact_choices: list[list[str]] = []
    missing: bool = False
    loaded: bool = False
    form_key: int = 0

    def _on_refused(self) -> None:
        super()._on_refused()
        self.group, self.members, self.contacts, self.contact_choices = {}, [], [], []
        self.loaded = False

    def _group_id(self) -> int | None:
        return _int(self.group.get("id"))

    async def _reload(self, group_id: int | None) -> None:
        v = viewer()

        def work():
            with session_scope() as db:
                detail = None if group_id is None else admin_clients.group_detail(db, v.tenant_id, v.user_id, group_id)
                return branding.tenant_branding(db, v), detail

        (name, colour), d = await asyncio.to_thread(work)
        self._apply_identity(v, name, colour)
        self.missing, self.loaded = d is None, True
        self.form_key += 1
        if d is None:
            self.group, self.path, self.sub_groups, self.members, self.contacts = {}, [], [], [], []
            self.parent_choices, self.client_choices, self.contact_choices = [], [], []
            return
        self.group = {"id": str(d["id"]), "name": d["name"], "parent_id": str(d["parent_id"] or "")}
        self.path = d["path"]
        self.sub_groups = [{"id": str(g["id"]), "name": g["name"]} for g in d["sub_groups"]]
        self.members = [{"id": str(c["id"]), "name": c["name"]} for c in d["clients"]]
        self.contacts = [
            {
                "id": str(c["id"]),
                "name": c["name"],
                "email": c["email"],
                "role": c["role"],
                "active": "1" if c["is_active"] else "",
            }
            for c in d["contacts"]
        ]
        self.parent_choices = [[str(g["id"]), "\u00a0\u00a0" * g["depth"] + g["name"]] for g in d["parent_choices"]]
        self.client_choices = [[str(c["id"]), c["name"]] for c in d["client_choices"]]
        self.contact_choices = [[str(c["id"]), f"{c['name']} <{c['email']}>"] for c in d["contact_choices"]]

    @staff_event(OFFICE_WORK)
    async def load_group(self):
        self.errors, self.notice = {}, ""
        await self._reload(_int(self.router.url.query_parameters.get("id")))

    async def _act(self, action, notice: str) -> None:
        """Run ``action(db, v, group_id)`` -> errors in one transaction (rolled back on
        errors) and reload."""
        v = viewer()
        group_id = self._group_id()

        def work():
            with session_scope() as db:
                errors = action(db, v, group_id if group_id is not None else -1)
                if errors:
                    db.rollback()
                return errors

        self.errors = await asyncio.to_thread(work)
        self.notice = "" if self.errors else notice
        await self._reload(group_id)

    @staff_event(OFFICE_WORK)
    async def rename(self, form_data: dict):
        name = str((form_data or {}).get("name") or "")[:400]
        await self._act(
            lambda db, v, g: admin_clients.rename_group(db, v.tenant_id, v.user_id, g, name), "admin.group.saved"
        )

    @staff_event(OFFICE_WORK)
    async def move(self, form_data: dict):
        raw = str((form_data or {}).get("parent_id") or "")
        parent = _int(raw)

        def act(db, v, g):
            if raw and parent is None:
                return {"parent_id": outcome.NOT_FOUND}
            return admin_clients.set_group_parent(db, v.tenant_id, v.user_id, g, parent)

        await self._act(act, "admin.group.saved")

    @staff_event(OFFICE_WORK)
    async def add_client(self, form_data: dict):
        client_id = _int((form_data or {}).get("client_id"))

        def act(db, v, g):
            if client_id is None:
                return {"client_id": "admin.group.error.pick_client"}
            return admin_clients.add_group_client(db, v.tenant_id, v.user_id, g, client_id)

        await self._act(act, "admin.group.saved")

    @staff_event(OFFICE_WORK)
    async def remove_client(self, client_id: str):
        cid = _int(client_id)
        await self._act(
            lambda db, v, g: admin_clients.remove_group_client(
                db, v.tenant_id, v.user_id, g, cid if cid is not None else -1
            ),
            "admin.group.saved",
        )

    @staff_event(OFFICE_WORK)
    async def grant(self, form_data: dict):
        form = form_data or {}
        uid, role = _int(form.get("portal_user_id")), str(form.get("role") or "MANAGER")[:20]

        def act(db, v, g):
            if uid is None:
                return {"portal_user_id": "admin.group.error.pick_contact"}
            return admin_clients.grant_group_access(db, v.tenant_id, v.user_id, g, uid, role)

        await self._act(act, "admin.group.saved")

    @staff_event(OFFICE_WORK)
    async def revoke(self, portal_user_id: str):
        uid = _int(portal_user_id)
        await self._act(
            lambda db, v, g: admin_clients.revoke_group_access(
                db, v.tenant_id, v.user_id, g, uid if uid is not None else -1
            ),
            "admin.group.saved",
        )

    @staff_event(OFFICE_WORK)
    async def delete(self):
        v = viewer()
        group_id = self._group_id()

        def work():
            with session_scope() as db:
                return admin_clients.delete_group(db, v.tenant_id, v.user_id, group_id if group_id is not None else -1)

        errors = await asyncio.to_thread(work)
        if errors:
            self.errors, self.notice = errors, ""
            return
        return rx.redirect("/admin/groups")
