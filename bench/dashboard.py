"""Dashboard and monthly-PDF benchmark on the large demo (the 200-client group view).

Prints a table and merges its figures into bench/results.json:
  dashboard_ms_p50       the dashboard service, all panels, median of RUNS
  dashboard_floor_ms_p50 hand-written SQL aggregates producing the same figures
  dashboard_floor_ratio  the two divided (budget <= 1.5)
  monthly_pdf_s          the monthly activity report PDF for the group (budget <= 1.5)

Usage: python bench/dashboard.py [--db sqlite:///path]   (default: a fresh large demo
in a temporary directory; building it takes about 10 s).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RUNS = 15


def _prepare(db_url: str | None) -> str:
    if db_url:
        return db_url
    tmp = Path(tempfile.mkdtemp(prefix="pool-portal-bench-"))
    url = f"sqlite:///{tmp / 'bench.db'}"
    from pool_portal import demo, migrations
    from pool_portal.db import make_engine

    migrations.upgrade(url)
    started = time.perf_counter()
    demo.load_demo(make_engine(url), scale="large")
    print(f"large demo loaded in {time.perf_counter() - started:.1f} s")
    return url


def _floor_sql(conn, tenant_id: int, client_ids: list[int], today: date) -> dict:
    """The same figures, straight SQL, no ORM: the floor the service is compared with."""
    from pool_portal.services.dashboard import last_months

    clients = ",".join(map(str, client_ids))
    sites = f"(SELECT id FROM site WHERE tenant_id={tenant_id} AND client_id IN ({clients}) AND is_active)"
    visible = f"(r.is_published OR r.report_id IN (SELECT id FROM report WHERE tenant_id={tenant_id} AND status='APPROVED'))"
    months = last_months(today)
    start = f"{months[0]}-01"
    t = f"'{today.isoformat()}'"
    q = {
        "sites": f"SELECT id, name FROM site WHERE id IN {sites} ORDER BY name, id",
        "overdue": f"SELECT site_id, count(*) FROM invoice WHERE tenant_id={tenant_id} AND site_id IN {sites} AND status='AWAITING_PAYMENT' AND due_on < {t} GROUP BY site_id",
        "quotes": f"SELECT site_id, count(*) FROM quote WHERE tenant_id={tenant_id} AND site_id IN {sites} AND status='AWAITING_ACCEPTANCE' AND (expires_on IS NULL OR expires_on >= {t}) GROUP BY site_id",
        "defects": f"SELECT site_id, sum(CASE WHEN severity IN ('CRITICAL','NON_CONFORMANCE','NON_CRITICAL') THEN 1 ELSE 0 END), min(CASE severity WHEN 'CRITICAL' THEN 0 WHEN 'NON_CONFORMANCE' THEN 1 WHEN 'NON_CRITICAL' THEN 2 WHEN 'RECOMMENDATION' THEN 3 ELSE 4 END) FROM remark r WHERE tenant_id={tenant_id} AND site_id IN {sites} AND status='OPEN' AND {visible} GROUP BY site_id",
        "activity_quotes": f"SELECT kind, count(*), sum(total_cents) FROM quote WHERE tenant_id={tenant_id} AND site_id IN {sites} AND status='AWAITING_ACCEPTANCE' AND (expires_on IS NULL OR expires_on >= {t}) GROUP BY kind",
        "activity_invoices": f"SELECT count(*), sum(total_cents), sum(CASE WHEN due_on < {t} THEN 1 ELSE 0 END), sum(CASE WHEN due_on < {t} THEN total_cents ELSE 0 END) FROM invoice WHERE tenant_id={tenant_id} AND site_id IN {sites} AND status='AWAITING_PAYMENT'",
        "tally": f"SELECT severity, count(*) FROM remark r WHERE tenant_id={tenant_id} AND site_id IN {sites} AND status='OPEN' AND {visible} GROUP BY severity",
        "per_month": f"SELECT strftime('%Y-%m', raised_on), CASE WHEN status='RESOLVED' THEN 'RESOLVED' ELSE severity END, count(*) FROM remark r WHERE tenant_id={tenant_id} AND site_id IN {sites} AND raised_on >= '{start}' AND {visible} GROUP BY 1, 2",
        "asset_types": f"SELECT a.asset_type, min(CASE r.severity WHEN 'CRITICAL' THEN 0 WHEN 'NON_CONFORMANCE' THEN 1 WHEN 'NON_CRITICAL' THEN 2 WHEN 'RECOMMENDATION' THEN 3 ELSE 4 END) FROM remark r JOIN asset a ON a.id = r.asset_id WHERE r.tenant_id={tenant_id} AND r.site_id IN {sites} AND r.status='OPEN' AND {visible} GROUP BY a.asset_type",
        "routine": f"SELECT due_date, completed_on, tolerance_days FROM job WHERE tenant_id={tenant_id} AND site_id IN {sites} AND kind='ROUTINE' AND due_date >= '{today.year}-01-01' AND due_date <= '{today.year}-12-31'",
        "calls": f"SELECT strftime('%Y-%m', created_at), stage, count(*) FROM job WHERE tenant_id={tenant_id} AND site_id IN {sites} AND kind='SERVICE_CALL' AND created_at >= '{start}' GROUP BY 1, 2",
        "spend_month": f"SELECT strftime('%Y-%m', issued_on), sum(total_cents) FROM invoice WHERE tenant_id={tenant_id} AND site_id IN {sites} AND status IN ('AWAITING_PAYMENT','PAID') AND issued_on >= '{start}' GROUP BY 1",
        "spend_site": f"SELECT site_id, sum(total_cents) FROM invoice WHERE tenant_id={tenant_id} AND site_id IN {sites} AND status IN ('AWAITING_PAYMENT','PAID') AND issued_on >= '{start}' GROUP BY site_id",
    }
    return {name: conn.exec_driver_sql(sql).all() for name, sql in q.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db")
    args = parser.parse_args()
    os.environ.setdefault("PORTAL_DATA_DIR", tempfile.mkdtemp(prefix="pool-portal-bench-var-"))
    url = _prepare(args.db)

    from sqlmodel import Session, select

    import pool_portal.models as m
    from pool_portal.db import make_engine
    from pool_portal.services import dashboard, pdf
    from pool_portal.services.scope import Viewer, portal_client_ids

    engine = make_engine(url)
    with Session(engine) as s:
        user = s.exec(select(m.PortalUser).where(m.PortalUser.email == "group@megapools.example.com")).one()
        clients = sorted(portal_client_ids(s, user.tenant_id, user.id))
        viewer = Viewer(kind="portal", tenant_id=user.tenant_id, user_id=user.id, session_id=0, name=user.name,
                        email=user.email, client_ids=frozenset(clients))
        today = dashboard.tenant_today(s, viewer.tenant_id)
        board = dashboard.build(s, viewer)  # warm up
        service_ms, floor_ms = [], []
        for _ in range(RUNS):
            t = time.perf_counter()
            board = dashboard.build(s, viewer)
            service_ms.append((time.perf_counter() - t) * 1000)
            with engine.connect() as conn:
                t = time.perf_counter()
                floor = _floor_sql(conn, viewer.tenant_id, clients, today)
                floor_ms.append((time.perf_counter() - t) * 1000)
        # The same figures, or the comparison means nothing.
        assert sum(board.defects.tally.values()) == sum(n for _, n in floor["tally"])
        assert sum(r.open_defects for r in board.properties) == sum(int(n) for _, n, _ in floor["defects"])
        assert sum(r.overdue_invoices for r in board.properties) == sum(n for _, n in floor["overdue"])
        t = time.perf_counter()
        pdf_bytes = pdf.monthly_activity_report(s, viewer, today.year, today.month, "en")
        pdf_s = time.perf_counter() - t
        # One filtered, sorted page of 50 from the largest list (defects: 100,000 remarks).
        from pool_portal.services import lists

        list_queries = [
            lists.parse_query("defects", {"status": "open", "f_severity": "CRITICAL", "sort": "raised", "dir": "desc"}),
            lists.parse_query("defects", {"sort": "site", "dir": "asc", "page": "7"}),
            lists.parse_query("defects", {"q": "pump", "sort": "severity", "dir": "desc"}),
        ]
        list_ms, list_rows = [], 0
        for _ in range(RUNS):
            for query in list_queries:
                t = time.perf_counter()
                page = lists.fetch(s, viewer, "defects", query, per_page=50)
                list_ms.append((time.perf_counter() - t) * 1000)
                list_rows = max(list_rows, page.total)

    p50, floor_p50 = statistics.median(service_ms), statistics.median(floor_ms)
    figures = {
        "dashboard_ms_p50": round(p50, 1),
        "dashboard_floor_ms_p50": round(floor_p50, 1),
        "dashboard_floor_ratio": round(p50 / floor_p50, 2),
        "monthly_pdf_s": round(pdf_s, 2),
        "monthly_pdf_bytes": len(pdf_bytes),
        "list_page_ms_p50": round(statistics.median(list_ms), 1),
        "list_rows_in_view": list_rows,
        "sites_in_view": len(board.properties),
        "database": engine.dialect.name,
    }
    budgets = {"dashboard_ms_p50": ("<=", 150), "dashboard_floor_ratio": ("<=", 1.5), "monthly_pdf_s": ("<=", 1.5),
               "list_page_ms_p50": ("<=", 50)}
    print(f"{'figure':28} {'value':>12}  budget")
    for key, value in figures.items():
        op, limit = budgets.get(key, ("", ""))
        verdict = "" if not op else ("ok" if value <= limit else "OVER")
        print(f"{key:28} {value!s:>12}  {op}{limit} {verdict}")
    out = ROOT / "bench" / "results.json"
    existing = json.loads(out.read_text()) if out.exists() else {}
    out.write_text(json.dumps({**existing, **figures}, indent=2) + "\n")
    print(f"written to {out}")


if __name__ == "__main__":
    main()
