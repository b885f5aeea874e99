"""Quotes in the portal: the view's list, one quote the viewer may see, and approving
or declining one.

Draft and expired quotes never appear (``visibility.visible_quote``). Approving or
declining is one conditional UPDATE, so two people acting at once cannot both succeed:
the second is told the new status. An authorisation document sent with an approval is
checked by its content and kept, unpublished, with the quote's property.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from pool_portal.models import Document, Quote, QuoteStatus, utcnow
from pool_portal.services.core import audit, uow
from pool_portal.services.core.clock import tenant_today
from pool_portal.services.core.scope import Viewer
from pool_portal.services.infra import storage
from pool_portal.services.infra.uploads import FILE_TYPES, file_kind, typed_name
from pool_portal.services.portal.list_query import plain_query
from pool_portal.services.portal.list_rows import QuoteRow
from pool_portal.services.portal.lists import Page, fetch
from pool_portal.services.portal.portal_settings import document_switches
from pool_portal.services.portal.staff_alerts import admin_link, notify_staff
from pool_portal.services.portal.visibility import open_quote, site_scope, visible_quote

MAX_AUTHORISATION_BYTES = 10 * 1024 * 1024


def list_quotes(
    session: Session, viewer: Viewer, *, status: str = "all", text: str = "", page: int = 1, now: datetime | None = None
) -> Page[QuoteRow] | None:
    """A page of the view's quotes, newest first. None when quotes are switched off."""
    return fetch(session, viewer, "quotes", plain_query(status, text, page), now=now)


def get_quote(session: Session, viewer: Viewer, quote_id: int, now: datetime | None = None) -> Quote | None:
    """A quote the viewer may see (in the view, not draft, not expired), or None."""
    if not document_switches(session, viewer.tenant_id)["quotes"]:
        return None
    today = tenant_today(session, viewer.tenant_id, now)
    return session.execute(
        select(Quote).where(
            Quote.id == quote_id,
            Quote.tenant_id == viewer.tenant_id,
            Quote.site_id.in_(site_scope(viewer)),
            visible_quote(today),
        )
    ).scalar_one_or_none()


def decide_quote(
    session: Session,
    viewer: Viewer,
    quote_id: int,
    *,
    approve: bool,
    name: str = "",
    reference: str = "",
    comment: str = "",
    document: tuple[str, bytes] | None = None,
    now: datetime | None = None,
) -> str | None:
    """Approve (a name is required; a PO/reference and an authorisation document, a PDF
    or an image, optional) or decline (a comment is required) a quote awaiting
    acceptance. Returns None, or a message key; a refusal changes and stores nothing.
    The authorisation document is kept with the quote's property, not published (and
    its file deleted again if the unit of work rolls back)."""
    if not viewer.is_portal or viewer.read_only:
        return "quote.error.not_allowed"
    name, reference, comment = name.strip()[:120], reference.strip()[:60], comment.strip()[:2000]
    if approve and not name:
        return "quote.error.name_required"
    if not approve and not comment:
        return "quote.error.comment_required"
    kind = None
    if approve and document is not None:
        if len(document[1]) > MAX_AUTHORISATION_BYTES:
            return "quote.error.document_size"
        kind = file_kind(document[1])
        if kind is None:
            return "quote.error.document_type"
    quote = get_quote(session, viewer, quote_id, now)
    if quote is None:
        return "quote.error.not_found"
    stored = storage.save(document[1], "authorisations", kind) if kind else None
    if stored:
        uow.on_rollback(session, lambda: storage.delete_local(stored))
    today = tenant_today(session, viewer.tenant_id, now)
    values = {
        "status": QuoteStatus.APPROVED if approve else QuoteStatus.DECLINED,
        "decided_at": now or utcnow(),
        "decided_by_portal_user_id": viewer.user_id,
    }
    values.update(
        {"approver_name": name, "approver_reference": reference or None} if approve else {"decline_comment": comment}
    )
    result = session.execute(
        update(Quote)
        .where(Quote.id == quote.id, Quote.tenant_id == viewer.tenant_id, open_quote(today))
        .values(**values)
    )
    if result.rowcount != 1:
        if stored:
            storage.delete_local(stored)
        return "quote.error.already_decided"
    document_id = None
    if stored:
        doc = Document(
            tenant_id=viewer.tenant_id,
            site_id=quote.site_id,
            title=f"Authorisation for quote {quote.number}",
            filename=typed_name(document[0], kind, "authorisation"),  # the extension is what the content is
            content_type=FILE_TYPES[kind],
            size_bytes=len(document[1]),
            storage_key=stored,
            is_published=False,
        )
        session.add(doc)
        session.flush()
        document_id = doc.id
    action = "quote.approved" if approve else "quote.declined"
    audit.record(
        session,
        action,
        tenant_id=viewer.tenant_id,
        actor_kind="portal",
        actor_id=viewer.user_id,
        target_type="quote",
        target_id=quote.id,
        name=name or None,
        reference=reference or None,
        authorisation_document_id=document_id,
    )
    notify_staff(
        session,
        viewer.tenant_id,
        f"Quote {quote.number} {'approved' if approve else 'declined'}",
        (
            f"By {name}"
            + (f", reference {reference}" if reference else "")
            + (f", authorisation document /files/document/{document_id}" if document_id else "")
        )
        if approve
        else comment,
        admin_link("quote", quote.id),
    )
    return None
