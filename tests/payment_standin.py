"""Local stand-ins of the payment providers' HTTP APIs, for the tests: one tiny HTTP
server on a free loopback port that answers what the official SDKs ask (Stripe's
``/v1/...`` with form bodies, Mollie's ``/v2/...`` with JSON), checks their keys and
idempotency keys, and serves a "hosted checkout" page a browser can pay on. No network:
the SDKs are pointed at it (``PORTAL_STRIPE_API_BASE`` / ``PORTAL_MOLLIE_API_ENDPOINT``).

Events are built here as the providers send them and signed with the SDK's own helper
(``stripe.WebhookSignature.generate_signature_header``)."""

from __future__ import annotations

import itertools
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import requests
import stripe

STRIPE_KEY = "sk_test_standin_0123456789abcd"
STRIPE_WEBHOOK_SECRET = "whsec_standin_signing_secret_42"
MOLLIE_KEY = "test_standinMollieKey0123456789ab"


def _nest(pairs: list[tuple[str, str]]) -> dict:
    """Stripe's form encoding (``a[b][0][c]=v``) back into dicts and lists."""
    out: dict = {}
    for key, value in pairs:
        parts = key.replace("]", "").split("[")
        node = out
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            nxt = None if last else ([] if parts[i + 1].isdigit() else {})
            if isinstance(node, list):
                idx = int(part)
                while len(node) <= idx:
                    node.append(None)
                if last:
                    node[idx] = value
                else:
                    node[idx] = node[idx] if node[idx] is not None else nxt
                    node = node[idx]
            else:
                if last:
                    node[part] = value
                else:
                    node = node.setdefault(part, nxt)
    return out


class Standin:
    """The stand-in server; ``base`` is its address. ``down`` makes every API call answer
    503; ``keys`` are the secret keys it accepts."""

    def __init__(self):
        self.keys = {STRIPE_KEY, MOLLIE_KEY}
        self.down = False
        self.sessions: dict[str, dict] = {}
        self.payments: dict[str, dict] = {}  # Mollie
        self.calls: list[tuple[str, str, dict]] = []  # (method, path, headers)
        self._idem: dict[str, str] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status: int, body: object, ctype: str = "application/json", headers: dict | None = None):
                data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            def _handle(self):
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                path = urlsplit(self.path).path
                with standin._lock:
                    standin.calls.append((self.command, path, dict(self.headers)))
                    status, body, ctype, headers = standin.answer(self.command, path, self.headers, raw)
                self._send(status, body, ctype, headers)

            do_GET = do_POST = do_DELETE = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> Standin:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # -- the API ---------------------------------------------------------------------------
    def answer(self, method: str, path: str, headers, raw: bytes):
        if path.startswith("/pay/"):
            return self._checkout_page(method, path.removeprefix("/pay/"))
        if self.down:
            return 503, {"error": {"type": "api_error", "message": "down"}}, "application/json", None
        auth = (headers.get("authorization") or "").removeprefix("Bearer ").strip()
        if path.startswith("/v1/"):
            if auth not in self.keys:
                return (
                    401,
                    {"error": {"type": "invalid_request_error", "message": "Invalid API Key provided"}},
                    "application/json",
                    None,
                )
            return self._stripe(method, path, headers, raw)
        if path.startswith("/v2/"):
            if auth not in self.keys:
                return (
                    401,
                    {"status": 401, "title": "Unauthorized Request", "detail": "Missing authentication"},
                    "application/hal+json",
                    None,
                )
            return self._mollie(method, path, headers, raw)
        return 404, {"error": "no such path"}, "application/json", None

    def _stripe(self, method, path, headers, raw):
        if path == "/v1/balance":
            return 200, {"object": "balance", "available": [], "pending": []}, "application/json", None
        if method == "POST" and path == "/v1/checkout/sessions":
            key = headers.get("idempotency-key")
            if key in self._idem:
                return 200, self.sessions[self._idem[key]], "application/json", None
            params = _nest(parse_qsl(raw.decode(), keep_blank_values=True))
            n = next(self._ids)
            sid = f"cs_test_{n:04d}"
            lines = params.get("line_items") or []
            session = {
                "id": sid,
                "object": "checkout.session",
                "url": f"{self.base}/pay/{sid}",
                "amount_total": sum(int(li["price_data"]["unit_amount"]) * int(li.get("quantity", 1)) for li in lines),
                "currency": lines[0]["price_data"]["currency"] if lines else "eur",
                "payment_intent": None,
                "payment_status": "unpaid",
                "status": "open",
                "metadata": params.get("metadata") or {},
                "payment_method_types": params.get("payment_method_types") or ["card"],
                "success_url": params.get("success_url"),
                "cancel_url": params.get("cancel_url"),
                "client_reference_id": params.get("client_reference_id"),
                "customer_email": params.get("customer_email"),
                "expires_at": int(params.get("expires_at") or time.time() + 3600),
                "_intent": f"pi_test_{n:04d}",
                "_lines": lines,
            }
            self.sessions[sid] = session
            self._idem[key] = sid
            return 200, session, "application/json", None
        if method == "POST" and path.startswith("/v1/checkout/sessions/") and path.endswith("/expire"):
            session = self.sessions.get(path.split("/")[4])
            if session is None or session["status"] != "open":
                return (
                    400,
                    {"error": {"type": "invalid_request_error", "message": "not open"}},
                    "application/json",
                    None,
                )
            session["status"] = "expired"
            return 200, session, "application/json", None
        if method == "GET" and path.startswith("/v1/payment_intents/"):
            return (
                200,
                {
                    "id": path.split("/")[3],
                    "object": "payment_intent",
                    "payment_method": {"id": "pm_1", "type": "card"},
                },
                "application/json",
                None,
            )
        return 404, {"error": {"type": "invalid_request_error", "message": "unknown"}}, "application/json", None

    def _mollie(self, method, path, headers, raw):
        if path == "/v2/methods":
            return (
                200,
                {"count": 1, "_embedded": {"methods": [{"resource": "method", "id": "ideal"}]}, "_links": {}},
                "application/hal+json",
                None,
            )
        if method == "POST" and path == "/v2/payments":
            key = headers.get("idempotency-key")
            if key in self._idem:
                return 201, self.payments[self._idem[key]], "application/hal+json", None
            data = json.loads(raw)
            n = next(self._ids)
            pid = f"tr_test{n:04d}"
            payment = {
                "resource": "payment",
                "id": pid,
                "status": "open",
                "amount": data["amount"],
                "description": data.get("description"),
                "redirectUrl": data.get("redirectUrl"),
                "cancelUrl": data.get("cancelUrl"),
                "webhookUrl": data.get("webhookUrl"),
                "metadata": data.get("metadata"),
                "method": None,
                "createdAt": "2026-06-10T10:00:00+00:00",
                "expiresAt": "2099-01-01T00:00:00+00:00",
                "_links": {"checkout": {"href": f"{self.base}/pay/{pid}", "type": "text/html"}},
            }
            self.payments[pid] = payment
            self._idem[key] = pid
            return 201, payment, "application/hal+json", None
        if path.startswith("/v2/payments/"):
            payment = self.payments.get(path.split("/")[3])
            if payment is None:
                return (
                    404,
                    {"status": 404, "title": "Not Found", "detail": "No payment exists with token"},
                    "application/hal+json",
                    None,
                )
            if method == "DELETE":
                payment["status"] = "canceled"
            return 200, payment, "application/hal+json", None
        return 404, {"status": 404, "title": "Not Found", "detail": "unknown"}, "application/hal+json", None

    # -- the hosted checkout a browser pays on -----------------------------------------------
    def _checkout_page(self, method: str, ref: str):
        session = self.sessions.get(ref) or self.payments.get(ref)
        if session is None:
            return 404, "no such checkout", "text/plain", None
        if method == "POST":
            self.pay(ref)
            back = session.get("success_url") or session.get("redirectUrl")
            return 303, "", "text/plain", {"Location": back}
        cancel = session.get("cancel_url") or session.get("cancelUrl")
        page = (
            "<!doctype html><html><body><h1>Stand-in checkout</h1>"
            f'<p id="amount">{session.get("amount_total") or session.get("amount", {}).get("value")}</p>'
            f'<form method="post" action="/pay/{ref}"><button id="standin-pay" type="submit">Pay</button></form>'
            f'<a id="standin-cancel" href="{cancel}">Cancel</a></body></html>'
        )
        return 200, page, "text/html", None

    def pay(self, ref: str, method: str = "ideal") -> None:
        """The payer pays on the hosted page."""
        if ref in self.sessions:
            session = self.sessions[ref]
            session.update(status="complete", payment_status="paid", payment_intent=session["_intent"])
        else:
            self.payments[ref].update(status="paid", method=method, paidAt="2026-06-10T10:05:00+00:00")

    # -- events, as the providers send them --------------------------------------------------
    def stripe_event(self, event_type: str, obj: dict, event_id: str | None = None) -> bytes:
        clean = {k: v for k, v in obj.items() if not k.startswith("_")}
        event = {
            "id": event_id or f"evt_{next(self._ids):06d}",
            "object": "event",
            "type": event_type,
            "created": int(time.time()),
            "data": {"object": clean},
        }
        return json.dumps(event).encode()

    def completed(self, ref: str, event_id: str | None = None, **override) -> bytes:
        """checkout.session.completed for a paid session (``override`` changes its fields)."""
        self.pay(ref)
        return self.stripe_event("checkout.session.completed", {**self.sessions[ref], **override}, event_id)

    def refunded(self, ref: str, cents: int, event_id: str | None = None) -> bytes:
        session = self.sessions[ref]
        charge = {
            "id": f"ch_{ref}",
            "object": "charge",
            "payment_intent": session["_intent"],
            "amount": session["amount_total"],
            "amount_refunded": cents,
            "currency": session["currency"],
        }
        return self.stripe_event("charge.refunded", charge, event_id)

    def disputed(self, ref: str, event_id: str | None = None) -> bytes:
        session = self.sessions[ref]
        dispute = {
            "id": f"dp_{ref}",
            "object": "dispute",
            "payment_intent": session["_intent"],
            "amount": session["amount_total"],
            "currency": session["currency"],
        }
        return self.stripe_event("charge.dispute.created", dispute, event_id)

    def mollie_refund(self, ref: str, cents: int) -> None:
        payment = self.payments[ref]
        payment["amountRefunded"] = {"currency": payment["amount"]["currency"], "value": f"{cents / 100:.2f}"}


def sign(payload: bytes, secret: str = STRIPE_WEBHOOK_SECRET, timestamp: int | None = None) -> dict[str, str]:
    """The headers Stripe sends with ``payload``, signed with the SDK's own helper."""
    header = stripe.WebhookSignature.generate_signature_header(payload.decode(), secret, timestamp)
    return {"Stripe-Signature": header, "Content-Type": "application/json"}


def post_stripe(base: str, payload: bytes, secret: str = STRIPE_WEBHOOK_SECRET, **kw) -> requests.Response:
    return requests.post(
        f"{base}/payments/stripe/webhook", data=payload, headers=sign(payload, secret), timeout=30, **kw
    )


def post_mollie(base: str, payment_id: str) -> requests.Response:
    return requests.post(f"{base}/payments/mollie/webhook", data={"id": payment_id}, timeout=30)
