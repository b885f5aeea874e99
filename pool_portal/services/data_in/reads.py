"""Reading pushed records back as the integration API answers them: one record by
its external id, or a page of the tenant's records in a stable order (by internal id)
with an opaque cursor to the next page. References are answered by the other
record's external id, quotes and invoices with their lines."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from pydantic import BaseModel
from sqlmodel import Session, select

from pool_portal.models import Invoice
from pool_portal.services.core.params import MAX_ID, parse_int
from pool_portal.services.data_in.errors import FieldError, NotFound, Rejected
from pool_portal.services.data_in.kinds import KINDS, VALID_EXTERNAL_ID, Ref, find

MAX_PAGE = 200
DEFAULT_PAGE = 50


def _keys(db: Session, ref: Ref, ids: set[int]) -> dict[int, str | None]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return dict(db.exec(select(ref.model.id, getattr(ref.model, ref.key)).where(ref.model.id.in_(ids))).all())


def present(db: Session, kind: str, rows: list) -> list[BaseModel]:
    """Rows as the API answers them (the kind's ``schema_out``): references by the other
    record's external id, quotes and invoices with their lines. A few queries per page,
    none per row."""
    spec = KINDS[kind]
    keys = {name: _keys(db, ref, {getattr(r, ref.fk) for r in rows}) for name, ref in spec.refs.items()}
    lines: dict[int, list] = {}
    if spec.lines is not None and rows:
        parent = getattr(spec.lines, spec.line_parent)
        for line in db.exec(
            select(spec.lines)
            .where(parent.in_([r.id for r in rows]))
            .order_by(parent, spec.lines.position, spec.lines.id)
        ).all():
            lines.setdefault(getattr(line, spec.line_parent), []).append(line)
    out = []
    for r in rows:
        item = r.model_dump()
        for name, ref in spec.refs.items():
            item[name] = keys[name].get(getattr(r, ref.fk))
        if spec.lines is not None:
            item["lines"] = [
                {
                    "description": ln.description,
                    "quantity": ln.quantity,
                    "unit_price_cents": ln.unit_price_cents,
                    "total_cents": ln.total_cents,
                }
                for ln in lines.get(r.id, [])
            ]
        if isinstance(r, Invoice):
            item["has_pdf"] = r.pdf_document_id is not None
        out.append(spec.schema_out.model_validate(item))
    return out


def get(db: Session, tenant_id: int, kind: str, external_id: str) -> BaseModel:
    """The tenant's record, or NotFound (also for another tenant's external id)."""
    spec = KINDS[kind]
    row = (
        find(db, spec.model, tenant_id, "external_id", external_id)
        if VALID_EXTERNAL_ID.fullmatch(external_id)
        else None
    )
    if row is None:
        raise NotFound()
    return present(db, kind, [row])[0]


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"after:{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, _, raw = text.partition(":")
        after = parse_int(raw, 0, MAX_ID)
        if kind == "after" and after is not None:
            return after
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise Rejected([FieldError("cursor", "invalid_cursor", "not a cursor this API gave out")])


@dataclass(frozen=True)
class Page:
    items: list[BaseModel]  # the kind's schema_out
    next_cursor: str | None  # None on the last page


def page(db: Session, tenant_id: int, kind: str, cursor: str | None = None, limit: int = DEFAULT_PAGE) -> Page:
    """One page of the tenant's records in a stable order (by internal id) and the
    cursor of the next page (None on the last)."""
    spec = KINDS[kind]
    limit = max(1, min(int(limit), MAX_PAGE))
    query = select(spec.model).where(spec.model.tenant_id == tenant_id)
    if cursor:
        query = query.where(spec.model.id > decode_cursor(cursor))
    rows = list(db.exec(query.order_by(spec.model.id).limit(limit + 1)).all())
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(present(db, kind, rows), encode_cursor(rows[-1].id) if more else None)
