"""Staff editing of quotes: a draft with its lines, then ``send`` DRAFT ->
AWAITING_ACCEPTANCE (needs a line; issued today unless set, expires 30 days later
unless set, never already expired) and ``expire`` AWAITING_ACCEPTANCE -> EXPIRED.
Approving or declining is the client's (``services.portal.records.decide_quote``).

Sending tells the client's contacts (``client_notify.announce``: the mails go after
the commit). Lines, totals and status changes as in ``services.staff.billing``;
conventions as in ``services.staff.editing``. Plain Python, no Reflex.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session

from pool_portal.models import Quote, QuoteKind, QuoteStatus, Site
from pool_portal.services.core import record_rules
from pool_portal.services.core.clock import tenant_today
from pool_portal.services.staff import client_notify
from pool_portal.services.staff.billing import (
    E_NO_LINES,
    LineItem,
    actions_from,
    default_tax_rate,
    line_items,
    lines_of,
    read_lines,
    store_doc,
    transition,
)
from pool_portal.services.staff.editing import (
    E_TRANSITION,
    NOT_FOUND,
    SiteRef,
    audit,
    currency,
    editor,
    owned,
    read_number,
    site_ref,
    target,
)
from pool_portal.services.staff.forms import Fields

E_ALREADY_EXPIRED = "data.error.already_expired"
VALID_DAYS = 30  # a sent quote's default validity

QUOTE_ACTIONS: dict[str, tuple[tuple[QuoteStatus, ...], QuoteStatus]] = {
    "send": ((QuoteStatus.DRAFT,), QuoteStatus.AWAITING_ACCEPTANCE),
    "expire": ((QuoteStatus.AWAITING_ACCEPTANCE,), QuoteStatus.EXPIRED),
}


@dataclass(frozen=True)
class QuoteDoc:
    """A quote's header as its edit page shows it."""

    id: int
    number: str
    status: QuoteStatus
    kind: QuoteKind
    title: str
    issued_on: date | None
    expires_on: date | None
    tax_rate_bp: int
    subtotal_cents: int
    tax_cents: int
    total_cents: int
    approver: str | None  # the client's answer
    reference: str | None
    comment: str | None


@dataclass(frozen=True)
class QuotePage:
    """A quote with its lines and the status changes it allows (``quote`` None: a new
    draft on ``site``, starting with the VAT rate ``tax_rate_bp``)."""

    site: SiteRef
    quote: QuoteDoc | None
    lines: list[LineItem]
    actions: list[str]
    tax_rate_bp: int
    currency: str


def save_quote(
    session: Session,
    tenant_id: int,
    staff_user_id: int,
    quote_id: int | None,
    site_id: int | None,
    data: dict,
    raw_lines: object,
) -> tuple[int | None, dict[str, str]]:
    """Create a draft quote on a site (``quote_id`` None) or edit a draft: kind and
    title required; number (blank: the next free one), issue and expiry dates (expiry
    not before issue), VAT rate (percent); the lines replace the old ones and the
    totals follow from them."""
    editor(session, tenant_id, staff_user_id)
    quote, site, errors = target(session, Quote, tenant_id, quote_id, site_id, draft=QuoteStatus.DRAFT)
    if errors:
        return None, errors
    form = Fields(data)
    number = read_number(session, Quote, tenant_id, form, quote.id if quote else None, "Q")
    values = {
        "kind": form.choice("kind", QuoteKind),
        "title": form.text("title", 200, required=True),
        "issued_on": form.day("issued_on"),
        "expires_on": form.day("expires_on"),
        "tax_rate_bp": form.percent_bp("tax_rate"),
    }
    form.rules(record_rules.quote(values["issued_on"], values["expires_on"]))
    lines, line_errors = read_lines(raw_lines)
    errors = {**form.errors, **line_errors}
    if errors:
        return None, errors
    values["number"] = number
    make = lambda: Quote(tenant_id=tenant_id, site_id=site.id, status=QuoteStatus.DRAFT)  # noqa: E731
    return store_doc(session, quote, make, values, lines, tenant_id, staff_user_id, "quote"), {}


def send_quote(
    session: Session, tenant_id: int, staff_user_id: int, quote_id: object, *, now: datetime | None = None
) -> dict[str, str]:
    """Send a draft to the client (DRAFT -> AWAITING_ACCEPTANCE); returns the errors."""
    editor(session, tenant_id, staff_user_id)
    quote = owned(session, Quote, tenant_id, quote_id)
    if quote is None:
        return {"form": NOT_FOUND}
    if quote.status not in QUOTE_ACTIONS["send"][0]:
        return {"form": E_TRANSITION}
    if not lines_of(session, quote):
        return {"form": E_NO_LINES}
    today = tenant_today(session, tenant_id, now)
    issued = quote.issued_on or today
    expires = quote.expires_on or max(issued, today) + timedelta(days=VALID_DAYS)
    if expires < today:
        return {"expires_on": E_ALREADY_EXPIRED}
    if not transition(session, Quote, quote, QUOTE_ACTIONS, "send", {"issued_on": issued, "expires_on": expires}):
        return {"form": E_TRANSITION}
    audit(
        session,
        "quote.sent",
        tenant_id,
        staff_user_id,
        "quote",
        quote.id,
        number=quote.number,
        total_cents=quote.total_cents,
    )
    client_notify.announce(session, tenant_id, session.get(Site, quote.site_id), "quote_sent", quote.number)
    return {}


def expire_quote(session: Session, tenant_id: int, staff_user_id: int, quote_id: object) -> dict[str, str]:
    """Withdraw an unanswered quote (AWAITING_ACCEPTANCE -> EXPIRED)."""
    editor(session, tenant_id, staff_user_id)
    quote = owned(session, Quote, tenant_id, quote_id)
    if quote is None:
        return {"form": NOT_FOUND}
    if not transition(session, Quote, quote, QUOTE_ACTIONS, "expire", {}):
        return {"form": E_TRANSITION}
    audit(session, "quote.expired", tenant_id, staff_user_id, "quote", quote.id, number=quote.number)
    return {}


def quote_page(
    session: Session, tenant_id: int, staff_user_id: int, quote_id: object, site_id: object = None
) -> QuotePage | None:
    """The quote ``quote_id`` (or, without one, a new draft on the site ``site_id``);
    None when it (or the site) is not the tenant's."""
    editor(session, tenant_id, staff_user_id)
    if quote_id is None:
        site = site_ref(session, tenant_id, site_id)
        if site is None:
            return None
        return QuotePage(site, None, [], [], default_tax_rate(session, tenant_id), currency(session, tenant_id))
    quote = owned(session, Quote, tenant_id, quote_id)
    if quote is None:
        return None
    doc = QuoteDoc(
        quote.id,
        quote.number,
        quote.status,
        quote.kind,
        quote.title,
        quote.issued_on,
        quote.expires_on,
        quote.tax_rate_bp,
        quote.subtotal_cents,
        quote.tax_cents,
        quote.total_cents,
        quote.approver_name,
        quote.approver_reference,
        quote.decline_comment,
    )
    return QuotePage(
        site_ref(session, tenant_id, quote.site_id),
        doc,
        line_items(session, quote),
        actions_from(QUOTE_ACTIONS, quote.status),
        quote.tax_rate_bp,
        currency(session, tenant_id),
    )
