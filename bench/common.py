"""What the benchmark scripts share: the budgets, bench/results.json (each script merges
its own keys into it), the large demo in a temporary directory, and the app process."""

from __future__ import annotations

import json
import os
import socket
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results.json"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEMO_PASSWORD = "demo-portal-2026"
GROUP_USER = "group@megapools.example.com"  # the large demo's 200-client group contact
CLIENT_USER = "client@aquademo.example.com"  # the demo client (3 pools)
CONTACT_USERS = "contact{:03d}@megapools.example.com"  # the large demo's 200 clients' own contacts (5 pools each)

# figure -> (comparison, limit, what it is). The table of `make bench` and the README's.
BUDGETS: dict[str, tuple[str, float, str]] = {
    "dashboard_ms_p50": ("<=", 150, "group dashboard, all panels (ms, median)"),
    "dashboard_floor_ratio": ("<=", 1.5, "dashboard against hand-written SQL"),
    "list_page_ms_p50": ("<=", 50, "filtered, sorted page of 50 defects (ms)"),
    "monthly_pdf_s": ("<=", 1.5, "monthly activity report PDF (s)"),
    "ws_sessions": (">=", 200, "concurrent portal sessions completed"),
    "ws_p95_ms": ("<=", 250, "event round trip p95 (ms)"),
    "ws_errors": ("<=", 0, "failed sessions"),
    "ws_noop_p95_ms": ("", 0, "no-op event round trip p95 (ms), the floor"),
    "rss_mb_per_session": ("", 0, "backend memory per session (MB)"),
    "first_load_js_gzip_kb": ("<=", 700, "JavaScript on first load of /portal (kB gzip)"),
    "lighthouse_performance": (">=", 0.9, "Lighthouse performance, lower of two pages"),
    "lighthouse_accessibility": (">=", 0.95, "Lighthouse accessibility, lower of two pages"),
}


def met(key: str, value) -> str:
    op, limit, _ = BUDGETS.get(key, ("", 0, ""))
    if not op:
        return ""
    if not isinstance(value, (int, float)):
        return "not met"
    ok = value <= limit if op == "<=" else value >= limit
    return "met" if ok else "not met"


def merge_results(figures: dict) -> None:
    """Read-modify-write bench/results.json: other scripts' keys stay."""
    existing = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    RESULTS.write_text(json.dumps({**existing, **figures}, indent=2) + "\n")


def publish(figures: dict, save: bool = True) -> None:
    """Print a script's figures; merge them into bench/results.json unless told not to."""
    print_table(figures)
    if save:
        merge_results(figures)


def print_table(figures: dict) -> None:
    print(f"{'figure':28} {'measured':>12}  {'budget':>8}  verdict")
    for key, value in figures.items():
        op, limit, _ = BUDGETS.get(key, ("", "", ""))
        budget = f"{op} {limit:g}" if op else ""
        print(f"{key:28} {value!s:>12}  {budget:>8}  {met(key, value)}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def large_demo(workdir: Path) -> str:
    """A migrated SQLite database with the large demo in ``workdir``; its URL."""
    from pool_portal import demo, migrations
    from pool_portal.db import make_engine

    url = f"sqlite:///{workdir / 'portal.db'}"
    migrations.upgrade(url)
    started = time.perf_counter()
    engine = make_engine(url)
    demo.load_demo(engine, scale="large")
    engine.dispose()
    print(f"large demo loaded in {time.perf_counter() - started:.1f} s", flush=True)
    return url


def start_app(workdir: Path, db_url: str, *, backend_only: bool, **extra: str):
    """`reflex run --env prod` with ONE backend worker on a free loopback port."""
    from tests.e2e.apps import AppProcess, app_env

    env = app_env(port=free_port(), data_dir=workdir, db_url=db_url, workers=1, **extra)
    return AppProcess(env, workdir / "app.log", backend_only=backend_only).start()


def workdir(prefix: str) -> Path:
    path = Path(tempfile.mkdtemp(prefix=f"pool-portal-{prefix}-"))
    os.environ.setdefault("PORTAL_DATA_DIR", str(path))
    return path


def process_group_rss_mb(pgid: int) -> float:
    """Resident memory of every live process in the group (the app's supervisor and
    its worker), from /proc."""
    total_kb = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) != pgid or fields[0] == "Z":
                continue
            for line in (stat.parent / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kb += int(line.split()[1])
        except (OSError, IndexError, ValueError):
            continue
    return total_kb / 1024
