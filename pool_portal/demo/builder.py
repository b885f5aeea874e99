"""The demo's rows in the making: ``Builder`` keeps every table's rows as plain dicts
with ids assigned here, the seeded random source and the pinned ``today`` (so two
builds with the same ``today`` are identical), and the basics every part uses; and
``Density``, how much to make per site."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlmodel import SQLModel

from pool_portal.demo.vocabulary import FIRST_NAMES, LAST_NAMES

TAX_RATE_BP = 2100  # 21 % VAT, in basis points as on quotes and invoices
TAX_RATE = Decimal(TAX_RATE_BP) / 10000


@dataclass
class Density:
    """How much to make per site (ranges for the demo tenants, fixed for large)."""

    assets: tuple[int, int] = (3, 6)
    remarks: tuple[int, int] = (4, 9)
    routine_months: int = 14  # 12 past months and 2 ahead
    service_calls: tuple[int, int] = (0, 3)
    repairs: tuple[int, int] = (0, 2)
    fixed_price: tuple[int, int] = (0, 1)
    quotes: tuple[int, int] = (1, 4)
    invoices: tuple[int, int] = (4, 8)
    reports: tuple[int, int] = (1, 3)
    incidents: tuple[int, int] = (0, 0)
    lines: tuple[int, int] = (1, 3)


LARGE = Density(
    assets=(20, 20),
    remarks=(100, 100),
    routine_months=24,
    service_calls=(20, 20),
    repairs=(4, 4),
    fixed_price=(2, 2),
    quotes=(10, 10),
    invoices=(20, 20),
    reports=(2, 2),
    incidents=(2, 2),
    lines=(1, 3),
)


@dataclass
class Builder:
    """Every table's rows (plain dicts, ids assigned here), the seeded random source, the
    pinned ``today``, and the numbering of documents per tenant. The parts of the demo
    (people, sites, money, documents, incidents) are functions that take it."""

    rng: random.Random
    today: date
    rows: dict[type, list[dict]] = field(default_factory=lambda: defaultdict(list))
    next_id: dict[type, int] = field(default_factory=dict)
    seq: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    password_hash: str = ""
    references: set[str] = field(default_factory=set)

    # -- basics ------------------------------------------------------------------
    def add(self, model: type[SQLModel], /, **values) -> int:
        new_id = self.next_id.get(model, 1)
        self.next_id[model] = new_id + 1
        values["id"] = new_id
        self.rows[model].append(values)
        return new_id

    def at(self, days_ago: int, hour: int = 9) -> datetime:
        return datetime.combine(self.today - timedelta(days=days_ago), time(hour), tzinfo=UTC)

    def number(self, prefix: str, tenant_id: int) -> str:
        self.seq[f"{prefix}{tenant_id}"] += 1
        return f"{prefix}-{tenant_id:02d}{self.seq[f'{prefix}{tenant_id}']:06d}"

    def between(self, bounds: tuple[int, int]) -> int:
        return self.rng.randint(*bounds)

    def person(self) -> str:
        return f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"
