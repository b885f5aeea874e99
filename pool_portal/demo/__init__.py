"""AquaDemo demo data, deterministic, at any scale.

``load_demo(engine)`` fills an empty, migrated database with two tenants: **AquaDemo**
(about 30 clients around Valencia and Alicante, the Mediterranean Hotels Group, 60
pools and everything on them) and **BlueWave** (a few clients near Málaga).
``scale="large"`` adds **MegaPools**: a 200-client group with 1,000 sites, 20,000
assets, 100,000 remarks, 50,000 jobs, 10,000 quotes, 20,000 invoices and 2,000
incidents, for benchmarks.

Rows are built as plain dicts with ids assigned here and written with bulk inserts
(one executemany per table and chunk), which is what makes the large scale fast.
Everything comes from one seeded ``random.Random`` and a pinned ``today``, so two
loads with the same ``today`` are identical.

The parts: ``loading`` (load_demo, the tables, emptying them), ``tenants`` (who is in
the demo), ``builder`` (the rows in the making), ``people``, ``sites``, ``money``,
``documents`` and ``incidents`` (one kind of row each), ``vocabulary`` (the words).
"""

from __future__ import annotations

from pool_portal.demo.loading import CHUNK, DEMO_PASSWORD, SEED, TABLES, DemoDataExists, database_is_empty, load_demo
from pool_portal.demo.vocabulary import ASSET_TYPES

__all__ = [
    "ASSET_TYPES",
    "CHUNK",
    "DEMO_PASSWORD",
    "SEED",
    "TABLES",
    "DemoDataExists",
    "database_is_empty",
    "load_demo",
]
