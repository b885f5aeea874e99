"""Frontend weight and Lighthouse scores of the built app (`reflex run --env prod`).

Figures merged into bench/results.json:
  first_load_js_gzip_kb     JavaScript transferred on the first load of the signed-in
                            /portal (the demo client) in headless Chromium, cache off:
                            the sum of Chromium's encoded (on-the-wire) sizes of every
                            script response, in KiB, until the charts are drawn and the
                            network is idle. The server sends Reflex's pre-compressed
                            .gz files; a script that came uncompressed is counted at its
                            gzip size instead and listed (first_load_js_not_gzip).
  first_load_plotly         which plotly.js bundles loaded (partial ones expected), and
  plotly_after_text         whether they come after the page's text: not preloaded by the
                            page's HTML, and the dashboard's text shows while plotly.js is
                            held back (in a second load whose plotly requests are paused)
  lighthouse_performance    Lighthouse (npm, bench/lighthouse) in the machine's Chromium,
  lighthouse_accessibility  default (mobile) settings, on /portal/login and on the
                            signed-in /portal: the lower score of the two pages; each
                            page's own score and the failed accessibility audits too.

Usage: python bench/frontend.py [--db sqlite:///path] [--base URL] [--no-lighthouse]
Without --base it loads the large demo into a temporary directory and starts the app
(one worker) itself; the first run builds the frontend into .web (a minute or two).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import requests  # noqa: E402

from bench.common import (  # noqa: E402
    CLIENT_USER,
    DEMO_PASSWORD,
    ROOT,
    large_demo,
    publish,
    start_app,
    workdir,
)

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROME_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
LIGHTHOUSE_DIR = ROOT / "bench" / "lighthouse"
LIGHTHOUSE = LIGHTHOUSE_DIR / "node_modules" / "lighthouse" / "cli" / "index.js"
NODE = Path(sys.executable).parent / "node"


def sign_in(base: str, email: str = CLIENT_USER) -> str:
    r = requests.post(
        f"{base}/auth/login",
        data={"kind": "portal", "email": email, "password": DEMO_PASSWORD},
        allow_redirects=False,
        timeout=60,
    )
    token = r.cookies.get("pp_session")
    if r.status_code != 303 or not token:
        raise SystemExit(f"sign-in of {email} failed: {r.status_code} {r.headers.get('location')}")
    return token


def first_load_js(base: str, cookie: str) -> dict:
    """Every script of the first load of /portal, with its transferred size."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[*CHROME_FLAGS, "--disable-quic", "--no-first-run"])
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.add_cookies([{"name": "pp_session", "value": cookie, "url": base, "httpOnly": True, "sameSite": "Lax"}])
        # When the dashboard's text (the properties table) appears, by the page's clock.
        context.add_init_script("""new MutationObserver((_, obs) => {
            if (document.querySelector('#properties-table')) { window.__textAt = performance.now(); obs.disconnect(); }
        }).observe(document, {subtree: true, childList: true});""")
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        responses: dict[str, dict] = {}
        finished: dict[str, float] = {}

        def on_response(e):
            r = e["response"]
            if e.get("type") == "Script" or "javascript" in r.get("mimeType", ""):
                headers = {k.lower(): v for k, v in r.get("headers", {}).items()}
                responses[e["requestId"]] = {"url": r["url"], "encoding": headers.get("content-encoding", "")}

        cdp.on("Network.responseReceived", on_response)
        cdp.on("Network.loadingFinished", lambda e: finished.__setitem__(e["requestId"], e["encodedDataLength"]))
        page.goto(f"{base}/portal")
        page.wait_for_selector("#properties-table", state="visible", timeout=60_000)
        text_at = page.evaluate("window.__textAt")
        page.wait_for_selector("#panel-defects .main-svg", state="attached", timeout=60_000)
        page.wait_for_load_state("networkidle")
        if not page.url.rstrip("/").endswith("/portal"):
            raise SystemExit(f"not signed in: the first load ended on {page.url}")
        timing = {
            e["name"]: e
            for e in page.evaluate(
                "performance.getEntriesByType('resource').map(e => ({name: e.name, start: e.startTime, end: e.responseEnd}))"
            )
        }
        context.close()
        browser.close()

    # What the page's HTML itself preloads (the dynamic imports add their own links later).
    html = requests.get(f"{base}/portal/", cookies={"pp_session": cookie}, timeout=60).text
    preloaded = {base + href for href in re.findall(r'rel="modulepreload" href="([^"]+)"', html)}
    scripts = []
    for request_id, r in responses.items():
        size = finished.get(request_id)
        if size is None:
            continue
        body = requests.get(r["url"], timeout=60, headers={"Accept-Encoding": "identity"}).content
        gzipped = r["encoding"] == "gzip"
        scripts.append(
            {
                "url": r["url"].removeprefix(base),
                "bytes": size if gzipped else len(gzip.compress(body, 6)),
                "gzip_from_server": gzipped,
                "plotly": _plotly_bundle(r["url"]),
                "preloaded": r["url"] in preloaded,
                "start_ms": (timing.get(r["url"]) or {}).get("start"),
                "end_ms": (timing.get(r["url"]) or {}).get("end"),
            }
        )
    return {"scripts": scripts, "text_at_ms": text_at}


def text_before_plotly(base: str, cookie: str) -> bool:
    """Whether the dashboard's text shows while plotly.js is held back: its requests are
    paused (CDP Fetch) until the properties table is visible, then let through, and the
    charts must then draw."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[*CHROME_FLAGS, "--disable-quic", "--no-first-run"])
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.add_cookies([{"name": "pp_session", "value": cookie, "url": base, "httpOnly": True, "sameSite": "Lax"}])
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        held: list[str] = []
        cdp.on("Fetch.requestPaused", lambda e: held.append(e["requestId"]))
        cdp.send("Fetch.enable", {"patterns": [{"urlPattern": "*plotly*", "requestStage": "Request"}]})
        page.goto(f"{base}/portal")
        try:
            page.wait_for_selector("#properties-table", state="visible", timeout=30_000)
            shown = True
        except PlaywrightTimeout:
            shown = False
        page.wait_for_timeout(200)  # let the chart components ask for their bundle
        asked = bool(held)
        for request_id in held:
            cdp.send("Fetch.continueRequest", {"requestId": request_id})
        cdp.send("Fetch.disable")
        page.wait_for_selector("#panel-defects .main-svg", state="attached", timeout=60_000)
        browser.close()
    return shown and asked


def _plotly_bundle(url: str) -> str:
    """Which plotly.js bundle a script is ("" when none), from its file name: Reflex's
    build names the chunk after the package (assets/plotly-basic.min-<hash>.js)."""
    name = url.rsplit("/", 1)[-1]
    if not name.startswith("plotly"):
        return ""
    for bundle in ("basic", "cartesian", "geo", "gl3d", "gl2d", "mapbox", "finance", "strict"):
        if name.startswith(f"plotly-{bundle}"):
            return bundle
    return "full"


def lighthouse(url: str, out: Path, cookie: str | None = None) -> dict:
    """One Lighthouse run (default mobile settings) in the machine's Chromium."""
    if not LIGHTHOUSE.exists():
        subprocess.run(
            [str(NODE.parent / "npm"), "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=LIGHTHOUSE_DIR,
            check=True,
            env={**os.environ, "PATH": f"{NODE.parent}:{os.environ['PATH']}"},
        )
    args = [
        str(NODE),
        str(LIGHTHOUSE),
        url,
        "--output=json",
        f"--output-path={out}",
        "--quiet",
        "--only-categories=performance,accessibility",
        f"--chrome-flags={' '.join(CHROME_FLAGS)}",
    ]
    if cookie:
        args.append("--extra-headers=" + json.dumps({"Cookie": f"pp_session={cookie}"}))
    subprocess.run(args, check=True, env={**os.environ, "CHROME_PATH": CHROMIUM}, timeout=300)
    report = json.loads(out.read_text())
    failed = sorted(
        a["id"]
        for ref in report["categories"]["accessibility"]["auditRefs"]
        if ref["weight"] > 0 and (a := report["audits"][ref["id"]])["score"] is not None and a["score"] < 1
    )
    return {
        "final_url": report.get("finalDisplayedUrl") or report.get("finalUrl"),
        "performance": report["categories"]["performance"]["score"],
        "accessibility": report["categories"]["accessibility"]["score"],
        "failed_a11y": failed,
        "lcp_ms": round(report["audits"]["largest-contentful-paint"]["numericValue"]),
        "tbt_ms": round(report["audits"]["total-blocking-time"]["numericValue"]),
        "run_warnings": report.get("runWarnings", []),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", help="database for the app this script starts (default: a fresh large demo)")
    parser.add_argument("--base", help="an app already running")
    parser.add_argument("--no-lighthouse", action="store_true")
    parser.add_argument("--no-save", action="store_true", help="print only; leave bench/results.json alone")
    args = parser.parse_args()

    app = None
    if args.base:
        base = args.base.rstrip("/")
    else:
        tmp = workdir("frontend")
        db_url = args.db or large_demo(tmp)
        started = time.perf_counter()
        app = start_app(tmp, db_url, backend_only=False)
        base = app.base
        print(f"app at {base} in {time.perf_counter() - started:.0f} s, log {tmp / 'app.log'}", flush=True)
    figures: dict = {}
    try:
        js = first_load_js(base, sign_in(base))
        plotly = [s for s in js["scripts"] if s["plotly"]]
        figures["first_load_js_gzip_kb"] = round(sum(s["bytes"] for s in js["scripts"]) / 1024, 1)
        figures["first_load_js_files"] = len(js["scripts"])
        figures["first_load_js_not_gzip"] = [s["url"] for s in js["scripts"] if not s["gzip_from_server"]]
        figures["first_load_plotly"] = {s["plotly"]: round(s["bytes"] / 1024, 1) for s in plotly}
        # Not preloaded by the page, and the text does not wait for it.
        figures["plotly_after_text"] = (
            bool(plotly) and not any(s["preloaded"] for s in plotly) and text_before_plotly(base, sign_in(base))
        )
        figures["text_visible_ms"] = round(js["text_at_ms"] or 0)
        figures["plotly_loaded_ms"] = round(max((s["end_ms"] or 0) for s in plotly)) if plotly else None
        for s in sorted(js["scripts"], key=lambda s: -s["bytes"])[:8]:
            print(f"  {s['bytes'] / 1024:8.1f} KiB  {s['url']}  {s['plotly']}")
        if not args.no_lighthouse:
            out = Path(tempfile.mkdtemp(prefix="pool-portal-lighthouse-"))
            pages = {
                "login": lighthouse(f"{base}/portal/login", out / "login.json"),
                "portal": lighthouse(f"{base}/portal", out / "portal.json", cookie=sign_in(base)),
            }
            if not pages["portal"]["final_url"].rstrip("/").endswith("/portal"):
                raise SystemExit(f"Lighthouse was not signed in: it ended on {pages['portal']['final_url']}")
            for kind in ("performance", "accessibility"):
                figures[f"lighthouse_{kind}"] = min(p[kind] for p in pages.values())
            for name, p in pages.items():
                figures[f"lighthouse_{name}"] = {
                    k: p[k] for k in ("performance", "accessibility", "lcp_ms", "tbt_ms", "failed_a11y")
                }
            print(f"  Lighthouse reports in {out}")
    finally:
        if app is not None:
            app.stop()
    publish(figures, save=not args.no_save)


if __name__ == "__main__":
    main()
