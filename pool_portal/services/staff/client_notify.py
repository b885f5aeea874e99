"""Telling a client's contacts that something new waits for them in the portal: a
quote sent, an invoice issued, a service report approved.

Who: every active contact (portal user) of the tenant with an active membership that
reaches the property's client, directly or through a client group (a membership on a
group reaches the clients of the groups nested below it too), as the portal's scope
does. Nobody is told about a property the portal would not show (an inactive client
or property) or about a document type the tenant switched off.

How: an in-portal notification for each of them, in their language, and a mail
(``services.mail``, in their language) for those whose preference for that kind is on
(``notify_on_quote``, ``notify_on_invoice``, ``notify_on_report``). The notifications
are added to the caller's session; ``announce`` queues the mails as an after-commit
effect of the caller's unit of work (``core.uow``), so nothing is mailed about a change
that was rolled back. (``notify`` gives the mails back instead, for a caller that
sends them itself after its commit with ``send``.)

Plain Python, no Reflex.
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from sqlmodel import Session, col, select

from pool_portal.models import (
    Client,
    ClientGroup,
    ClientGroupMember,
    Membership,
    Notification,
    NotificationKind,
    PortalUser,
    Site,
    Tenant,
    utcnow,
)
from pool_portal.services.core import uow
from pool_portal.services.core.i18n import t
from pool_portal.services.infra import mail
from pool_portal.services.portal.portal_settings import document_switches
from pool_portal.settings import get_settings

log = logging.getLogger(__name__)

# event -> (preference, notification kind, portal list, document switch)
EVENTS: dict[str, tuple[str, NotificationKind, str, str]] = {
    "quote_sent": ("notify_on_quote", NotificationKind.QUOTE_SENT, "/portal/quotes", "quotes"),
    "invoice_issued": ("notify_on_invoice", NotificationKind.INVOICE_ISSUED, "/portal/invoices", "invoices"),
    "report_approved": ("notify_on_report", NotificationKind.REPORT_APPROVED, "/portal/reports", "reports"),
}


def _groups_reaching(session: Session, tenant_id: int, client_id: int) -> set[int]:
    """The groups the client is a member of, and every group above them."""
    found: set[int] = set()
    frontier = set(
        session.exec(
            select(ClientGroupMember.group_id).where(
                ClientGroupMember.tenant_id == tenant_id, ClientGroupMember.client_id == client_id
            )
        ).all()
    )
    while frontier:
        found |= frontier
        parents = session.exec(
            select(ClientGroup.parent_id).where(
                ClientGroup.tenant_id == tenant_id,
                col(ClientGroup.id).in_(frontier),
                col(ClientGroup.parent_id).is_not(None),
            )
        ).all()
        frontier = {p for p in parents if p is not None} - found
    return found


def contacts_of_client(session: Session, tenant_id: int, client_id: int) -> list[PortalUser]:
    """Active contacts whose active memberships reach the client (by id, one each)."""
    groups = _groups_reaching(session, tenant_id, client_id)
    reach = Membership.client_id == client_id
    if groups:
        reach = reach | col(Membership.group_id).in_(groups)
    ids = set(
        session.exec(
            select(Membership.portal_user_id).where(
                Membership.tenant_id == tenant_id, Membership.is_active == True, reach
            )
        ).all()
    )
    if not ids:
        return []
    return list(
        session.exec(
            select(PortalUser)
            .where(
                PortalUser.tenant_id == tenant_id,
                col(PortalUser.id).in_(ids),
                PortalUser.is_active == True,
            )
            .order_by(PortalUser.id)
        ).all()
    )


def notify(session: Session, tenant_id: int, site: Site, event: str, number: str) -> list[mail.Message]:
    """Add the in-portal notifications for ``event`` ("quote_sent", "invoice_issued",
    "report_approved") about document ``number`` on ``site``; return the mails to send
    after the commit."""
    preference, kind, path, switch = EVENTS[event]
    client = session.get(Client, site.client_id)
    tenant = session.get(Tenant, tenant_id)
    if client is None or tenant is None or client.tenant_id != tenant_id or not client.is_active or not site.is_active:
        return []
    if not document_switches(session, tenant_id)[switch]:
        return []
    query = "?" + urlencode({"q": number})
    link = f"{get_settings().public_url}{path}{query}"
    now = utcnow()
    messages: list[mail.Message] = []
    for user in contacts_of_client(session, tenant_id, client.id):
        wants_mail = bool(getattr(user, preference))
        title = t(f"data.notify.{event}", user.language, number=number, site=site.name)
        if wants_mail:
            messages.append(
                mail.Message.from_template(
                    event, user.email, user.language, tenant_name=tenant.name, number=number, link=link
                )
            )
        session.add(
            Notification(
                tenant_id=tenant_id,
                kind=kind,
                portal_user_id=user.id,
                title=title[:200],
                body=site.name[:2000],
                link=(path + query)[:300],
                emailed_at=now if wants_mail else None,
            )
        )
    return messages


def announce(session: Session, tenant_id: int, site: Site, event: str, number: str) -> None:
    """``notify``, with the mails queued once the unit of work of ``session`` has
    committed (never when it rolls back)."""
    messages = notify(session, tenant_id, site, event, number)
    if messages:
        uow.after_commit(session, lambda: send(messages))


def send(messages: list[mail.Message]) -> None:
    """Queue the mails (after the commit). A mail problem never undoes what was saved."""
    for message in messages or []:
        try:
            mail.send_in_background(message)
        except Exception:
            log.exception("notification mail to %s not queued", message.to)
