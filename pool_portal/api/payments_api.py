"""``GET /api/v1/payments?since=...``: the tenant's online payments changed since a
moment (recorded, refunded, disputed, flagged), for the ERP to reconcile; paged by
cursor like the other lists. Included in the integration API's app (api/integration.py),
behind its key gate."""

# No ``from __future__ import annotations``: FastAPI reads the signature.

from datetime import datetime
from typing import Annotated

from fastapi import Depends, FastAPI, Query
from pydantic import BaseModel

from pool_portal.db import session_scope
from pool_portal.services.data_in import reads as data_reads
from pool_portal.services.data_in.errors import FieldError, Rejected
from pool_portal.services.identity import api_keys
from pool_portal.services.payments import reads


class PaymentOut(BaseModel):
    id: int
    invoice_external_id: str | None
    invoice_number: str
    provider: str
    reference: str
    amount_cents: int
    currency: str
    refunded_cents: int
    method: str | None
    status: str  # CONFIRMED, REFUNDED, DISPUTED, DUPLICATE (to refund), REFUSED (not applied)
    flag: str | None
    paid_at: datetime
    updated_at: datetime


class PaymentPage(BaseModel):
    items: list[PaymentOut]
    next_cursor: str | None


def add_routes(app: FastAPI, responses: dict, caller_dependency) -> None:
    """The route, on the integration API's app, authenticated by its ``caller``."""

    @app.get(
        "/payments",
        response_model=PaymentPage,
        operation_id="list_payments",
        tags=["payments"],
        summary="Online payments changed since a moment, to reconcile",
        responses=responses,
    )
    def list_payments(
        who: Annotated[api_keys.ApiCaller, Depends(caller_dependency)],
        since: Annotated[datetime | None, Query(description="ISO 8601; payments changed at or after it")] = None,
        cursor: Annotated[str | None, Query(max_length=200, description="next_cursor of the previous page")] = None,
        limit: Annotated[int, Query(ge=1, le=data_reads.MAX_PAGE)] = data_reads.DEFAULT_PAGE,
    ):
        try:
            with session_scope() as db:
                items, next_cursor = reads.api_payments(db, who.tenant_id, since, cursor, limit)
        except reads.BadCursor:
            raise Rejected([FieldError("cursor", "invalid", "not a cursor of this list")], status=422) from None
        return PaymentPage(items=[PaymentOut(**item.__dict__) for item in items], next_cursor=next_cursor)
