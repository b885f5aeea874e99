"""The payment providers' webhooks: ``POST /payments/<provider>/webhook`` (stripe,
mollie). A backend route of its own: no session, no cookie, no CSRF token and no Origin
(a provider's server calls it), so nothing of the browser's defences applies; the proof
is the provider's signature, or for Mollie the payment fetched back from Mollie
(``services/payments/webhooks.py``). The body is read up to 256 KiB."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from pool_portal.db import session_scope
from pool_portal.services.payments import webhooks


async def webhook(request: Request) -> Response:
    length = request.headers.get("content-length", "0")
    if not length.isdigit() or int(length) > webhooks.MAX_BODY:
        return PlainTextResponse("too large", status_code=413)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > webhooks.MAX_BODY:
            return PlainTextResponse("too large", status_code=413)
    headers = {k.lower(): v for k, v in request.headers.items()}
    answer = await asyncio.to_thread(
        webhooks.receive, request.path_params["provider"], bytes(body), headers, units=session_scope
    )
    return PlainTextResponse(answer.text, status_code=answer.status, headers={"Cache-Control": "no-store"})


routes = [Route("/payments/{provider}/webhook", webhook, methods=["POST"])]
