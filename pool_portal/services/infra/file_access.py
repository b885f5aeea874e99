"""Who may download which private file: ONE rule per kind of file, the same as the
pages' (the ``/files/*`` routes of ``api/files.py`` ask only this module). The caller
is the session's viewer resolved for the portal side, so a staff member viewing the
portal as a client is that client's read-only portal viewer and gets exactly what the
client gets.

- ``document/<id>``: a portal viewer, when it is published on an active property of
  the view; ADMIN and OFFICE (Admin → Data, a property's documents), any of the
  tenant's, internal ones too.
- ``quote|invoice|report/<id>``: a portal viewer, one the portal lists (of the view, no
  draft, no expired quote, reports approved, its document type switched on); ADMIN and
  OFFICE (Admin → Data), any of the tenant's, drafts too (the preview).
- ``incident-photo/<id>``: a portal viewer, on a public message of an incident of the
  view, incidents switched on; ADMIN and OFFICE (Incidents), any of the tenant's,
  internal notes' too.
- ``export/<list>.csv``, ``monthly-report``, ``routine-report``: a portal viewer, of the
  view, when the list or panel is shown to them; no staff role (no staff page has them).
- ``logo``: anyone signed in to the tenant, the tenant's.

A TECHNICIAN's pages are the bell and the visits assigned to them: they show none of
these files but the logo. Every refusal is the same ``None``, whatever its reason (not
allowed, another tenant's, unknown, missing file), which the routes answer with the
same 404. What is served is named and typed from its bytes (``served``), never from a
name a client gave.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from pool_portal.models import Document, Invoice, Quote, Report, Site, StaffRole
from pool_portal.services.core.roles import ANY_STAFF, NO_STAFF, OFFICE_WORK, may
from pool_portal.services.core.scope import Viewer
from pool_portal.services.incidents import photos
from pool_portal.services.infra import pdf, storage, uploads
from pool_portal.services.portal import branding, invoices, quotes, reports, visibility
from pool_portal.services.staff import editing

STAFF_ROLES: dict[str, frozenset[StaffRole]] = {
    "document": OFFICE_WORK,
    "quote": OFFICE_WORK,
    "invoice": OFFICE_WORK,
    "report": OFFICE_WORK,
    "incident-photo": OFFICE_WORK,
    "export": NO_STAFF,
    "monthly-report": NO_STAFF,
    "routine-report": NO_STAFF,
    "logo": ANY_STAFF,
}
"""Which staff roles may have each kind of file at all (a portal user may have every
kind, of their view); the kind's function below then decides the one file."""

RECORDS = {"quote": Quote, "invoice": Invoice, "report": Report}
PORTAL_RECORD = {"quote": quotes.get_quote, "invoice": invoices.get_invoice, "report": reports.get_report}
JPEG = b"\xff\xd8\xff"


@dataclass(frozen=True)
class Download:
    """What a route sends: ``data`` named ``name`` of ``content_type``, or (an image on
    Cloudinary) a signed ``url`` to redirect to."""

    name: str
    content_type: str
    data: bytes = b""
    url: str = ""


def may_have(viewer: Viewer, kind: str) -> bool:
    """The first line of every kind's rule: a portal viewer (view-as included) may have
    any kind, of their view; staff only the kinds their role's pages show."""
    return viewer.is_portal or may(viewer.role, STAFF_ROLES[kind])


def served(data: bytes, name: str, fallback: str) -> Download:
    """``data`` typed and named from its own bytes (``uploads.file_kind``): a PDF or an
    image keeps ``name``'s stem with the detected extension; anything else goes as
    ``application/octet-stream`` named ``.bin``."""
    kind = uploads.file_kind(data)
    if kind is None:
        return Download(uploads.typed_name(name, "bin", fallback), "application/octet-stream", data)
    return Download(uploads.typed_name(name, kind, fallback), uploads.FILE_TYPES[kind], data)


def _read(key: str) -> bytes | None:
    try:
        return storage.read(key)
    except storage.StorageError:
        return None


def document(db: Session, viewer: Viewer, document_id: int | None) -> Download | None:
    """A file shared on a property: for a portal viewer when it is published on an
    active property of the view (what the property's page lists); for ADMIN and OFFICE
    any of the tenant's (Admin → Data, the property's documents); else None."""
    if document_id is None or not may_have(viewer, "document"):
        return None
    doc = db.get(Document, document_id)
    site = db.get(Site, doc.site_id) if doc is not None and doc.tenant_id == viewer.tenant_id else None
    if site is None or site.tenant_id != viewer.tenant_id:
        return None
    if viewer.is_portal and not (doc.is_published and visibility.site_in_view(site, viewer)):
        return None
    data = _read(doc.storage_key)
    return None if data is None else served(data, doc.filename, "document")


def issued_pdf(db: Session, invoice: Invoice) -> bytes | None:
    """The PDF the ERP issued for an invoice (pushed through the integration API), if any."""
    stored = db.get(Document, invoice.pdf_document_id) if invoice.pdf_document_id else None
    if stored is None or stored.tenant_id != invoice.tenant_id:
        return None
    return _read(stored.storage_key)  # None when the file is gone: the generated PDF instead


def record_pdf(db: Session, viewer: Viewer, kind: str, record_id: int | None) -> Download | None:
    """The PDF of a quote, invoice or report: for a portal viewer one the portal lists
    (in the view, not a draft, no expired quote, reports approved, its document type
    switched on); for ADMIN and OFFICE any of the tenant's, drafts too (the preview
    before sending); else None."""
    if record_id is None or kind not in RECORDS or not may_have(viewer, kind):
        return None
    if viewer.is_staff:
        record = editing.owned(db, RECORDS[kind], viewer.tenant_id, record_id)
    else:
        record = PORTAL_RECORD[kind](db, viewer, record_id)
    if record is None:
        return None
    data = issued_pdf(db, record) if kind == "invoice" else None
    if data is None:
        render = pdf.service_report if kind == "report" else pdf.quote_or_invoice
        data = render(db, record, viewer.language)
    return Download(f"{kind}-{record.number}.pdf", "application/pdf", data)


def incident_photo(db: Session, viewer: Viewer, photo_id: int | None, *, thumb: bool = False) -> Download | None:
    """A photo on an incident's thread (``thumb``: its small JPEG): for a portal viewer
    only on a public message of an incident of the view, incidents switched on; for
    ADMIN and OFFICE any of the tenant's incidents (internal notes' too); else None.
    Named ``photo-<id>.<ext>`` from its bytes, whatever name it was uploaded under."""
    if photo_id is None or not may_have(viewer, "incident-photo"):
        return None
    found = (
        photos.attachment_for_staff(db, viewer.tenant_id, photo_id, thumb=thumb)
        if viewer.is_staff
        else photos.attachment_for_portal(db, viewer, photo_id, thumb=thumb)
    )
    if found is None:
        return None
    attachment, content = found
    if isinstance(content, str):  # Cloudinary: a signed URL, typed by Cloudinary
        return Download(f"photo-{attachment.id}", attachment.content_type, url=content)
    if thumb and content[:3] == JPEG:  # the thumbnail, unless it could not be made
        return Download(f"thumb-{attachment.id}.jpg", "image/jpeg", content)
    return served(content, f"photo-{attachment.id}", "photo")


def panel_report(db: Session, viewer: Viewer, panel: str) -> bool:
    """The monthly activity and Routine Activity Report PDFs: a portal viewer's, when
    the panel is shown to their view; nobody else's."""
    kind = "monthly-report" if panel == "activity_report" else "routine-report"
    return may_have(viewer, kind) and visibility.panel_visibility(db, viewer)[panel]


def may_export(viewer: Viewer) -> bool:
    """A portal list as CSV: a portal viewer's, of their view (the list itself says
    when it is switched off); nobody else's."""
    return may_have(viewer, "export")


def logo(db: Session, viewer: Viewer) -> Download | None:
    """The tenant's logo, for anyone signed in to the tenant; None when it has none."""
    if not may_have(viewer, "logo"):
        return None
    found = branding.logo_bytes(db, viewer.tenant_id)
    return None if found is None else served(found[0], "logo", "logo")
