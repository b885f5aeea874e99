"""The tenant's branding: its name, brand colour and logo, as the portal, the staff
side, PDFs and mails show them; and the currency its amounts are shown in."""

from __future__ import annotations

from sqlmodel import Session

from pool_portal.models import Tenant
from pool_portal.presentation import palette
from pool_portal.services.core.scope import Viewer
from pool_portal.services.infra import storage, uploads

DEFAULT_CURRENCY = "EUR"


def tenant_branding(session: Session, viewer: Viewer) -> tuple[str, str]:
    tenant = session.get(Tenant, viewer.tenant_id)
    return (tenant.name, tenant.brand_colour) if tenant else ("", palette.BRAND_DEFAULT)


def tenant_currency(session: Session, tenant_id: int) -> str:
    """The currency of the tenant's amounts (ISO 4217, as ``display.money`` takes it)."""
    tenant = session.get(Tenant, tenant_id)
    return tenant.currency if tenant else DEFAULT_CURRENCY


def logo_bytes(session: Session, tenant_id: int) -> tuple[bytes, str] | None:
    """(bytes, content type) of the tenant's logo, or None when it has none (or the file
    is missing)."""
    tenant = session.get(Tenant, tenant_id)
    if tenant is None or not tenant.logo_path:
        return None
    try:
        data = storage.read(tenant.logo_path)
    except storage.StorageError:
        return None
    ext = uploads.sniff(data)
    return (data, uploads.IMAGE_TYPES[ext]) if ext else None
