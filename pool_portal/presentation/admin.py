"""The admin control panel's read models as the pages show them: the client list and a
client's page, client groups, staff users, notifications and the staff home, as rows
of strings (ids as text, flags as "1" or "", times as "2026-03-05 14:05").

Times are shown as they are stored (UTC) except a notification's, which is shown in
the tenant's time zone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

from pool_portal.services.core.clock import local
from pool_portal.services.staff.clients import ClientDetail, ClientPage
from pool_portal.services.staff.groups import GroupDetail, GroupRow
from pool_portal.services.staff.home import HomeClient, HomeVisit
from pool_portal.services.staff.notifications import NotificationPage
from pool_portal.services.staff.users import StaffMember

INDENT = "\u00a0\u00a0"  # one level of a group nested in another, in a select's options


def stamp(when: datetime | None, tz: ZoneInfo | None = None) -> str:
    """An instant as "2026-03-05 14:05": in the zone ``tz``, or as stored without one."""
    if when is None:
        return ""
    return (local(when, tz) if tz is not None else when).strftime("%Y-%m-%d %H:%M")


def _flag(value: bool) -> str:
    return "1" if value else ""


# -- clients -------------------------------------------------------------------------------------------
def client_rows(page: ClientPage) -> list[dict[str, str]]:
    return [
        {
            "id": str(r.id),
            "name": r.name,
            "email": r.email,
            "sites": str(r.sites),
            "contacts": str(r.contacts),
            "accepted": str(r.accepted),
            "last_sign_in": stamp(r.last_sign_in),
            "active": _flag(r.is_active),
        }
        for r in page.rows
    ]


def client_card(d: ClientDetail) -> dict[str, str]:
    return {
        "id": str(d.id),
        "name": d.name,
        "email": d.email,
        "phone": d.phone,
        "billing_address": d.billing_address,
        "sites": str(d.sites),
        "active": _flag(d.is_active),
    }


def client_groups(d: ClientDetail) -> list[dict[str, str]]:
    return [{"id": str(g.id), "name": g.name} for g in d.groups]


def client_contacts(d: ClientDetail) -> list[dict[str, str]]:
    """A client's contacts: "via" is "client" or the group's name, "by_group" "1" for
    access through a group."""
    return [
        {
            "id": str(c.id),
            "name": c.name,
            "email": c.email,
            "via": "client" if c.via_group is None else c.via_group,
            "by_group": _flag(c.via_group is not None),
            "status": c.status.value,
            "last_sign_in": stamp(c.last_sign_in),
        }
        for c in d.contacts
    ]


def customise_rows(overrides: Mapping | None) -> list[dict[str, str]]:
    """The "Customise" form (``portal_admin.get_client_overrides``): per panel its
    override ("default"/"show"/"hide"), the tenant default and whether it is shown."""
    return [
        {
            "panel": p,
            "override": {None: "default", True: "show", False: "hide"}[o["override"]],
            "default": _flag(o["default"]),
            "shown": _flag(o["shown"]),
        }
        for p, o in (overrides or {"panels": {}})["panels"].items()
    ]


# -- client groups ------------------------------------------------------------------------------------
def group_options(groups: Iterable[GroupRow]) -> list[list[str]]:
    """[id, name indented by its depth] for a select."""
    return [[str(g.id), INDENT * g.depth + g.name] for g in groups]


def group_rows(groups: Iterable[GroupRow]) -> list[dict[str, str]]:
    return [
        {
            "id": str(g.id),
            "name": g.name,
            "indent": f"{g.depth * 1.5}rem",
            "label": INDENT * g.depth + g.name,
            "clients": str(g.clients),
            "contacts": str(g.contacts),
        }
        for g in groups
    ]


def group_card(d: GroupDetail) -> dict[str, str]:
    return {"id": str(d.id), "name": d.name, "parent_id": str(d.parent_id or "")}


def group_sub_groups(d: GroupDetail) -> list[dict[str, str]]:
    return [{"id": str(g.id), "name": g.name} for g in d.sub_groups]


def group_members(d: GroupDetail) -> list[dict[str, str]]:
    return [{"id": str(c.id), "name": c.name} for c in d.clients]


def group_contacts(d: GroupDetail) -> list[dict[str, str]]:
    return [
        {"id": str(c.id), "name": c.name, "email": c.email, "role": c.role.value, "active": _flag(c.is_active)}
        for c in d.contacts
    ]


def group_client_choices(d: GroupDetail) -> list[list[str]]:
    return [[str(c.id), c.name] for c in d.client_choices]


def group_contact_choices(d: GroupDetail) -> list[list[str]]:
    return [[str(c.id), f"{c.name} <{c.email}>"] for c in d.contact_choices]


# -- staff users ---------------------------------------------------------------------------------------
def staff_rows(members: Iterable[StaffMember]) -> list[dict[str, str]]:
    return [
        {
            "id": str(m.id),
            "name": m.name,
            "email": m.email,
            "role": m.role.value,
            "active": _flag(m.is_active),
            "invited": _flag(m.invited),
            "last_sign_in": stamp(m.last_sign_in),
            "you": _flag(m.is_you),
        }
        for m in members
    ]


# -- notifications -------------------------------------------------------------------------------------
def notification_rows(page: NotificationPage) -> list[dict[str, str]]:
    """The bell's list; "when" in the tenant's time zone."""
    return [
        {
            "id": str(n.id),
            "kind": n.kind.value,
            "title": n.title,
            "body": n.body,
            "when": stamp(n.created_at, page.zone),
            "read": _flag(n.read),
            "has_link": _flag(n.has_link),
        }
        for n in page.rows
    ]


# -- the staff home ------------------------------------------------------------------------------------
def home_clients(clients: Iterable[HomeClient]) -> list[dict[str, str]]:
    return [
        {
            "id": str(c.id),
            "name": c.name,
            "sites": str(c.sites),
            "contacts": str(c.contacts),
            "open_incidents": str(c.open_incidents),
        }
        for c in clients
    ]


def home_visits(visits: Iterable[HomeVisit]) -> list[dict[str, str]]:
    return [{"id": str(v.id), "site": v.site, "when": stamp(v.scheduled_for), "status": v.status.value} for v in visits]
