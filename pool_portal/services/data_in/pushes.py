"""What a push through the integration API does around the upsert: it is audited as
the API key's act, a record put where the client can see it tells the client (as
staff editing does), and two pushes of the same new record at once end as one create
and one update. And an invoice's own PDF, pushed by the ERP.

Nothing here commits: ``save`` takes the unit-of-work factory (``db.session_scope``)
because a conflicting insert is retried in a fresh unit; the mails to the client and
the file deletions are effects of the unit of work (``services.core.uow``), so
nothing is mailed or deleted about a write that was rolled back.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass

from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from pool_portal.models import Document, Invoice, InvoiceStatus, QuoteStatus, ReportStatus, Site
from pool_portal.services.core import audit, uow
from pool_portal.services.data_in.errors import FieldError, NotFound, Rejected
from pool_portal.services.data_in.kinds import KINDS, find
from pool_portal.services.data_in.reads import present
from pool_portal.services.data_in.schemas import Record
from pool_portal.services.data_in.upserts import Upserted, upsert
from pool_portal.services.infra import storage
from pool_portal.services.infra.uploads import typed_name
from pool_portal.services.staff import client_notify

log = logging.getLogger(__name__)

MAX_PDF_BYTES = 10 * 1024 * 1024

# A push that puts a document where the client can see it tells the client, as staff
# editing does: (kind, the status that shows it) -> client_notify event.
_SHOWN = {
    ("quotes", QuoteStatus.AWAITING_ACCEPTANCE): "quote_sent",
    ("invoices", InvoiceStatus.AWAITING_PAYMENT): "invoice_issued",
    ("reports", ReportStatus.APPROVED): "report_approved",
}


def _client_event(kind: str, done: Upserted) -> str | None:
    status = getattr(done.row, "status", None)
    if status is None or status == done.previous_status:
        return None
    return _SHOWN.get((kind, status))


@dataclass(frozen=True)
class Saved:
    created: bool
    record: BaseModel  # as the API answers it (the kind's schema_out)


def save(
    unit_of_work: Callable[[], AbstractContextManager[Session]],
    tenant_id: int,
    kind: str,
    external_id: str,
    record: Record,
    actor_key_id: int | None = None,
) -> Saved:
    """Upsert in a unit of work of its own (audited as the API key's act) and answer the
    record as the API shows it. Two pushes of the same new record at once: the second
    one's insert hits the unique constraint, its unit rolls back, and it is run again
    in a new unit, as an update."""
    for attempt in range(2):
        try:
            with unit_of_work() as db:
                return _save(db, tenant_id, kind, external_id, record, actor_key_id)
        except IntegrityError:
            if attempt:
                raise Rejected(
                    [FieldError("external_id", "conflict", "changed by another request; try again")], status=409
                ) from None
    raise AssertionError("unreachable")


def _save(db: Session, tenant_id: int, kind: str, external_id: str, record: Record, actor_key_id: int | None) -> Saved:
    done = upsert(db, tenant_id, kind, external_id, record)
    _audit(
        db,
        tenant_id,
        actor_key_id,
        f"api.{kind}.{'created' if done.created else 'updated'}",
        KINDS[kind].label,
        external_id,
    )
    event = _client_event(kind, done)
    if event is not None:
        site = db.get(Site, done.row.site_id)
        label = getattr(done.row, "number", None) or getattr(done.row, "title", "") or external_id
        mails = client_notify.notify(db, tenant_id, site, event, label)
        uow.after_commit(db, lambda: client_notify.send(mails))
    return Saved(done.created, present(db, kind, [done.row])[0])


def _audit(db: Session, tenant_id: int, key_id: int | None, action: str, target_type: str, target: str) -> None:
    audit.record(
        db,
        action,
        tenant_id=tenant_id,
        actor_kind="api",
        actor_id=key_id,
        target_type=target_type,
        target_id=target[:64],
    )


def attach_invoice_pdf(
    db: Session,
    tenant_id: int,
    external_id: str,
    data: bytes,
    filename: str | None = None,
    max_bytes: int = MAX_PDF_BYTES,
    actor_key_id: int | None = None,
) -> tuple[Invoice, str | None]:
    """Store the ERP's PDF of an invoice privately (a Document on its site, not
    published) and serve it instead of the generated one. Returns (invoice, the
    storage key of the PDF it replaces). The replaced file is deleted once the unit of
    work has committed; the new one, if the unit rolls back."""
    invoice = find(db, Invoice, tenant_id, "external_id", external_id)
    if invoice is None:
        raise NotFound()
    if len(data) > max_bytes:
        raise Rejected([FieldError("body", "too_large", f"the PDF is larger than {max_bytes} bytes")], status=413)
    if not data.startswith(b"%PDF-"):
        raise Rejected([FieldError("body", "not_pdf", "the body is not a PDF")])
    name = typed_name(re.sub(r"[^A-Za-z0-9._-]+", "-", filename or ""), "pdf", f"invoice-{invoice.number}")
    key = storage.save(data, "documents", "pdf")
    uow.on_rollback(db, lambda: _delete_file(key, "unused"))
    doc = db.get(Document, invoice.pdf_document_id) if invoice.pdf_document_id else None
    old_key = doc.storage_key if doc is not None else None
    if doc is None:
        doc = Document(
            tenant_id=tenant_id,
            site_id=invoice.site_id,
            title=f"Invoice {invoice.number}",
            filename=name,
            content_type="application/pdf",
            storage_key=key,
            is_published=False,
        )
    doc.site_id, doc.filename, doc.storage_key, doc.size_bytes = invoice.site_id, name, key, len(data)
    db.add(doc)
    db.flush()
    invoice.pdf_document_id = doc.id
    db.add(invoice)
    db.flush()
    _audit(db, tenant_id, actor_key_id, "api.invoices.pdf", "invoice", external_id)
    if old_key:
        uow.after_commit(db, lambda: _delete_file(old_key, "replaced"))
    return invoice, old_key


def _delete_file(key: str, which: str) -> None:
    try:
        storage.delete_local(key)
    except storage.StorageError:
        log.warning("could not delete the %s invoice PDF %s", which, key)
