"""Photos on an incident's thread: checked by their content, stored before the
transaction (storage cannot take part in it) and deleted again when the transaction
rolls back (``uow.on_rollback``); served only to whom may see them."""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from pool_portal.models import Incident, IncidentAttachment, IncidentMessage
from pool_portal.services.core import uow
from pool_portal.services.core.scope import Viewer
from pool_portal.services.incidents.common import E_STORAGE, portal_enabled
from pool_portal.services.infra import storage, uploads

log = logging.getLogger("pool_portal.incidents")

Stored = list[tuple[uploads.CheckedImage, str, str]]  # (image, storage backend, key)


def _store(images: list[uploads.CheckedImage]) -> Stored:
    """Store every image; on a failure delete the ones already stored and raise."""
    stored: Stored = []
    try:
        for image in images:
            backend, key = storage.put_image(image.data, image.ext)
            stored.append((image, backend, key))
    except Exception:
        delete_files(stored)
        raise
    return stored


def checked_and_stored(db: Session, photos, errors: dict[str, str]) -> tuple[Stored | None, dict[str, str]]:
    """Check the photos (adding their error to ``errors``); when nothing at all is
    wrong, store them. (stored, {}) or (None, errors): nothing stored on any error.
    What was stored is deleted again if the unit of work of ``db`` rolls back."""
    images, photo_errors = uploads.check_images(photos or [])
    if photo_errors:
        errors["photos"] = photo_errors[0]
    if errors:
        return None, errors
    try:
        stored = _store(images)
    except Exception:
        log.exception("storing incident photos failed")
        return None, {"photos": E_STORAGE}
    uow.on_rollback(db, lambda: delete_files(stored))
    return stored, {}


def delete_files(stored: Stored) -> None:
    for _, backend, key in stored:
        try:
            storage.delete(backend, key)
        except Exception:  # best effort: an orphan file is logged, never fatal
            log.warning("could not delete stored photo %s:%s", backend, key, exc_info=True)


def attach(db: Session, incident: Incident, message: IncidentMessage, stored: Stored) -> None:
    """The attachment rows of the stored photos, on ``message``."""
    for image, backend, key in stored:
        db.add(
            IncidentAttachment(
                tenant_id=incident.tenant_id,
                incident_id=incident.id,
                message_id=message.id,
                storage_backend=backend,
                storage_key=key,
                content_type=image.content_type,
                size_bytes=image.size,
                original_name=image.name,
            )
        )


def _served(row: IncidentAttachment | None, thumb: bool) -> tuple[IncidentAttachment, str | bytes] | None:
    if row is None:
        return None
    try:
        return row, storage.image_url_or_bytes(row.storage_backend, row.storage_key, thumb=thumb)
    except storage.StorageError:
        return None


def attachment_for_portal(
    db: Session, viewer: Viewer, attachment_id: int, *, thumb: bool = False
) -> tuple[IncidentAttachment, str | bytes] | None:
    """A photo the viewer may see (on a public message of an incident in the view):
    (attachment, signed URL or bytes), else None (also with incidents switched off)."""
    if not isinstance(attachment_id, int) or not portal_enabled(db, viewer):
        return None
    row = db.execute(
        select(IncidentAttachment)
        .join(Incident, Incident.id == IncidentAttachment.incident_id)
        .join(IncidentMessage, IncidentMessage.id == IncidentAttachment.message_id)
        .where(
            IncidentAttachment.id == attachment_id,
            Incident.tenant_id == viewer.tenant_id,
            Incident.client_id.in_(sorted(viewer.client_ids) or [-1]),
            IncidentMessage.is_internal == False,
        )
    ).scalar_one_or_none()
    return _served(row, thumb)


def attachment_for_staff(
    db: Session, tenant_id: int, attachment_id: int, *, thumb: bool = False
) -> tuple[IncidentAttachment, str | bytes] | None:
    """Any photo of the tenant's incidents (internal notes' too), else None."""
    row = db.execute(
        select(IncidentAttachment).where(
            IncidentAttachment.id == attachment_id, IncidentAttachment.tenant_id == tenant_id
        )
    ).scalar_one_or_none()
    return _served(row, thumb)
