"""Admin → Client groups: the groups as a tree, a new group, and one group's page
(rename, move, member clients, contacts with access through it, delete when empty).

Thin: the rules live in ``services.staff.groups`` and ``services.staff.group_members``;
every service re-checks the tenant and the role. ADMIN and OFFICE staff.
"""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from pool_portal.presentation import admin as show
from pool_portal.services.core import outcome
from pool_portal.services.core.outcome import Errors
from pool_portal.services.core.roles import OFFICE_WORK
from pool_portal.services.staff import group_members
from pool_portal.services.staff import groups as client_groups
from pool_portal.states.guard import staff_event, viewer
from pool_portal.states.shell import call
from pool_portal.states.staff.admin_page import AdminPage, form_id


class GroupsState(AdminPage):
    """/admin/groups: the groups as a tree, and a new group (optionally nested)."""

    groups: list[dict[str, str]] = []
    loaded: bool = False

    def _on_refused(self) -> None:
        super()._on_refused()
        self.groups, self.loaded = [], False

    async def _reload(self) -> None:
        v = await self._load_shell()
        self.groups = show.group_rows(await call(client_groups.list_groups, v.tenant_id, v.user_id))
        self.loaded = True

    @staff_event(OFFICE_WORK)
    async def load_groups(self):
        self.errors, self.notice = {}, ""
        await self._reload()

    @staff_event(OFFICE_WORK)
    async def create_group(self, form_data: dict):
        v = viewer()
        form = form_data if isinstance(form_data, dict) else {}
        name, parent = str(form.get("name") or "")[:400], form_id(form.get("parent_id"))
        if str(form.get("parent_id") or "") not in ("", str(parent)):
            group_id, errors = None, {"parent_id": outcome.NOT_FOUND}
        else:
            group_id, errors = await call(client_groups.create_group, v.tenant_id, v.user_id, name, parent)
        self.errors = errors
        if errors:
            self.notice = ""
            return
        return rx.redirect(f"/admin/group?id={group_id}")


class GroupState(AdminPage):
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

    def _group_id(self) -> int:
        """The group the page shows (-1, no group, when none)."""
        group_id = form_id(self.group.get("id"))
        return group_id if group_id is not None else -1

    async def _reload(self, group_id: int | None) -> None:
        v = await self._load_shell()
        d = None if group_id is None else await call(client_groups.group_detail, v.tenant_id, v.user_id, group_id)
        self.missing, self.loaded = d is None, True
        self.form_key += 1
        if d is None:
            self.group, self.path, self.sub_groups, self.members, self.contacts = {}, [], [], [], []
            self.parent_choices, self.client_choices, self.contact_choices = [], [], []
            return
        self.group = show.group_card(d)
        self.path = d.path
        self.sub_groups = show.group_sub_groups(d)
        self.members = show.group_members(d)
        self.contacts = show.group_contacts(d)
        self.parent_choices = show.group_options(d.parent_choices)
        self.client_choices = show.group_client_choices(d)
        self.contact_choices = show.group_contact_choices(d)

    @staff_event(OFFICE_WORK)
    async def load_group(self):
        self.errors, self.notice = {}, ""
        await self._reload(form_id(self.router.url.query_parameters.get("id")))

    async def _act(self, change: Callable[..., Errors], *args: object) -> None:
        """``change(db, tenant id, staff id, group id, *args)`` -> errors (having written
        nothing when there are any), then the page again."""
        v = viewer()
        group_id = self._group_id()
        self.errors = await call(change, v.tenant_id, v.user_id, group_id, *args)
        self.notice = "" if self.errors else "admin.group.saved"
        await self._reload(group_id if group_id != -1 else None)

    async def _refuse(self, errors: Errors) -> None:
        """A form that names nothing valid: its error, and the page again."""
        self.errors, self.notice = errors, ""
        group_id = self._group_id()
        await self._reload(group_id if group_id != -1 else None)

    @staff_event(OFFICE_WORK)
    async def rename(self, form_data: dict):
        await self._act(client_groups.rename_group, str((form_data or {}).get("name") or "")[:400])

    @staff_event(OFFICE_WORK)
    async def move(self, form_data: dict):
        raw = str((form_data or {}).get("parent_id") or "")
        parent = form_id(raw)
        if raw and parent is None:
            return await self._refuse({"parent_id": outcome.NOT_FOUND})
        await self._act(client_groups.set_group_parent, parent)

    @staff_event(OFFICE_WORK)
    async def add_client(self, form_data: dict):
        client_id = form_id((form_data or {}).get("client_id"))
        if client_id is None:
            return await self._refuse({"client_id": "admin.group.error.pick_client"})
        await self._act(group_members.add_group_client, client_id)

    @staff_event(OFFICE_WORK)
    async def remove_client(self, client_id: str):
        cid = form_id(client_id)
        await self._act(group_members.remove_group_client, cid if cid is not None else -1)

    @staff_event(OFFICE_WORK)
    async def grant(self, form_data: dict):
        form = form_data or {}
        uid, role = form_id(form.get("portal_user_id")), str(form.get("role") or "MANAGER")[:20]
        if uid is None:
            return await self._refuse({"portal_user_id": "admin.group.error.pick_contact"})
        await self._act(group_members.grant_group_access, uid, role)

    @staff_event(OFFICE_WORK)
    async def revoke(self, portal_user_id: str):
        uid = form_id(portal_user_id)
        await self._act(group_members.revoke_group_access, uid if uid is not None else -1)

    @staff_event(OFFICE_WORK)
    async def delete(self):
        v = viewer()
        errors = await call(client_groups.delete_group, v.tenant_id, v.user_id, self._group_id())
        if errors:
            self.errors, self.notice = errors, ""
            return
        return rx.redirect("/admin/groups")
