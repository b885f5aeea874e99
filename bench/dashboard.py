"""Dashboard, list and monthly-PDF benchmark on the large demo (the 200-client group view).

Prints a table and merges its figures into bench/results.json:
  dashboard_ms_p50       the dashboard service, all panels, median of RUNS (budget <= 150)
  dashboard_floor_ms_p50 hand-written SQL producing the same figures (checked equal)
  dashboard_floor_ratio  the two divided (budget <= 1.5)
  activity_items_ms_p50  the activity report's first five items of each section, read
                         next to the figures by the page (no budget of its own)
  dashboard_display_ms_p50  the figures made display values, charts drawn
                         (presentation.dashboard.board_values; no budget of its own)
  list_page_ms_p50       one filtered, sorted page of 50: the worst list's median (budget <= 50)
  list_<kind>_ms_p50     each list's median over its queries
  monthly_pdf_s          the group's monthly activity report, the worse of this month and
                         the last full one, median of PDF_RUNS (budget <= 1.5)

Usage:
  python bench/dashboard.py                        a fresh large demo on SQLite in a temporary
                                                   directory (building it takes about 10 s)
  python bench/dashboard.py --db URL               an existing database (an empty one is
                                                   migrated and filled with the large demo);
                                                   PORTAL_BENCH_DB_URL works too
  python bench/dashboard.py --postgres             a throw-away PostgreSQL cluster (initdb,
                                                   as the tests start one), stopped afterwards
  python bench/dashboard.py --runs 31              more runs (the median steadies on a busy machine)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RUNS = 15
PDF_RUNS = 5
BUDGETS = {"dashboard_ms_p50": 150, "dashboard_floor_ratio": 1.5, "list_page_ms_p50": 50, "monthly_pdf_s": 1.5}

# One filtered, sorted page of 50 from each list, as a user's URL would ask for it.
LIST_QUERIES = {
    "defects": [  # 100,000 remarks, 77,000 visible in the view
        {"status": "open", "f_severity": "CRITICAL", "sort": "raised", "dir": "desc"},
        {"sort": "site", "dir": "asc", "page": "7"},
        {"q": "pump", "sort": "severity", "dir": "desc"},
        {"f_site": "Client 01", "sort": "raised", "dir": "asc", "page": "3"},
    ],
    "jobs": [  # 50,000
        {"status": "past", "sort": "site", "dir": "asc", "page": "3"},
        {"status": "future", "f_kind": "ROUTINE", "sort": "date"},
        {"q": "pump", "sort": "number", "dir": "desc"},
    ],
    "invoices": [  # 20,000
        {"status": "overdue", "sort": "total_cents", "dir": "desc"},
        {"q": "PO", "sort": "site", "page": "2"},
        {"f_issued": "2026", "sort": "due", "dir": "desc"},
    ],
    "quotes": [{"status": "awaiting", "sort": "expires"}, {"q": "replace", "sort": "total_cents", "dir": "desc"}],
    "assets": [{"f_asset_type": "Pump", "sort": "site"}, {"q": "AQ-0012", "sort": "next_service_due", "dir": "desc"}],
    "reports": [{"sort": "site", "page": "4"}],
}


def _load_large_demo(url: str) -> None:
    from pool_portal import demo, migrations
    from pool_portal.db import make_engine

    migrations.upgrade(url)
    engine = make_engine(url)
    started = time.perf_counter()
    demo.load_demo(engine, scale="large")
    if engine.dialect.name == "postgresql":  # index-only scans need the visibility map (autovacuum's job)
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    engine.dispose()
    print(f"large demo loaded in {time.perf_counter() - started:.1f} s")


def _prepare(db_url: str | None) -> str:
    if not db_url:
        tmp = Path(tempfile.mkdtemp(prefix="pool-portal-bench-"))
        db_url = f"sqlite:///{tmp / 'bench.db'}"
    from sqlalchemy import inspect

    from pool_portal.db import make_engine

    engine = make_engine(db_url)
    empty = "tenant" not in inspect(engine).get_table_names()
    if not empty:
        with engine.connect() as conn:
            empty = not conn.exec_driver_sql("SELECT count(*) FROM tenant").scalar_one()
    engine.dispose()
    if empty:
        _load_large_demo(db_url)
    return db_url


# -- the floor: the same figures in hand-written SQL ------------------------------------------
_SIDE = ThreadPoolExecutor(max_workers=1, thread_name_prefix="floor")


def _floor(engine, conn, tenant_id: int, client_ids: list[int], today: date) -> dict:
    """Every figure of the dashboard by plain SQL on the driver's connection (no ORM, no
    SQLAlchemy expressions), as a hand-tuned report would do it: the same covering
    indexes, grouped in index order, days folded into months, the asset types most
    severe first; in the same two halves at once as the service (the second on a thread
    with its own connection). Returns the figures in the same shapes as
    services.portal.dashboard_figures, so that the bench can check they are equal."""
    from pool_portal.services.portal.months import last_months
    from pool_portal.services.portal.routine import ROUTINE_STATUSES, routine_status
    from pool_portal.services.portal.visibility import SEVERITIES

    pg = conn.dialect.name == "postgresql"
    q = lambda sql: conn.exec_driver_sql(sql).all()  # noqa: E731
    t, clients = tenant_id, ",".join(map(str, client_ids))
    sites = f"(SELECT id FROM site WHERE tenant_id = {t} AND client_id IN ({clients}) AND is_active)"
    visible = (
        f"(r.is_published OR r.report_id IN (SELECT id FROM report WHERE tenant_id = {t} AND status = 'APPROVED'))"
    )
    months = last_months(today)
    start, d = f"'{months[0]}-01'", f"'{today.isoformat()}'"
    month_of_created = "to_char(created_at, 'YYYY-MM')" if pg else "substr(created_at, 1, 7)"

    def second(conn) -> tuple:
        """The service's second half (services.portal.dashboard.build), on its own connection."""
        q = lambda sql: conn.exec_driver_sql(sql).all()  # noqa: E731
        per_month = {m: {} for m in months}
        for raised, status, severity, n in q(
            f"SELECT raised_on, status, severity, count(*) FROM remark r WHERE tenant_id = {t} AND raised_on >= {start}"
            f" AND site_id IN {sites} AND {visible} GROUP BY raised_on, status, severity"
        ):
            b = per_month.get(str(raised)[:7])
            if b is not None:
                key = "RESOLVED" if status == "RESOLVED" else severity
                b[key] = b.get(key, 0) + n
        remaining = {r[0] for r in q(f"SELECT DISTINCT asset_type FROM asset WHERE site_id IN {sites}")}
        asset_types = {}
        for severity in SEVERITIES:
            if not remaining:
                break
            types = ",".join("'" + x.replace("'", "''") + "'" for x in sorted(remaining))
            found = {
                r[0]
                for r in q(
                    f"SELECT DISTINCT a.asset_type FROM remark r JOIN asset a ON a.id = r.asset_id AND a.site_id = r.site_id"
                    f" WHERE r.tenant_id = {t} AND r.site_id IN {sites} AND r.status = 'OPEN' AND r.severity = '{severity.value}'"
                    f" AND {visible} AND a.asset_type IN ({types})"
                )
            }
            asset_types.update({x: severity.value for x in found})
            remaining -= found
        routine = {f"{today.year:04d}-{m:02d}": {s: 0 for s in ROUTINE_STATUSES} for m in range(1, 13)}
        for due, completed, tol, n in q(
            f"SELECT due_date, completed_on, tolerance_days, count(*) FROM job WHERE tenant_id = {t} AND site_id IN {sites}"
            f" AND kind = 'ROUTINE' AND due_date >= '{today.year}-01-01' AND due_date <= '{today.year}-12-31'"
            f" GROUP BY due_date, completed_on, tolerance_days"
        ):
            due, completed = date.fromisoformat(str(due)), completed and date.fromisoformat(str(completed))
            routine[str(due)[:7]][routine_status(due, completed, tol or 0, today)] += n
        return per_month, asset_types, routine

    def on_the_side() -> tuple:
        with engine.connect() as side:
            return second(side)

    other = _SIDE.submit(on_the_side)

    names = {sid: name for sid, name in q(f"SELECT id, name FROM site WHERE id IN {sites} ORDER BY name, id")}
    props = {sid: [0, 0, 0, None] for sid in names}  # overdue invoices, open quotes, open defects, highest rank
    act = {"defect_quotes": [0, 0], "service_quotes": [0, 0], "invoices": [0, 0], "overdue_invoices": [0, 0]}
    per_property = []
    for sid, n_over, c_over, n_out, c_out, n_spent, c_spent in q(
        f"SELECT site_id,"
        f" sum(CASE WHEN status = 'AWAITING_PAYMENT' AND due_on < {d} THEN 1 ELSE 0 END),"
        f" sum(CASE WHEN status = 'AWAITING_PAYMENT' AND due_on < {d} THEN total_cents ELSE 0 END),"
        f" sum(CASE WHEN status = 'AWAITING_PAYMENT' THEN 1 ELSE 0 END),"
        f" sum(CASE WHEN status = 'AWAITING_PAYMENT' THEN total_cents ELSE 0 END),"
        f" sum(CASE WHEN issued_on >= {start} THEN 1 ELSE 0 END),"
        f" sum(CASE WHEN issued_on >= {start} THEN total_cents ELSE 0 END)"
        f" FROM invoice WHERE tenant_id = {t} AND site_id IN {sites} AND status IN ('AWAITING_PAYMENT', 'PAID')"
        f" AND (status = 'AWAITING_PAYMENT' OR issued_on >= {start}) GROUP BY site_id"
    ):
        props[sid][0] = int(n_over)
        act["overdue_invoices"][0] += int(n_over)
        act["overdue_invoices"][1] += int(c_over)
        act["invoices"][0] += int(n_out)
        act["invoices"][1] += int(c_out)
        if n_spent:
            per_property.append((names[sid], int(c_spent)))
    spend_month = {m: 0 for m in months}
    for issued, total in q(
        f"SELECT issued_on, sum(total_cents) FROM invoice WHERE tenant_id = {t} AND issued_on >= {start}"
        f" AND site_id IN {sites} AND status IN ('AWAITING_PAYMENT', 'PAID') GROUP BY issued_on"
    ):
        key = str(issued)[:7]
        if key in spend_month:
            spend_month[key] += int(total)
    for sid, kind, n, total in q(
        f"SELECT site_id, kind, count(*), sum(total_cents) FROM quote WHERE tenant_id = {t} AND site_id IN {sites}"
        f" AND status = 'AWAITING_ACCEPTANCE' AND (expires_on IS NULL OR expires_on >= {d}) GROUP BY site_id, kind"
    ):
        props[sid][1] += n
        a = act["defect_quotes" if kind == "DEFECT" else "service_quotes"]
        a[0] += n
        a[1] += int(total)
    rank = {s.value: i for i, s in enumerate(SEVERITIES)}
    tally = {s.value: 0 for s in SEVERITIES}
    for sid, severity, n in q(
        f"SELECT site_id, severity, count(*) FROM remark r WHERE tenant_id = {t} AND site_id IN {sites}"
        f" AND status = 'OPEN' AND {visible} GROUP BY site_id, severity"
    ):
        p = props[sid]
        if rank[severity] < 3:
            p[2] += n
        p[3] = rank[severity] if p[3] is None else min(p[3], rank[severity])
        tally[severity] += n
    calls = {m: {} for m in months}
    for key, stage, n in q(
        f"SELECT {month_of_created}, stage, count(*) FROM job WHERE tenant_id = {t} AND site_id IN {sites}"
        f" AND kind = 'SERVICE_CALL' AND created_at >= {start} GROUP BY 1, 2"
    ):
        if key in calls:
            calls[key][stage] = n
    per_month, asset_types, routine = other.result()
    return {
        "properties": [
            (names[s], *p[:3], SEVERITIES[p[3]].value if p[3] is not None else None) for s, p in props.items()
        ],
        "activity": {k: tuple(v) for k, v in act.items()},
        "tally": tally,
        "per_month": per_month,
        "asset_types": dict(sorted(asset_types.items())),
        "routine": routine,
        "calls": calls,
        "spend_month": spend_month,
        "spend_property": sorted(per_property, key=lambda x: (-x[1], x[0])),
    }


def _figures(board) -> dict:
    """The service's figures in the floor's shapes."""
    return {
        "properties": [
            (r.name, r.overdue_invoices, r.open_quotes, r.open_defects, r.highest_severity) for r in board.properties
        ],
        "activity": {k: (v.count, v.total_cents) for k, v in board.activity.items()},
        "tally": board.defects.tally,
        "per_month": board.defects.per_month,
        "asset_types": board.defects.asset_types,
        "routine": board.routine,
        "calls": {m: {s: n for s, n in v.items() if n} for m, v in board.service_calls.items()},
        "spend_month": board.spend.per_month,
        "spend_property": board.spend.per_property,
    }


def _spread(values: list[float]) -> str:
    q = statistics.quantiles(values, n=10) if len(values) > 2 else [min(values), max(values)]
    return f"min {min(values):.1f}, p10 {q[0]:.1f}, p90 {q[-1]:.1f}, max {max(values):.1f}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default=os.environ.get("PORTAL_BENCH_DB_URL"))
    parser.add_argument("--postgres", action="store_true", help="on a throw-away PostgreSQL cluster")
    parser.add_argument("--runs", type=int, default=RUNS)
    args = parser.parse_args()
    os.environ.setdefault("PORTAL_DATA_DIR", tempfile.mkdtemp(prefix="pool-portal-bench-var-"))
    server = None
    if args.postgres:
        from tests.conftest import ThrowAwayPgServer

        server = ThrowAwayPgServer(Path(tempfile.mkdtemp(prefix="pool-portal-bench-pg-", dir="/tmp")))
        server.start()
        args.db = server.url(server.create_database())
    try:
        run(_prepare(args.db), args.runs)
    finally:
        if server is not None:
            server.stop()


def run(url: str, runs: int) -> None:
    from sqlmodel import Session, select

    import pool_portal.models as m
    from pool_portal.db import make_engine, session_scope
    from pool_portal.presentation.dashboard import board_values
    from pool_portal.services.core import clock
    from pool_portal.services.core.scope import Viewer, portal_client_ids
    from pool_portal.services.infra import pdf
    from pool_portal.services.portal import dashboard, list_query, listings, lists

    engine = make_engine(url)
    timings: dict[str, list[float]] = {}
    with Session(engine) as s:
        user = s.exec(select(m.PortalUser).where(m.PortalUser.email == "group@megapools.example.com")).one()
        clients = sorted(portal_client_ids(s, user.tenant_id, user.id))
        viewer = Viewer(
            kind="portal",
            tenant_id=user.tenant_id,
            user_id=user.id,
            session_id=0,
            name=user.name,
            email=user.email,
            client_ids=frozenset(clients),
        )
        today = clock.tenant_today(s, viewer.tenant_id)
        side = partial(session_scope, engine)  # as the app builds it (services/portal/home.py)
        board = dashboard.build(s, viewer, side_session=side)  # warm up
        with engine.connect() as conn:
            floor = _floor(engine, conn, viewer.tenant_id, clients, today)
        # The same figures, or the comparison means nothing.
        mine = _figures(board)
        for key, value in floor.items():
            assert mine[key] == value, f"the service and the floor disagree on {key}"
        service_ms, floor_ms = timings.setdefault("dashboard", []), timings.setdefault("floor", [])
        for _ in range(runs):
            t, c = time.perf_counter(), time.process_time()
            dashboard.build(s, viewer, side_session=side)
            service_ms.append((time.perf_counter() - t) * 1000)
            timings.setdefault("dashboard_cpu", []).append((time.process_time() - c) * 1000)
            with engine.connect() as conn:
                t, c = time.perf_counter(), time.process_time()
                _floor(engine, conn, viewer.tenant_id, clients, today)
                floor_ms.append((time.perf_counter() - t) * 1000)
                timings.setdefault("floor_cpu", []).append((time.process_time() - c) * 1000)

        # What the dashboard page reads besides the figures: the activity report's first
        # outstanding items (services/portal/home.py, one listing of five per section).
        for _ in range(runs):
            t = time.perf_counter()
            for kind in listings.ACTIVITY_KINDS:
                assert listings.listing(s, viewer, kind, limit=listings.ACTIVITY_ITEMS) is not None
            timings.setdefault("activity_items", []).append((time.perf_counter() - t) * 1000)

        # And what it makes of the figures: display values, the charts and the map drawn.
        currency = s.get(m.Tenant, viewer.tenant_id).currency
        for _ in range(runs):
            t = time.perf_counter()
            board_values(board, currency, "en")
            timings.setdefault("display", []).append((time.perf_counter() - t) * 1000)

        list_rows = {}
        for kind, queries in LIST_QUERIES.items():
            parsed = [list_query.parse_query(kind, params) for params in queries]
            for query in parsed:  # warm up; and every query must find something
                page = lists.fetch(s, viewer, kind, query, per_page=50)
                assert page.rows, (kind, query)
                list_rows[kind] = max(list_rows.get(kind, 0), page.total)
            for _ in range(runs):
                for i, query in enumerate(parsed):
                    t = time.perf_counter()
                    lists.fetch(s, viewer, kind, query, per_page=50)
                    ms = (time.perf_counter() - t) * 1000
                    timings.setdefault(f"list_{kind}", []).append(ms)
                    timings.setdefault(f"list_{kind}_{i}", []).append(ms)

        # The current month may be a day old: the last full month is the real case.
        last_full = today.replace(day=1) - timedelta(days=1)
        pdf_s, pdf_bytes = 0.0, 0
        for year, month in ((today.year, today.month), (last_full.year, last_full.month)):
            took = []
            for _ in range(PDF_RUNS):
                t = time.perf_counter()
                data = pdf.monthly_activity_report(s, viewer, year, month, "en")
                took.append(time.perf_counter() - t)
            if statistics.median(took) >= pdf_s:
                pdf_s, pdf_bytes = statistics.median(took), len(data)
            timings[f"pdf_{year}-{month:02d}"] = [x * 1000 for x in took]

    p50 = {k: statistics.median(v) for k, v in timings.items()}
    list_kinds = {kind: round(p50[f"list_{kind}"], 1) for kind in LIST_QUERIES}
    figures = {
        "dashboard_ms_p50": round(p50["dashboard"], 1),
        "dashboard_floor_ms_p50": round(p50["floor"], 1),
        "dashboard_floor_ratio": round(p50["dashboard"] / p50["floor"], 2),
        # On SQLite all the work is this process's: its CPU time is what the machine's
        # other load does not inflate (as much). On PostgreSQL it leaves out the server.
        **(
            {
                "dashboard_cpu_ms_p50": round(p50["dashboard_cpu"], 1),
                "dashboard_floor_cpu_ms_p50": round(p50["floor_cpu"], 1),
            }
            if engine.dialect.name == "sqlite"
            else {}
        ),
        "activity_items_ms_p50": round(p50["activity_items"], 1),
        "dashboard_display_ms_p50": round(p50["display"], 1),
        "list_page_ms_p50": max(list_kinds.values()),
        **{f"list_{kind}_ms_p50": v for kind, v in list_kinds.items()},
        "monthly_pdf_s": round(pdf_s, 2),
        "monthly_pdf_bytes": pdf_bytes,
        "sites_in_view": len(board.properties),
        "defects_in_view": list_rows["defects"],
        "runs": runs,
        "database": engine.dialect.name,
    }
    print(f"\n{'figure':28} {'value':>10}  {'budget':>8}  spread (ms)")
    spreads = {
        "dashboard_ms_p50": "dashboard",
        "dashboard_floor_ms_p50": "floor",
        "dashboard_cpu_ms_p50": "dashboard_cpu",
        "activity_items_ms_p50": "activity_items",
        "dashboard_display_ms_p50": "display",
        "dashboard_floor_cpu_ms_p50": "floor_cpu",
        **{f"list_{k}_ms_p50": f"list_{k}" for k in LIST_QUERIES},
    }
    for key, value in figures.items():
        limit = BUDGETS.get(key)
        verdict = "" if limit is None else ("ok" if value <= limit else "OVER")
        budget = "" if limit is None else f"<={limit}"
        spread = _spread(timings[spreads[key]]) if key in spreads else ""
        print(f"{key:28} {value!s:>10}  {budget:>8} {verdict:4}  {spread}")
    print("\nlist pages, median ms per query:")
    for kind, queries in LIST_QUERIES.items():
        for i, params in enumerate(queries):
            print(f"  {kind:9} {p50[f'list_{kind}_{i}']:7.1f}  {params}")
    print(
        "monthly PDF, median s: " + ", ".join(f"{k[4:]} {v / 1000:.2f}" for k, v in p50.items() if k.startswith("pdf_"))
    )
    # SQLite's figures at the top level (the budgets are SQLite's); another database's
    # under its name.
    out = ROOT / "bench" / "results.json"
    existing = json.loads(out.read_text()) if out.exists() else {}
    if engine.dialect.name == "sqlite":  # (a fresh set of figures; other databases' sections stay)
        results = {**{k: v for k, v in existing.items() if isinstance(v, dict)}, **figures}
    else:
        results = {**existing, engine.dialect.name: figures}
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"written to {out}")
    engine.dispose()


if __name__ == "__main__":
    main()
