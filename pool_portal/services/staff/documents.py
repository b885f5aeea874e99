"""Documents shared on a site: a PDF or an image uploaded by staff, published to the
portal or kept internal, and removed again. The bytes live in private storage: a file
stored for a transaction that rolls back is deleted again (``uow.on_rollback``), and a
removed document's file is deleted only once the removal committed
(``uow.after_commit``). Conventions as in ``services.staff.editing``. Plain Python, no
Reflex.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from pool_portal.models import Document
from pool_portal.services.core import uow
from pool_portal.services.infra import storage
from pool_portal.services.infra.uploads import FILE_TYPES, file_kind, typed_name
from pool_portal.services.staff.editing import (
    E_FILE_EMPTY,
    E_FILE_SIZE,
    E_FILE_TYPE,
    NOT_FOUND,
    audit,
    editor,
    owned,
    set_flag,
    site_ref,
)
from pool_portal.services.staff.forms import Fields

log = logging.getLogger(__name__)

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
DOCUMENT_FOLDER = "documents"


@dataclass(frozen=True)
class DocumentItem:
    """A row of the site page's documents."""

    id: int
    title: str
    filename: str
    content_type: str
    size_bytes: int
    is_published: bool
    created_at: datetime


def document_item(doc: Document) -> DocumentItem:
    return DocumentItem(
        doc.id, doc.title, doc.filename, doc.content_type, doc.size_bytes, doc.is_published, doc.created_at
    )


def upload_document(
    session: Session,
    tenant_id: int,
    staff_user_id: int,
    site_id: object,
    title: str,
    published: bool,
    file: tuple[str, bytes] | None,
) -> tuple[int | None, dict[str, str]]:
    """Share a PDF or an image (JPEG, PNG, WebP, recognised by its content, at most
    10 MB) on a site, published to the portal or kept internal. The file goes to
    private storage; nothing is stored when anything is wrong, and the file is deleted
    again when the transaction rolls back."""
    staff = editor(session, tenant_id, staff_user_id)
    site = site_ref(session, tenant_id, site_id)
    if site is None:
        return None, {"form": NOT_FOUND}
    form = Fields({"title": title})
    clean_title = form.text("title", 200)
    name, data = (file[0], bytes(file[1] or b"")) if file else ("", b"")
    kind = None
    if not data:
        form.error("file", E_FILE_EMPTY)
    elif len(data) > MAX_DOCUMENT_BYTES:
        form.error("file", E_FILE_SIZE)
    else:
        kind = file_kind(data)
        if kind is None:
            form.error("file", E_FILE_TYPE)
    if form.errors:
        return None, form.errors
    filename = typed_name(name, kind, "document")  # the extension is what the content is
    key = storage.save(data, DOCUMENT_FOLDER, kind)
    uow.on_rollback(session, lambda: discard_file(key))
    doc = Document(
        tenant_id=tenant_id,
        site_id=site.id,
        title=clean_title or filename.rsplit(".", 1)[0][:200],
        filename=filename,
        content_type=FILE_TYPES[kind],
        size_bytes=len(data),
        storage_key=key,
        is_published=bool(published),
        uploaded_by_staff_id=staff.id,
    )
    session.add(doc)
    session.flush()
    audit(
        session,
        "document.uploaded",
        tenant_id,
        staff_user_id,
        "document",
        doc.id,
        site_id=site.id,
        published=doc.is_published,
        type=kind,
        size=len(data),
    )
    return doc.id, {}


def set_document_published(
    session: Session, tenant_id: int, staff_user_id: int, document_id: object, published: bool
) -> str | None:
    """Publish or unpublish one document; None, or ``data.error.not_found``."""
    return set_flag(session, Document, "document", tenant_id, staff_user_id, document_id, published)


def delete_document(session: Session, tenant_id: int, staff_user_id: int, document_id: object) -> str | None:
    """Remove a shared document; its stored file is deleted after the commit. None, or
    ``data.error.not_found`` when it is not the tenant's."""
    editor(session, tenant_id, staff_user_id)
    doc = owned(session, Document, tenant_id, document_id)
    if doc is None:
        return NOT_FOUND
    key = doc.storage_key
    audit(session, "document.deleted", tenant_id, staff_user_id, "document", doc.id, title=doc.title)
    session.delete(doc)
    session.flush()
    uow.after_commit(session, lambda: discard_file(key))
    return None


def discard_file(key: str | None) -> None:
    """Best effort: an orphan file is logged, never fatal."""
    if not key:
        return
    try:
        storage.delete_local(key)
    except Exception:
        log.warning("could not delete stored document %s", key, exc_info=True)
