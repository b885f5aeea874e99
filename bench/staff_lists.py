"""Admin Data lists on the large demo: MegaPools' staff lists (1,000 sites, 100,000
remarks, 50,000 jobs, 10,000 quotes, 20,000 invoices).

Prints a table and merges its figures into bench/results.json:
  staff_list_ms_p50_<list>   the first page of each list, no filter, median of RUNS
  staff_list_search_ms_p50   the remarks list searched ("pump") and filtered (CRITICAL)
  staff_site_page_ms_p50     a property page with its sections (100 remarks, 20 assets)
  staff_bulk_publish_ms      publishing one property's remarks through the list filter

Usage: python bench/staff_lists.py [--db sqlite:///path]   (default: a fresh large demo
in a temporary directory).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
RUNS = 15
BUDGET_MS = 150


def _ms(fn, runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 1)


def main() -> None:
    from dashboard import _prepare
    from sqlalchemy import text
    from sqlmodel import Session, select

    import pool_portal.models as m
    from pool_portal.db import make_engine
    from pool_portal.services.staff import lists as staff_lists
    from pool_portal.services.staff import site_records, sites

    parser = argparse.ArgumentParser()
    parser.add_argument("--db")
    url = _prepare(parser.parse_args().db)
    engine = make_engine(url)
    with engine.connect() as conn:
        conn.execute(text("ANALYZE"))
        conn.commit()
    figures: dict[str, float] = {}
    with Session(engine) as db:
        tenant = db.exec(select(m.Tenant).where(m.Tenant.slug == "megapools")).one()
        admin = db.exec(
            select(m.StaffUser).where(m.StaffUser.tenant_id == tenant.id, m.StaffUser.role == m.StaffRole.ADMIN)
        ).first()
        t, s = tenant.id, admin.id
        for kind in staff_lists.KINDS:
            page = staff_lists.fetch(db, t, s, kind, {})
            figures[f"staff_list_ms_p50_{kind}"] = _ms(lambda kind=kind: staff_lists.fetch(db, t, s, kind, {}))
            print(f"{kind:>9}: {page.total:>7} rows, first page {figures[f'staff_list_ms_p50_{kind}']} ms")
        query = {"q": "pump", "severity": "CRITICAL"}
        figures["staff_list_search_ms_p50"] = _ms(lambda: staff_lists.fetch(db, t, s, "remarks", query))
        deep = {"page": str(staff_lists.fetch(db, t, s, "remarks", {}).pages)}
        figures["staff_list_last_page_ms_p50"] = _ms(lambda: staff_lists.fetch(db, t, s, "remarks", deep))
        site = db.exec(select(m.Site).where(m.Site.tenant_id == t).order_by(m.Site.id)).first()
        figures["staff_site_page_ms_p50"] = _ms(lambda: sites.site_page(db, t, s, site.id))
        started = time.perf_counter()
        count = site_records.bulk_publish(db, t, s, {"site": str(site.id)}, True)
        db.rollback()
        figures["staff_bulk_publish_ms"] = round((time.perf_counter() - started) * 1000, 1)
        print(
            f"remarks search+filter {figures['staff_list_search_ms_p50']} ms, last page "
            f"{figures['staff_list_last_page_ms_p50']} ms, site page {figures['staff_site_page_ms_p50']} ms, "
            f"bulk publish of {count} remarks {figures['staff_bulk_publish_ms']} ms (budget {BUDGET_MS} ms each)"
        )
    out = ROOT / "bench" / "results.json"
    existing = json.loads(out.read_text()) if out.exists() else {}
    out.write_text(json.dumps({**existing, **figures}, indent=2) + "\n")


if __name__ == "__main__":
    main()
