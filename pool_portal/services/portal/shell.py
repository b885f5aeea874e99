"""What every portal page shows around its content: the tenant's branding, the view
switcher (the views the user may choose and the current one), which document types
and whether incidents the tenant shows, and the client a staff member is viewing the
portal as."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from pool_portal.models import Client
from pool_portal.services.core.scope import Viewer, view_options
from pool_portal.services.portal.branding import tenant_branding
from pool_portal.services.portal.portal_settings import portal_settings
from pool_portal.services.portal.visibility import view_sites


@dataclass(frozen=True)
class PortalShell:
    tenant_name: str
    brand_colour: str
    view: str  # the current view, as the switcher shows it selected
    view_choices: list[tuple[str, str]]  # (view key, label; "" for "all", labelled by the UI)
    documents: dict[str, bool]
    incidents_on: bool
    viewing_as_name: str  # staff viewing as a client: that client ("" otherwise)
    viewing_as_id: int | None


def portal_shell(db: Session, v: Viewer) -> PortalShell:
    name, colour = tenant_branding(db, v)
    choices = view_options(db, v.tenant_id, v.user_id)
    keys = [k for k, _ in choices]
    settings = portal_settings(db, v.tenant_id)
    client = db.get(Client, next(iter(v.client_ids))) if v.read_only and v.client_ids else None
    return PortalShell(
        tenant_name=name,
        brand_colour=colour,
        # "all" for a user with one membership is that membership: show it selected.
        view=v.view if v.view in keys or not keys else keys[0],
        view_choices=choices,
        documents=settings.documents,
        incidents_on=settings.incidents_enabled,
        viewing_as_name=client.name if client is not None else "",
        viewing_as_id=client.id if client is not None else None,
    )


def site_choices(db: Session, v: Viewer) -> list[tuple[int, str]]:
    """(id, name) of the view's properties, for a site selector."""
    return [(s.id, s.name) for s in view_sites(db, v)]
