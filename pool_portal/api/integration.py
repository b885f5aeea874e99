"""The integration REST API under /api/v1, for a tenant's ERP: upserts by external id,
reads, cursor-paged lists, an invoice's PDF. FastAPI, mounted into Reflex's backend
through ``api_transformer`` (see pool_portal.py). The rules are in services/data_in/
(``upserts``, ``pushes``, ``reads``); the routes only translate HTTP to calls and back,
each in a unit of work (``db.session_scope``).

In front of every route but the spec, one gate (ASGI, before any body is read):
``Authorization: Bearer <key>`` of a live key (401), the key's requests this minute
(429 with Retry-After), the body's size (413). Every error is an RFC 9457 problem
(``application/problem+json``, api/problems.py) with ``errors`` naming the fields
that were wrong.
"""

# No ``from __future__ import annotations`` here: FastAPI reads the route signatures,
# whose body types are made per kind in a loop.

import asyncio
import logging
import re
from typing import Annotated

from fastapi import Depends, FastAPI, Path, Query, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.security import HTTPBearer
from pydantic import create_model
from starlette._utils import get_route_path
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match, Mount

from pool_portal.api import payments_api
from pool_portal.api.problems import PROBLEM, TITLES, Problem, problem
from pool_portal.db import session_scope
from pool_portal.services.data_in import pushes, reads
from pool_portal.services.data_in.errors import FieldError, NotFound, Rejected, field_errors
from pool_portal.services.data_in.kinds import KINDS
from pool_portal.services.data_in.schemas import EXTERNAL_ID, InvoiceOut
from pool_portal.services.identity import api_keys
from pool_portal.settings import get_settings

log = logging.getLogger(__name__)

PREFIX = "/api/v1"
PUBLIC = {"/openapi.json"}
PDF_TYPES = ("application/pdf", "application/octet-stream")
# The one route whose body is a PDF (PUT /invoices/{external_id}/pdf): it alone gets the
# larger PDF body limit. Not "any path ending /pdf": PUT /quotes/pdf is JSON for the
# quote with external id "pdf".
_PDF_UPLOAD = re.compile(r"/invoices/" + EXTERNAL_ID.removeprefix("^").removesuffix("$") + r"/pdf")


# -- the gate: key, rate limit, body size -----------------------------------------------------------
def _bearer(headers: list[tuple[bytes, bytes]]) -> str | None:
    for name, value in headers:
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            return token.strip() if scheme.lower() == "bearer" else None
    return None


def _check_key(raw: str | None, limit: int) -> tuple[api_keys.ApiCaller | None, bool, int]:
    with session_scope() as db:
        caller = api_keys.authenticate(db, raw)
        if caller is None:
            return None, False, 0
        allowed, retry_after = api_keys.hit(db, caller.key_id, limit)
        return caller, allowed, retry_after


class ApiGate:
    """ASGI middleware in front of the API: nothing reaches a route (or is read from
    the body) before the key and its rate limit are checked."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        settings = get_settings()
        path, root = scope["path"], scope.get("root_path", "")
        route = path[len(root) :] if root and path.startswith(root) else path
        if route in PUBLIC:
            return await self.app(scope, receive, send)
        caller, allowed, retry_after = await asyncio.to_thread(
            _check_key, _bearer(scope["headers"]), settings.api_rate_limit
        )
        if caller is None:
            return await problem(
                401, "Send a live API key: Authorization: Bearer <key>", headers={"WWW-Authenticate": "Bearer"}
            )(scope, receive, send)
        if not allowed:
            return await problem(
                429,
                f"At most {settings.api_rate_limit} requests per minute per key",
                headers={"Retry-After": str(retry_after)},
            )(scope, receive, send)
        is_pdf = scope["method"] == "PUT" and _PDF_UPLOAD.fullmatch(route) is not None
        limit = settings.api_max_pdf_bytes if is_pdf else settings.api_max_body_bytes
        too_large = problem(413, f"The body may have at most {limit} bytes")
        for name, value in scope["headers"]:
            if name == b"content-length" and (not value.isdigit() or int(value) > limit):
                return await too_large(scope, receive, send)
        body, more = bytearray(), True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > limit:
                return await too_large(scope, receive, send)
        replayed = False

        async def replay():
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}
            return await receive()

        scope.setdefault("state", {})["api_caller"] = caller
        return await self.app(scope, replay, send)


_bearer_scheme = HTTPBearer(auto_error=False, description="An API key from `portal api-key create`")


def caller(request: Request, _credentials=Depends(_bearer_scheme)) -> api_keys.ApiCaller:
    """The key's caller, set by the gate (the dependency also documents the scheme)."""
    found = getattr(request.state, "api_caller", None)
    if found is None:
        raise StarletteHTTPException(401)
    return found


Caller = Annotated[api_keys.ApiCaller, Depends(caller)]
ExtId = Annotated[str, Path(pattern=EXTERNAL_ID, max_length=100, description="the record's id in your system")]


# -- the app ------------------------------------------------------------------------------------------
app = FastAPI(
    title="Pool Portal integration API",
    version="1",
    description="Push your ERP's clients, sites, assets, remarks, jobs, quotes, invoices and reports into "
    "Pool Portal. Every record is addressed by its external id; PUT creates or updates it.",
    openapi_url="/openapi.json",
    docs_url=None,
    redoc_url=None,
)


@app.exception_handler(RequestValidationError)
async def _invalid(request: Request, exc: RequestValidationError):
    errors = field_errors(exc.errors(), drop_prefix=("body", "query", "path", "header"))
    return problem(422, "The request has fields that are missing or wrong", errors)


@app.exception_handler(Rejected)
async def _rejected(request: Request, exc: Rejected):
    return problem(exc.status, exc.detail or "The record was refused; nothing was changed", exc.errors)


@app.exception_handler(NotFound)
async def _not_found(request: Request, exc: NotFound):
    return problem(404, "No such record")


@app.exception_handler(StarletteHTTPException)
async def _http(request: Request, exc: StarletteHTTPException):
    if exc.status_code == 400:  # FastAPI's "error parsing the body" (not UTF-8, say): a body error
        return problem(422, "The body is not JSON", [FieldError("body", "json_invalid", str(exc.detail))])
    headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
    return problem(
        exc.status_code, None if exc.detail == TITLES.get(exc.status_code) else str(exc.detail), headers=headers
    )


@app.exception_handler(Exception)
async def _crash(request: Request, exc: Exception):
    log.exception("integration API: %s %s failed", request.method, request.url.path)
    return problem(500, "Something went wrong on our side")


def _errors(*codes: int) -> dict:
    return {code: {"description": TITLES[code]} for code in codes}


def _add_routes(kind: str) -> None:
    spec = KINDS[kind]
    In, Out = spec.schema_in, spec.schema_out  # noqa: N806 - types
    page_model = create_model(
        f"{Out.__name__.removesuffix('Out')}Page", items=(list[Out], ...), next_cursor=(str | None, ...)
    )
    label = spec.label

    @app.get(
        f"/{kind}",
        response_model=page_model,
        operation_id=f"list_{kind}",
        tags=[kind],
        summary=f"List {kind}",
        responses=_errors(401, 422, 429),
    )
    def list_records(
        who: Caller,
        cursor: Annotated[str | None, Query(max_length=200, description="next_cursor of the previous page")] = None,
        limit: Annotated[int, Query(ge=1, le=reads.MAX_PAGE)] = reads.DEFAULT_PAGE,
    ):
        with session_scope() as db:
            found = reads.page(db, who.tenant_id, kind, cursor, limit)
        return page_model(items=found.items, next_cursor=found.next_cursor)

    @app.get(
        f"/{kind}/{{external_id}}",
        response_model=Out,
        operation_id=f"get_{label}",
        tags=[kind],
        summary=f"Read one {label}",
        responses=_errors(401, 404, 422, 429),
    )
    def get_record(who: Caller, external_id: ExtId):
        with session_scope() as db:
            return reads.get(db, who.tenant_id, kind, external_id)

    @app.put(
        f"/{kind}/{{external_id}}",
        response_model=Out,
        operation_id=f"put_{label}",
        tags=[kind],
        summary=f"Create or update one {label}",
        responses={
            200: {"description": "updated"},
            201: {"model": Out, "description": "created"},
            **_errors(401, 409, 413, 422, 429),
        },
    )
    def put_record(who: Caller, external_id: ExtId, record: In, response: Response):
        saved = pushes.save(session_scope, who.tenant_id, kind, external_id, record, actor_key_id=who.key_id)
        response.status_code = 201 if saved.created else 200
        return saved.record


for _kind in KINDS:
    _add_routes(_kind)
payments_api.add_routes(app, _errors(401, 422, 429), caller)


@app.put(
    "/invoices/{external_id}/pdf",
    response_model=InvoiceOut,
    operation_id="put_invoice_pdf",
    tags=["invoices"],
    summary="Attach the invoice's PDF (served to the client instead of the generated one)",
    responses=_errors(401, 404, 413, 415, 422, 429),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {t: {"schema": {"type": "string", "format": "binary"}} for t in PDF_TYPES},
        }
    },
)
async def put_invoice_pdf(who: Caller, external_id: ExtId, request: Request):
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in PDF_TYPES:
        return problem(415, "Send the PDF as the body, with Content-Type: application/pdf")
    data = await request.body()
    filename = request.headers.get("x-filename")

    def work():
        with session_scope() as db:
            invoice, _replaced = pushes.attach_invoice_pdf(
                db,
                who.tenant_id,
                external_id,
                data,
                filename,
                max_bytes=get_settings().api_max_pdf_bytes,
                actor_key_id=who.key_id,
            )
            return reads.present(db, "invoices", [invoice])[0]

    return await asyncio.to_thread(work)


def _openapi() -> dict:
    """The spec, with every error answered as a problem (application/problem+json)."""
    if app.openapi_schema:
        return app.openapi_schema
    spec = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes, servers=[{"url": PREFIX}]
    )
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    schemas.update(
        jsonable_encoder(Problem.model_json_schema(ref_template="#/components/schemas/{model}").pop("$defs"))
    )
    schemas["Problem"] = jsonable_encoder(
        {
            k: v
            for k, v in Problem.model_json_schema(ref_template="#/components/schemas/{model}").items()
            if k != "$defs"
        }
    )
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    problem_content = {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for operations in spec["paths"].values():
        for operation in operations.values():
            for code, response in operation["responses"].items():
                if code.startswith(("4", "5")):
                    response["content"] = problem_content
                if code == "429":
                    response["headers"] = {
                        "Retry-After": {"description": "seconds until the next minute", "schema": {"type": "integer"}}
                    }
    app.openapi_schema = spec
    return spec


app.openapi = _openapi


class _ApiMount(Mount):
    """Mount at /api/v1 that takes every path below it, even one with a line break
    (Starlette's pattern stops at newlines and would leave it to the pages)."""

    def matches(self, scope):
        if scope["type"] == "http":
            route_path = get_route_path(scope)
            if route_path == self.path or route_path.startswith(self.path + "/"):
                root_path = scope.get("root_path", "")
                return Match.FULL, {
                    "path_params": dict(scope.get("path_params", {})),
                    "app_root_path": scope.get("app_root_path", root_path),
                    "root_path": root_path + self.path,
                    "endpoint": self.app,
                }
        return super().matches(scope)


routes = [_ApiMount(PREFIX, app=ApiGate(app))]
