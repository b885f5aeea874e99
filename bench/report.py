"""The one table of `make bench`: every budgeted figure in bench/results.json, its budget
and whether it is met, then the figures that explain them.

Usage: python bench/report.py [--strict]   (--strict: exit 1 when a budget is not met)
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import BUDGETS, RESULTS, met  # noqa: E402

CONTEXT = [  # shown under the budgets, when measured
    "dashboard_floor_ms_p50",
    "sites_in_view",
    "ws_p50_ms",
    "ws_dashboard_p95_ms",
    "ws_overlay_p95_ms",
    "ws_signin_p95_ms",
    "ws_ramp_s",
    "ws_think_s",
    "ws_group_p95_ms",
    "ws_group_dashboard_p95_ms",
    "ws_group_noop_p95_ms",
    "ws_group_errors",
    "first_load_plotly",
    "plotly_after_text",
    "lighthouse_login",
    "lighthouse_portal",
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--strict", action="store_true")
    args = parser.parse_args()
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    print(f"\n{'figure':26} {'measured':>10}  {'budget':>8}  {'':7}  what")
    missed = 0
    for key, (op, limit, what) in BUDGETS.items():
        value = results.get(key, "-")
        verdict = met(key, value) if key in results else ("not run" if op else "")
        missed += verdict in ("not met", "not run")
        budget = f"{op} {limit:g}" if op else ""
        print(f"{key:26} {value!s:>10}  {budget:>8}  {verdict:7}  {what}")
    print()
    for key in CONTEXT:
        if key in results:
            print(f"  {key}: {json.dumps(results[key])}")
    print(f"\nfrom {RESULTS}")
    if args.strict and missed:
        sys.exit(1)


if __name__ == "__main__":
    main()
