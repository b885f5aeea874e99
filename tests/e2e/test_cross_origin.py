"""Another site's page cannot use the portal with the user's cookie: the websocket
refuses a foreign Origin, credentialed reads from one get no CORS answer, and a real
page on another port of the same host (same site: the SameSite=Lax cookie goes along)
can neither read the CSV export nor drive the dashboard, while the same user in the
portal can."""

from __future__ import annotations

import http.server
import json
import socket
import threading
from datetime import date

import pytest
import requests
import socketio
import websocket
from playwright.sync_api import expect

from pool_portal.states.portal.home import PortalHomeState
from tests.e2e.event_client import EventClient, handler_name, sign_in, state_vars

DEMO_PASSWORD = "demo-portal-2026"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _cors(response) -> dict:
    return {k.lower(): v for k, v in response.headers.items() if k.lower().startswith("access-control-")}


@pytest.fixture(scope="module")
def cookie(app_server):
    return sign_in(app_server, "client@aquademo.example.com", DEMO_PASSWORD)


@pytest.fixture(scope="module")
def foreign():
    """A foreign origin: another free port of the same loopback host."""
    return f"http://127.0.0.1:{_free_port()}"


def _ws_url(base: str) -> str:
    return base.replace("http://", "ws://") + "/_event/?EIO=4&transport=websocket"


def test_the_websocket_handshake_refuses_a_foreign_origin(app_server, cookie, foreign):
    for origin in (foreign, "null", "http://localhost.evil.example"):
        with pytest.raises(websocket.WebSocketBadStatusException) as refused:
            websocket.create_connection(_ws_url(app_server), origin=origin, cookie=f"pp_session={cookie}", timeout=30)
        assert refused.value.status_code == 403, origin
    with pytest.raises(socketio.exceptions.ConnectionError):
        EventClient(app_server, cookie, origin=foreign)
    # Behind the gate, python-socketio checks the same list (rxconfig's cors_allowed_origins):
    # a plain HTTP request to its path, which the gate lets through, shows its own answer.
    for origin, refused in ((foreign, True), (app_server, False)):
        r = requests.get(_ws_url(app_server).replace("ws://", "http://"), headers={"Origin": origin}, timeout=30)
        assert ("is not an accepted origin" in r.text) is refused, (origin, r.status_code, r.text)


def test_the_websocket_works_from_the_public_origin_and_without_one(app_server, cookie):
    for options in ({"origin": app_server}, {"suppress_origin": True}):
        ws = websocket.create_connection(_ws_url(app_server), cookie=f"pp_session={cookie}", timeout=30, **options)
        try:
            assert ws.recv().startswith("0{"), options  # Engine.IO's open packet
        finally:
            ws.close()
    # With the page's origin, and without any: a non-browser client may send none.
    for origin in (app_server, ""):
        client = EventClient(app_server, cookie, origin=origin)
        try:
            result = client.call(handler_name(PortalHomeState, "load_home"), {}, path="/portal")
            assert "Costa Azul" in json.dumps(state_vars(result, PortalHomeState)["properties"])
        finally:
            client.close()


def test_credentialed_reads_from_a_foreign_origin_get_no_cors_answer(app_server, cookie, foreign):
    month = date.today().strftime("%Y-%m")
    reads = ["/files/export/quotes.csv", f"/files/monthly-report?month={month}", "/portal", "/_health"]
    for path in reads:
        r = requests.get(f"{app_server}{path}", headers={"Origin": foreign}, cookies={"pp_session": cookie}, timeout=60)
        assert r.status_code == 200 and _cors(r) == {}, path
        preflight = requests.options(
            f"{app_server}{path}",
            headers={"Origin": foreign, "Access-Control-Request-Method": "GET"},
            timeout=30,
        )
        assert _cors(preflight) == {}, path
    # The portal's own origin keeps its CORS answer (the pages and backend of `make dev`).
    own = requests.get(
        f"{app_server}/files/export/quotes.csv",
        headers={"Origin": app_server},
        cookies={"pp_session": cookie},
        timeout=60,
    )
    assert _cors(own) == {"access-control-allow-origin": app_server, "access-control-allow-credentials": "true"}
    # The integration API (keys, not cookies) answers no CORS at all, whoever asks.
    for origin in (foreign, app_server):
        r = requests.get(f"{app_server}/api/v1/clients", headers={"Origin": origin}, timeout=30)
        assert r.status_code == 401 and _cors(r) == {}, origin


ATTACK = """<!DOCTYPE html><html><body><h1>Win a prize</h1><script>
const APP = %(app)s, WS = %(ws)s, LOAD = %(load)s;
window.result = {reads: {}, ws_open: false, ws_messages: []};
(async () => {
  for (const path of %(reads)s) {
    try {
      const r = await fetch(APP + path, {credentials: "include"});
      window.result.reads[path] = "read: " + (await r.text()).slice(0, 60);
    } catch (e) {
      window.result.reads[path] = "blocked";
    }
  }
  await new Promise((resolve) => {
    const ws = new WebSocket(WS);
    ws.onopen = () => {
      window.result.ws_open = true;
      ws.send("40/_event,");
      const event = {name: LOAD, payload: {}, router_data: {pathname: "/portal", asPath: "/portal"}};
      ws.send("42/_event," + JSON.stringify(["event", event]));
      setTimeout(() => ws.close(), 5000);  // the attacker's deadline, only if the door opened
    };
    ws.onmessage = (m) => window.result.ws_messages.push(String(m.data).slice(0, 200));
    ws.onclose = () => resolve();
  });
  window.result.done = true;
})();
</script></body></html>"""


@pytest.fixture
def attacker(app_server, foreign):
    """A tiny web server on the foreign origin's port serving the attacking page."""
    month = date.today().strftime("%Y-%m")
    page = ATTACK % {
        "app": json.dumps(str(app_server)),
        "ws": json.dumps(_ws_url(app_server) + "&token=attacker-tab"),
        "load": json.dumps(handler_name(PortalHomeState, "load_home")),
        "reads": json.dumps(["/files/export/quotes.csv", f"/files/monthly-report?month={month}", "/portal"]),
    }

    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = page.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    port = int(foreign.rsplit(":", 1)[1])
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield foreign
    server.shutdown()
    server.server_close()
    thread.join()


def test_a_page_on_another_port_cannot_read_the_export_nor_drive_the_dashboard(app_server, browser, cookie, attacker):
    context = browser.new_context()
    try:
        context.add_cookies(
            [{"name": "pp_session", "value": cookie, "url": str(app_server), "httpOnly": True, "sameSite": "Lax"}]
        )
        page = context.new_page()
        page.goto(attacker)
        page.wait_for_function("window.result && window.result.done === true", timeout=30_000)
        result = page.evaluate("window.result")
        assert set(result["reads"].values()) == {"blocked"}, result["reads"]
        assert result["ws_open"] is False and result["ws_messages"] == [], result

        # The same user, in the portal: the dashboard shows their properties, the export reads.
        page.goto(f"{app_server}/portal")
        expect(page.locator("#properties-table tbody tr").first).to_contain_text("Costa Azul")
        csv = page.evaluate("fetch('/files/export/quotes.csv', {credentials: 'include'}).then((r) => r.text())")
        assert csv.lstrip("\ufeff").startswith("Number,") and "Q-" in csv
    finally:
        context.close()
