"""Problem details (RFC 9457, ``application/problem+json``): how the integration API
answers every error, with ``errors`` naming the fields that were wrong."""

from __future__ import annotations

from pydantic import BaseModel
from starlette.responses import JSONResponse

from pool_portal.services.data_in.errors import FieldError

PROBLEM = "application/problem+json"

TITLES = {
    401: "Unauthorized",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    429: "Too Many Requests",
    500: "Internal Server Error",
}
_TYPES = {
    401: "unauthorized",
    404: "not-found",
    405: "method-not-allowed",
    409: "conflict",
    413: "too-large",
    415: "unsupported-media-type",
    422: "validation",
    429: "rate-limited",
    500: "server-error",
}


# -- problem details (RFC 9457) -------------------------------------------------------------------
class ProblemError(BaseModel):
    field: str
    code: str
    detail: str


class Problem(BaseModel):
    type: str
    title: str
    status: int
    detail: str | None = None
    errors: list[ProblemError] = []


def problem(
    status: int, detail: str | None = None, errors: list[FieldError] = (), headers: dict[str, str] | None = None
) -> JSONResponse:
    body = Problem(
        type=f"urn:pool-portal:problem:{_TYPES.get(status, 'error')}",
        title=TITLES.get(status, "Error"),
        status=status,
        detail=detail,
        errors=[ProblemError(field=e.field, code=e.code, detail=e.message) for e in errors],
    )
    return JSONResponse(
        body.model_dump(),
        status_code=status,
        media_type=PROBLEM,
        headers={"Cache-Control": "no-store", **(headers or {})},
    )
