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
"""

from __future__ import annotations

import random
import string
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import func, insert, select, text
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

import pool_portal.models as m
from pool_portal.services.identity.passwords import hash_password
from pool_portal.services.incidents.common import admin_path as incident_admin_path

DEMO_PASSWORD = "demo-portal-2026"
SEED = 20261123
TAX_RATE_BP = 2100  # 21 % VAT, in basis points as on quotes and invoices
TAX_RATE = Decimal(TAX_RATE_BP) / 10000
CHUNK = 5000


class DemoDataExists(RuntimeError):
    """The database already has data; pass reset=True to replace it."""


# Insertion order respects foreign keys (deletion goes the other way).
TABLES: list[type[SQLModel]] = [
    m.Tenant,
    m.PortalSettings,
    m.StaffUser,
    m.Client,
    m.ClientGroup,
    m.ClientGroupMember,
    m.ClientPortalSettings,
    m.PortalUser,
    m.Membership,
    m.Site,
    m.Asset,
    m.Report,
    m.Remark,
    m.Job,
    m.Quote,
    m.QuoteLine,
    m.Invoice,
    m.InvoiceLine,
    m.Document,
    m.Incident,
    m.IncidentTask,
    m.IncidentMessage,
    m.IncidentAttachment,
    m.Visit,
    m.Notification,
    m.AuthToken,
    m.UserSession,
    m.AuditEvent,
]

# -- vocabulary -------------------------------------------------------------------
TOWNS = [  # (town, postcode, latitude, longitude) on the Valencia / Alicante coast
    ("Valencia", "46011", 39.4640, -0.3330),
    ("Alboraya", "46120", 39.4990, -0.3290),
    ("Cullera", "46400", 39.1640, -0.2530),
    ("Gandia", "46730", 38.9960, -0.1630),
    ("Oliva", "46780", 38.9190, -0.1150),
    ("Dénia", "03700", 38.8410, 0.1080),
    ("Xàbia", "03730", 38.7900, 0.1690),
    ("Calp", "03710", 38.6450, 0.0480),
    ("Altea", "03590", 38.5990, -0.0500),
    ("Benidorm", "03503", 38.5390, -0.1230),
    ("El Campello", "03560", 38.4290, -0.3970),
    ("Alicante", "03016", 38.3570, -0.4560),
    ("Santa Pola", "03130", 38.1920, -0.5560),
    ("Torrevieja", "03181", 37.9790, -0.6800),
]
STREETS = [
    "Avinguda del Mar",
    "Carrer de la Platja",
    "Paseo Marítimo",
    "Calle de las Palmeras",
    "Avenida Mediterráneo",
    "Carrer del Port",
    "Calle Sol Naciente",
    "Avenida de la Costa Blanca",
    "Calle Gaviota",
    "Carrer dels Pescadors",
    "Calle del Faro",
    "Avenida de Europa",
]
HOTELS = [
    "Hotel Marina Sol",
    "Hotel Playa Dorada",
    "Hotel Costa Serena",
    "Hotel Las Arenas Beach",
    "Hotel Mirador del Mar",
    "Hotel Cala Blanca",
    "Hotel Puerto Azul",
    "Hotel Brisa Marina",
    "Hotel Altamar",
    "Hotel Levante Palace",
]
COMMUNITIES = [
    "Residencial Los Pinos",
    "Comunidad Mar Azul",
    "Urbanización El Palmeral",
    "Residencial Las Dunas",
    "Comunidad Jardines del Mar",
    "Residencial Bahía Serena",
    "Urbanización La Reserva",
    "Residencial Vista Alegre",
    "Comunidad Torre del Sol",
    "Residencial Miramar",
]
OTHERS = [
    "Club de Tenis Levante",
    "Gimnasio AquaFit",
    "Colegio Internacional Costa",
    "Villa Los Almendros",
    "Villa Mar y Sol",
    "Camping Playa Norte",
    "Balneario Las Termas",
    "Club Náutico Sur",
    "Polideportivo Municipal Alboraya",
]
POOL_NAMES = ["Main pool", "Children's pool", "Indoor pool", "Spa pool", "Rooftop pool", "Lap pool"]
ASSET_TYPES = {
    "Pump": ["Pentair SuperFlo VS", "Hayward MaxFlo XL", "AstralPool Victoria Plus"],
    "Sand filter": ["AstralPool Aster 750", "Hayward Pro Series 600", "Pentair Triton II"],
    "Heat pump": ["Zodiac Z550", "Fairland InverX 28", "Hayward EnergyLine Pro"],
    "Chlorinator": ["Zodiac TRi 22", "Hayward AquaRite", "AstralPool Elite Connect"],
    "Salt cell": ["Zodiac TRi cell 22", "Hayward T-Cell-15", "AstralPool Elite cell 25"],
    "Dosing controller": ["Bayrol PoolManager", "Seko Kontrol 800", "Zodiac pH Expert"],
    "Pool cover": ["AquaCover Auto", "Abriblue Lamas", "Coverstar Eclipse"],
    "Underwater lighting": ["AstralPool LumiPlus 2.0", "Hayward ColorLogic", "Pentair IntelliBrite"],
    "Robot cleaner": ["Dolphin S300i", "Zodiac Vortex 4", "Hayward AquaVac 500"],
}
REMARKS = {
    m.Severity.CRITICAL: [
        "Main drain cover cracked",
        "Exposed wiring at light niche",
        "Pump motor overheating",
        "Chlorine leak at dosing line",
    ],
    m.Severity.NON_CONFORMANCE: [
        "Missing depth markings",
        "Safety signage faded",
        "Water test log incomplete",
        "Fence gate not self-closing",
    ],
    m.Severity.NON_CRITICAL: [
        "Tile grout worn at waterline",
        "Skimmer lid chipped",
        "Pressure gauge unreadable",
        "Ladder rung loose",
    ],
    m.Severity.RECOMMENDATION: [
        "Upgrade to variable-speed pump",
        "Add automatic cover",
        "Replace sand with glass media",
        "Install LED lighting",
    ],
    m.Severity.INFORMATION: [
        "Filter backwashed during visit",
        "Water balance within range",
        "Cover seasonal storage noted",
        "Heat pump serviced",
    ],
}
SEVERITY_WEIGHTS = [10, 15, 30, 25, 20]
SERVICE_CALLS = [
    "Cloudy water after storm",
    "Pump making noise",
    "Heater not reaching temperature",
    "Leak near skimmer",
    "Lights not working",
    "Chlorinator error code",
]
QUOTE_TITLES = {
    m.QuoteKind.DEFECT: ["Replace drain cover", "Rewire light niche", "Repair fence gate", "Regrout waterline tiles"],
    m.QuoteKind.SERVICE: [
        "Annual maintenance plan",
        "Winterisation service",
        "Filter media replacement",
        "Energy audit",
    ],
}
INCIDENTS = [
    (m.IncidentCategory.WATER, "The water has turned green since the weekend and smells of chlorine."),
    (m.IncidentCategory.ENGINE, "The pump stops every few minutes and makes a loud humming noise."),
    (m.IncidentCategory.LEAK, "There is a wet patch next to the pump room and the level drops 2 cm a day."),
    (m.IncidentCategory.ELECTRICAL, "The underwater lights trip the breaker when switched on."),
    (m.IncidentCategory.CLEANING, "Leaves and sand at the bottom after the storm, the robot is not coping."),
    (m.IncidentCategory.OTHER, "A guest reported a sharp edge on the ladder of the children's pool."),
]
FIRST_NAMES = [
    "Carla",
    "Hugo",
    "Lucía",
    "Mateo",
    "Sofía",
    "Pablo",
    "Elena",
    "Javier",
    "Marta",
    "Diego",
    "Nuria",
    "Álvaro",
]
LAST_NAMES = [
    "Pérez",
    "Navarro",
    "García",
    "Martínez",
    "López",
    "Sánchez",
    "Romero",
    "Torres",
    "Ruiz",
    "Ferrer",
    "Vidal",
    "Soler",
]


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

    # -- people and tenancy --------------------------------------------------------
    def tenant(self, name: str, slug: str, colour: str) -> int:
        tid = self.add(
            m.Tenant,
            name=name,
            slug=slug,
            timezone="Europe/Madrid",
            currency="EUR",
            default_language="en",
            brand_colour=colour,
            logo_path=None,
            is_active=True,
            created_at=self.at(600),
        )
        self.add(
            m.PortalSettings,
            tenant_id=tid,
            show_map=True,
            show_activity_report=True,
            show_spend_tracking=True,
            show_defect_analytics=True,
            show_routine_activities=True,
            show_service_calls=True,
            show_quotes=True,
            show_invoices=True,
            show_reports=True,
            incidents_enabled=True,
            asset_columns=m.portal_settings.DEFAULT_ASSET_COLUMNS,
            asset_id_label="Asset ID",
            payment_instructions="Bank transfer to ES91 2100 0418 4502 0005 1332, quoting the invoice number.",
            default_job_stage=m.JobStage.ON_HOLD,
            updated_at=self.at(600),
        )
        return tid

    def staff(self, tid: int, email: str, name: str, role: m.StaffRole) -> int:
        return self.add(
            m.StaffUser,
            tenant_id=tid,
            external_id=None,
            email=email,
            name=name,
            role=role,
            password_hash=self.password_hash,
            must_change_password=False,
            is_active=True,
            language="en",
            phone=None,
            last_login_at=None,
            created_at=self.at(600),
        )

    def client(self, tid: int, name: str) -> int:
        slug = "".join(c for c in name.lower() if c.isalnum())[:20]
        return self.add(
            m.Client,
            tenant_id=tid,
            external_id=f"ERP-C-{self.next_id.get(m.Client, 1):05d}",
            name=name,
            email=f"admin@{slug}.example.com",
            phone=f"+34 96{self.rng.randint(1000000, 9999999)}",
            billing_address=None,
            is_active=True,
            created_at=self.at(600),
        )

    def group(self, tid: int, name: str, parent: int | None = None) -> int:
        return self.add(
            m.ClientGroup, tenant_id=tid, external_id=None, name=name, parent_id=parent, created_at=self.at(600)
        )

    def member(self, tid: int, group_id: int, client_id: int) -> None:
        self.add(m.ClientGroupMember, tenant_id=tid, external_id=None, group_id=group_id, client_id=client_id)

    def portal_user(self, tid: int, email: str, name: str, *, password: bool, language: str = "en") -> int:
        return self.add(
            m.PortalUser,
            tenant_id=tid,
            external_id=None,
            email=email,
            name=name,
            phone=None,
            password_hash=self.password_hash if password else None,
            must_change_password=False,
            is_active=True,
            language=language,
            notify_on_reply=True,
            notify_on_invoice=True,
            notify_on_quote=True,
            notify_on_job_scheduled=True,
            notify_on_report=True,
            last_login_at=None,
            created_at=self.at(500),
        )

    def membership(
        self,
        tid: int,
        user_id: int,
        *,
        client_id: int | None = None,
        group_id: int | None = None,
        role: m.MembershipRole = m.MembershipRole.MANAGER,
    ) -> None:
        self.add(
            m.Membership,
            tenant_id=tid,
            external_id=None,
            portal_user_id=user_id,
            client_id=client_id,
            group_id=group_id,
            role=role,
            is_active=True,
            created_at=self.at(500),
        )

    # -- a site and everything on it -------------------------------------------------
    def site(self, tid: int, client_id: int, name: str, town: tuple, *, coords: bool = True) -> int:
        town_name, postcode, lat, lon = town
        return self.add(
            m.Site,
            tenant_id=tid,
            external_id=f"ERP-S-{self.next_id.get(m.Site, 1):05d}",
            client_id=client_id,
            name=name,
            address=f"{self.rng.choice(STREETS)}, {self.rng.randint(1, 180)}",
            city=town_name,
            postcode=postcode,
            latitude=round(lat + self.rng.uniform(-0.015, 0.015), 6) if coords else None,
            longitude=round(lon + self.rng.uniform(-0.015, 0.015), 6) if coords else None,
            notes=None,
            is_active=True,
            created_at=self.at(600),
        )

    def fill_site(self, tid: int, site_id: int, d: Density, technicians: list[int]) -> None:
        assets = [self._asset(tid, site_id) for _ in range(self.between(d.assets))]
        reports = [self._report(tid, site_id) for _ in range(self.between(d.reports))]
        for _ in range(self.between(d.remarks)):
            self._remark(tid, site_id, assets, reports)
        self._routine_jobs(tid, site_id, assets, d.routine_months, technicians)
        for kind, bounds in (
            (m.JobKind.SERVICE_CALL, d.service_calls),
            (m.JobKind.DEFECT_REPAIR, d.repairs),
            (m.JobKind.FIXED_PRICE, d.fixed_price),
        ):
            for _ in range(self.between(bounds)):
                self._other_job(tid, site_id, assets, kind, technicians)
        for _ in range(self.between(d.quotes)):
            self._quote(tid, site_id, d.lines)
        for _ in range(self.between(d.invoices)):
            self._invoice(tid, site_id, d.lines)

    def _asset(self, tid: int, site_id: int) -> int:
        kind = self.rng.choice(list(ASSET_TYPES))
        tested = self.today - timedelta(days=self.rng.randint(10, 400))
        return self.add(
            m.Asset,
            tenant_id=tid,
            external_id=None,
            site_id=site_id,
            asset_code=f"AQ-{self.next_id.get(m.Asset, 1):06d}",
            asset_type=kind,
            model=self.rng.choice(ASSET_TYPES[kind]),
            serial_number="".join(self.rng.choices(string.ascii_uppercase + string.digits, k=10)),
            customer_ref=f"REF-{self.rng.randint(100, 999)}",
            location=self.rng.choice(["Plant room", "Pool deck", "Basement", "Roof"]),
            description=None,
            last_test_number=f"T{self.rng.randint(10000, 99999)}",
            last_test_date=tested,
            next_service_due=tested + timedelta(days=365),
            is_active=True,
            created_at=self.at(600),
        )

    def _report(self, tid: int, site_id: int) -> int:
        days_ago = self.rng.randint(0, 540)
        approved = self.rng.random() < 0.8
        return self.add(
            m.Report,
            tenant_id=tid,
            external_id=None,
            number=self.number("R", tid),
            site_id=site_id,
            job_id=None,
            title=self.rng.choice(
                ["Annual safety inspection", "Quarterly water quality report", "Equipment service report"]
            ),
            summary="Inspection of the pool installation, its equipment and its safety features.",
            status=m.ReportStatus.APPROVED if approved else m.ReportStatus.DRAFT,
            report_date=self.today - timedelta(days=days_ago),
            approved_at=self.at(days_ago) if approved else None,
            created_at=self.at(days_ago),
        )

    def _remark(self, tid: int, site_id: int, assets: list[int], reports: list[int]) -> None:
        severity = self.rng.choices(list(m.Severity), weights=SEVERITY_WEIGHTS)[0]
        days_ago = self.rng.randint(0, 545)  # 18 months
        resolved = self.rng.random() < 0.4 and days_ago > 7
        self.add(
            m.Remark,
            tenant_id=tid,
            external_id=None,
            site_id=site_id,
            asset_id=self.rng.choice(assets) if assets and self.rng.random() < 0.7 else None,
            report_id=self.rng.choice(reports) if reports and self.rng.random() < 0.3 else None,
            severity=severity,
            status=m.RemarkStatus.RESOLVED if resolved else m.RemarkStatus.OPEN,
            title=self.rng.choice(REMARKS[severity]),
            description=None,
            raised_on=self.today - timedelta(days=days_ago),
            resolved_on=self.today - timedelta(days=self.rng.randint(0, days_ago - 1)) if resolved else None,
            is_published=self.rng.random() < 0.7,
            created_at=self.at(days_ago),
        )

    def _job(
        self,
        tid: int,
        site_id: int,
        kind: m.JobKind,
        stage: m.JobStage,
        description: str,
        *,
        created: datetime,
        asset_id: int | None = None,
        scheduled: date | None = None,
        due: date | None = None,
        tolerance: int | None = None,
        completed: date | None = None,
        technician: int | None = None,
    ) -> int:
        return self.add(
            m.Job,
            tenant_id=tid,
            external_id=None,
            number=self.number("J", tid),
            site_id=site_id,
            asset_id=asset_id,
            kind=kind,
            stage=stage,
            description=description,
            notes=None,
            customer_po=f"PO-{self.rng.randint(1000, 9999)}" if self.rng.random() < 0.3 else None,
            scheduled_date=scheduled,
            technician_id=technician,
            due_date=due,
            tolerance_days=tolerance,
            completed_on=completed,
            requested_by_portal_user_id=None,
            created_at=created,
        )

    def _routine_jobs(self, tid: int, site_id: int, assets: list[int], months: int, techs: list[int]) -> None:
        """Monthly maintenance due on the 15th, 5 days' tolerance: done on time, within
        tolerance, late, missed, or pending (future)."""
        first = (self.today.replace(day=1) - timedelta(days=31 * (months - 3))).replace(day=1)
        for i in range(months):
            y, mo = divmod(first.month - 1 + i, 12)
            due = date(first.year + y, mo + 1, 15)
            created = datetime.combine(due - timedelta(days=30), time(8), tzinfo=UTC)
            outcome = self.rng.choices(["on_time", "tolerance", "late", "missed"], weights=[70, 15, 8, 7])[0]
            if due + timedelta(days=5) >= self.today:
                outcome = "pending"
            offset = {
                "on_time": self.rng.randint(-2, 2),
                "tolerance": self.rng.choice([-5, -4, -3, 3, 4, 5]),
                "late": self.rng.randint(6, 20),
            }.get(outcome)
            completed = due + timedelta(days=offset) if offset is not None else None
            if completed and completed > self.today:
                completed, outcome = None, "pending"
            stage = (
                (m.JobStage.COMPLETE if completed and self.rng.random() < 0.85 else m.JobStage.PERFORMED)
                if completed
                else (
                    m.JobStage.READY
                    if outcome == "pending"
                    else self.rng.choice([m.JobStage.READY, m.JobStage.ON_HOLD])
                )
            )
            self._job(
                tid,
                site_id,
                m.JobKind.ROUTINE,
                stage,
                "Monthly pool maintenance",
                created=created,
                asset_id=self.rng.choice(assets) if assets else None,
                scheduled=due,
                due=due,
                tolerance=5,
                completed=completed,
                technician=self.rng.choice(techs) if techs else None,
            )

    def _other_job(self, tid: int, site_id: int, assets: list[int], kind: m.JobKind, techs: list[int]) -> None:
        days_ago = self.rng.randint(0, 360)
        stage = self.rng.choice(list(m.JobStage))
        done = stage in (m.JobStage.PERFORMED, m.JobStage.COMPLETE)
        scheduled = (
            self.today - timedelta(days=days_ago - self.rng.randint(1, 10)) if stage != m.JobStage.ON_HOLD else None
        )
        description = {
            m.JobKind.SERVICE_CALL: self.rng.choice(SERVICE_CALLS),
            m.JobKind.DEFECT_REPAIR: "Repair of reported defect",
            m.JobKind.FIXED_PRICE: "Fixed-price equipment upgrade",
        }[kind]
        self._job(
            tid,
            site_id,
            kind,
            stage,
            description,
            created=self.at(days_ago),
            asset_id=self.rng.choice(assets) if assets else None,
            scheduled=scheduled,
            completed=min(scheduled or self.today, self.today) if done else None,
            technician=self.rng.choice(techs) if techs and stage != m.JobStage.ON_HOLD else None,
        )

    def _lines(
        self, model: type, parent: str, parent_id: int, tid: int, bounds: tuple[int, int]
    ) -> tuple[int, int, int]:
        subtotal = 0
        for pos in range(self.between(bounds)):
            qty = Decimal(self.rng.choice([1, 1, 1, 2, 3, 4]))
            unit = self.rng.choice([4500, 8900, 12000, 18550, 26000, 49900, 75000])
            total = int(qty * unit)
            subtotal += total
            self.add(
                model,
                tenant_id=tid,
                external_id=None,
                **{parent: parent_id},
                position=pos,
                description=self.rng.choice(
                    ["Labour (hours)", "Replacement part", "Chemicals", "Call-out fee", "Equipment"]
                ),
                quantity=qty,
                unit_price_cents=unit,
                total_cents=total,
            )
        tax = int((Decimal(subtotal) * TAX_RATE).quantize(Decimal(1)))
        return subtotal, tax, subtotal + tax

    def _quote(self, tid: int, site_id: int, lines: tuple[int, int]) -> None:
        kind = self.rng.choice(list(m.QuoteKind))
        status = self.rng.choices(list(m.QuoteStatus), weights=[10, 30, 30, 15, 15])[0]
        days_ago = self.rng.randint(0, 330)
        if status == m.QuoteStatus.EXPIRED:
            days_ago = max(days_ago, 31)  # its 30 days are over
        issued = None if status == m.QuoteStatus.DRAFT else self.today - timedelta(days=days_ago)
        expires = issued + timedelta(days=30) if issued else None
        if status == m.QuoteStatus.AWAITING_ACCEPTANCE and expires and expires < self.today:
            expires = self.today + timedelta(days=self.rng.randint(1, 30))
        decided = status in (m.QuoteStatus.APPROVED, m.QuoteStatus.DECLINED)
        qid = self.add(
            m.Quote,
            tenant_id=tid,
            external_id=None,
            number=self.number("Q", tid),
            site_id=site_id,
            kind=kind,
            status=status,
            title=self.rng.choice(QUOTE_TITLES[kind]),
            issued_on=issued,
            expires_on=expires,
            subtotal_cents=0,
            tax_rate_bp=TAX_RATE_BP,
            tax_cents=0,
            total_cents=0,
            decided_at=self.at(max(days_ago - 3, 0)) if decided else None,
            decided_by_portal_user_id=None,
            approver_name=self.person() if status == m.QuoteStatus.APPROVED else None,
            approver_reference=None,
            decline_comment="Too expensive for this season." if status == m.QuoteStatus.DECLINED else None,
            created_at=self.at(days_ago + 1),
        )
        self._set_totals(m.Quote, qid, self._lines(m.QuoteLine, "quote_id", qid, tid, lines))

    def _invoice(self, tid: int, site_id: int, lines: tuple[int, int]) -> None:
        status = self.rng.choices(list(m.InvoiceStatus), weights=[8, 27, 60, 5])[0]
        days_ago = self.rng.randint(0, 365)
        issued = None if status == m.InvoiceStatus.DRAFT else self.today - timedelta(days=days_ago)
        iid = self.add(
            m.Invoice,
            tenant_id=tid,
            external_id=None,
            number=self.number("INV", tid),
            site_id=site_id,
            job_id=None,
            status=status,
            issued_on=issued,
            due_on=issued + timedelta(days=30) if issued else None,
            paid_on=issued + timedelta(days=self.rng.randint(5, 40)) if status == m.InvoiceStatus.PAID else None,
            subtotal_cents=0,
            tax_rate_bp=TAX_RATE_BP,
            tax_cents=0,
            total_cents=0,
            customer_po=None,
            created_at=self.at(days_ago + 1),
        )
        self._set_totals(m.Invoice, iid, self._lines(m.InvoiceLine, "invoice_id", iid, tid, lines))

    def _set_totals(self, model: type, row_id: int, totals: tuple[int, int, int]) -> None:
        row = self.rows[model][-1]
        assert row["id"] == row_id
        row["subtotal_cents"], row["tax_cents"], row["total_cents"] = totals

    def document(self, tid: int, site_id: int, tenant_name: str, brand: str, title: str, *, published: bool) -> None:
        from pool_portal.services.infra import pdf, storage

        site = self.rows[m.Site][site_id - self.rows[m.Site][0]["id"]]
        data = pdf.simple_document(
            tenant_name,
            brand,
            title,
            [
                f"Property: {site['name']}, {site['address']}, {site['city']}.",
                "The installation was inspected and found to meet the applicable safety requirements.",
            ],
        )
        self.add(
            m.Document,
            tenant_id=tid,
            external_id=None,
            site_id=site_id,
            title=title,
            filename=title.lower().replace(" ", "-") + ".pdf",
            content_type="application/pdf",
            size_bytes=len(data),
            storage_key=storage.save(data, "documents", "pdf"),
            is_published=published,
            uploaded_by_staff_id=None,
            created_at=self.at(30),
        )

    # -- incidents ------------------------------------------------------------------
    def incident(
        self,
        tid: int,
        client_id: int,
        site_id: int,
        reporter: int | None,
        admin: int,
        *,
        days_ago: int,
        solved: bool,
        replied: bool,
        technician: int | None,
    ) -> None:
        category, text_ = self.rng.choice(INCIDENTS)
        created = self.at(days_ago, 10)
        ref = self._reference(created.year)
        iid = self.add(
            m.Incident,
            tenant_id=tid,
            external_id=None,
            reference=ref,
            client_id=client_id,
            site_id=site_id,
            category=category,
            priority=m.Priority.HIGH,
            description=text_,
            state=m.IncidentState.SOLVED if solved else m.IncidentState.OPEN,
            resolution_note="Replaced the faulty part and checked the installation." if solved else None,
            solved_at=self.at(max(days_ago - 2, 0), 16) if solved else None,
            reported_by_portal_user_id=reporter,
            assigned_staff_id=admin,
            created_at=created,
            updated_at=self.at(max(days_ago - 2, 0), 16) if (solved or replied) else created,
        )
        self.add(
            m.Visit,
            tenant_id=tid,
            external_id=None,
            site_id=site_id,
            job_id=None,
            incident_id=iid,
            status=m.VisitStatus.DONE if solved else (m.VisitStatus.SCHEDULED if replied else m.VisitStatus.PENDING),
            scheduled_for=self.at(max(days_ago - 3, -3), 9) if (solved or replied) else None,
            technician_id=technician if (solved or replied) else None,
            notes=None,
            created_at=created,
        )
        self.add(
            m.Notification,
            tenant_id=tid,
            kind=m.NotificationKind.MANUAL_INCIDENT,
            staff_user_id=admin,
            portal_user_id=None,
            title=f"New incident {ref}",
            body=text_[:200],
            link=incident_admin_path(iid),
            incident_id=iid,
            is_read=solved,
            emailed_at=None,
            created_at=created,
        )
        if replied or solved:
            self.add(
                m.IncidentTask,
                tenant_id=tid,
                external_id=None,
                incident_id=iid,
                title="Check the installation on site",
                is_done=solved,
                assigned_staff_id=technician,
                created_at=created,
                done_at=self.at(days_ago - 2) if solved else None,
            )
            self._message(
                tid,
                iid,
                m.MessageAuthor.STAFF,
                admin,
                "We have received your report and a technician will visit.",
                self.at(max(days_ago - 1, 0), 11),
            )
            self._message(
                tid,
                iid,
                m.MessageAuthor.STAFF,
                admin,
                "Internal: bring a spare pump seal.",
                self.at(max(days_ago - 1, 0), 11),
                internal=True,
            )
            if reporter:
                self._message(
                    tid,
                    iid,
                    m.MessageAuthor.CLIENT,
                    reporter,
                    "Thank you, we will leave the plant room open.",
                    self.at(max(days_ago - 1, 0), 12),
                )

    def _reference(self, year: int) -> str:
        """``INC-<year>-<6 upper-case letters/digits>``, unique (references are unique)."""
        while True:
            ref = f"INC-{year}-{''.join(self.rng.choices(string.ascii_uppercase + string.digits, k=6))}"
            if ref not in self.references:
                self.references.add(ref)
                return ref

    def _message(
        self,
        tid: int,
        incident_id: int,
        author: m.MessageAuthor,
        who: int,
        body: str,
        at: datetime,
        internal: bool = False,
    ) -> None:
        self.add(
            m.IncidentMessage,
            tenant_id=tid,
            external_id=None,
            incident_id=incident_id,
            author_kind=author,
            portal_user_id=who if author == m.MessageAuthor.CLIENT else None,
            staff_user_id=who if author == m.MessageAuthor.STAFF else None,
            body=body,
            is_internal=internal,
            created_at=at,
        )


# -- the tenants --------------------------------------------------------------------------
def _aquademo(b: Builder) -> None:
    tid = b.tenant("AquaDemo", "aquademo", "#0e7490")
    admin = b.staff(tid, "admin@aquademo.example.com", "Ana García", m.StaffRole.ADMIN)
    b.staff(tid, "office@aquademo.example.com", "Olga Martín", m.StaffRole.OFFICE)
    techs = [
        b.staff(tid, "tech@aquademo.example.com", "Tomás Ruiz", m.StaffRole.TECHNICIAN),
        b.staff(tid, "tech2@aquademo.example.com", "Irene Soler", m.StaffRole.TECHNICIAN),
    ]
    parent = b.group(tid, "Mediterranean Hotels Group")
    regional = b.group(tid, "Costa Blanca Hotels", parent)
    sites_of: dict[int, list[int]] = {}

    hotels = [b.client(tid, name) for name in HOTELS]
    for i, cid in enumerate(hotels):
        b.member(tid, regional if i >= 6 else parent, cid)
        town = TOWNS[(i * 3) % len(TOWNS)]
        sites_of[cid] = [b.site(tid, cid, f"{HOTELS[i]} – {pool}", town) for pool in POOL_NAMES[: b.rng.randint(2, 3)]]

    costa = b.client(tid, "Costa Azul Residences")
    sites_of[costa] = [
        b.site(tid, costa, f"Costa Azul – {name}", TOWNS[12]) for name in ("Main pool", "Children's pool", "Spa pool")
    ]
    for i, name in enumerate(COMMUNITIES + OTHERS):  # residential communities have two pools
        cid = b.client(tid, name)
        town = TOWNS[(i * 5 + 1) % len(TOWNS)]
        count = 2 if i < len(COMMUNITIES) else 1
        # One site without coordinates: the map must cope.
        sites_of[cid] = [
            b.site(tid, cid, f"{name} – {POOL_NAMES[k]}", town, coords=(i, k) != (7, 0)) for k in range(count)
        ]

    for sites in sites_of.values():
        for site_id in sites:
            b.fill_site(tid, site_id, Density(), techs)

    carla = b.portal_user(tid, "client@aquademo.example.com", "Carla Pérez", password=True)
    b.membership(tid, carla, client_id=costa)
    hugo = b.portal_user(tid, "group@aquademo.example.com", "Hugo Navarro", password=True)
    b.membership(tid, hugo, group_id=parent)
    # Contacts not yet invited (for the admin's invitation screens).
    for i, cid in enumerate(list(sites_of)[11:21]):
        first, last = FIRST_NAMES[i % len(FIRST_NAMES)], LAST_NAMES[(i * 5) % len(LAST_NAMES)]
        uid = b.portal_user(
            tid,
            f"{_ascii(first)}.{_ascii(last)}{i}@example.com",
            f"{first} {last}",
            password=False,
            language="es" if i % 2 else "en",
        )
        b.membership(tid, uid, client_id=cid, role=m.MembershipRole.SITE)

    # Files shared on some properties (published), and one kept internal.
    shared = sites_of[costa] + [sid for cid in hotels[:3] for sid in sites_of[cid]]
    for i, site_id in enumerate(shared):
        b.document(tid, site_id, "AquaDemo", "#0e7490", "Pool safety certificate", published=True)
        if i == 0:
            b.document(tid, site_id, "AquaDemo", "#0e7490", "Internal inspection notes", published=False)

    plan = [
        (costa, carla, 2, False, False),
        (costa, carla, 9, False, True),
        (costa, carla, 40, True, True),
        (hotels[0], hugo, 5, False, True),
        (hotels[7], hugo, 1, False, False),
    ]
    for cid, reporter, days_ago, solved, replied in plan:
        b.incident(
            tid,
            cid,
            b.rng.choice(sites_of[cid]),
            reporter,
            admin,
            days_ago=days_ago,
            solved=solved,
            replied=replied,
            technician=techs[0],
        )


def _ascii(name: str) -> str:
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()


def _bluewave(b: Builder) -> None:
    tid = b.tenant("BlueWave", "bluewave", "#1d4ed8")
    admin = b.staff(tid, "admin@bluewave.example.com", "Bruno Lara", m.StaffRole.ADMIN)
    towns = [
        ("Málaga", "29016", 36.7213, -4.4214),
        ("Marbella", "29602", 36.5101, -4.8825),
        ("Estepona", "29680", 36.4276, -5.1463),
        ("Nerja", "29780", 36.7580, -3.8740),
    ]
    clients = [
        b.client(tid, name)
        for name in ("Villa Sol de Málaga", "Comunidad Puerto Banús", "Hotel Alborán", "Residencial Nerja Mar")
    ]
    first_site = None
    for i, cid in enumerate(clients):
        for k in range(1 + (i % 2)):
            sid = b.site(tid, cid, f"{b.rows[m.Client][-len(clients) + i]['name']} – {POOL_NAMES[k]}", towns[i])
            first_site = first_site or sid
            b.fill_site(tid, sid, Density(), [])
    user = b.portal_user(tid, "client@bluewave.example.com", "Bea Moreno", password=True)
    b.membership(tid, user, client_id=clients[0])
    b.incident(tid, clients[0], first_site, user, admin, days_ago=3, solved=False, replied=True, technician=None)


def _megapools(b: Builder) -> None:
    tid = b.tenant("MegaPools", "megapools", "#7c3aed")
    admin = b.staff(tid, "admin@megapools.example.com", "Marta Vidal", m.StaffRole.ADMIN)
    techs = [b.staff(tid, f"tech{i}@megapools.example.com", b.person(), m.StaffRole.TECHNICIAN) for i in range(5)]
    group = b.group(tid, "MegaPools National Group")
    user = b.portal_user(tid, "group@megapools.example.com", "Gonzalo Ferrer", password=True)
    b.membership(tid, user, group_id=group)
    for c in range(200):
        cid = b.client(tid, f"Mega Client {c + 1:03d}")
        b.member(tid, group, cid)
        # Each client's own contact (the websocket load signs in as 200 different customers).
        contact = b.portal_user(
            tid, f"contact{c + 1:03d}@megapools.example.com", f"Mega Client {c + 1:03d} contact", password=True
        )
        b.membership(tid, contact, client_id=cid)
        for s in range(5):
            sid = b.site(tid, cid, f"Mega Client {c + 1:03d} – Pool {s + 1}", TOWNS[(c + s) % len(TOWNS)])
            b.fill_site(tid, sid, LARGE, techs)
            for k in range(LARGE.incidents[0]):
                b.incident(
                    tid,
                    cid,
                    sid,
                    user,
                    admin,
                    days_ago=b.rng.randint(0, 300),
                    solved=k == 0,
                    replied=False,
                    technician=None,
                )


# -- loading -----------------------------------------------------------------------------------
def database_is_empty(engine: Engine) -> bool:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(m.Tenant)).scalar_one() == 0


def _delete_all(conn) -> None:
    """Empty every table (TABLES and anything else on the metadata), children first."""
    tables = SQLModel.metadata.sorted_tables
    if conn.dialect.name == "postgresql":
        # One TRUNCATE skips the per-row foreign-key triggers: DELETE took 30 s on the
        # large demo (quote_line.remark_id has no index, so each remark scanned quote_line).
        quote = conn.dialect.identifier_preparer.quote
        conn.execute(text(f"TRUNCATE {', '.join(quote(t.name) for t in tables)} RESTART IDENTITY"))
        return
    for table in reversed(tables):
        conn.execute(table.delete())


def _first_ids(conn) -> dict[type, int]:
    return {model: (conn.execute(select(func.max(model.id))).scalar() or 0) + 1 for model in TABLES}


def load_demo(
    engine: Engine, scale: str = "small", reset: bool = False, *, today: date | None = None
) -> dict[str, int]:
    """Load the demo data into a migrated database, in one transaction.

    Raises DemoDataExists (writing nothing) when there is data and ``reset`` is False.
    Returns the number of rows written per table.
    """
    if scale not in ("small", "large"):
        raise ValueError("scale must be 'small' or 'large'")
    builder = Builder(rng=random.Random(SEED), today=today or date.today(), password_hash=hash_password(DEMO_PASSWORD))
    with engine.begin() as conn:
        if reset:
            _delete_all(conn)
        elif conn.execute(select(func.count()).select_from(m.Tenant)).scalar_one():
            raise DemoDataExists("the database already has data")
        builder.next_id = _first_ids(conn)
        _aquademo(builder)
        _bluewave(builder)
        if scale == "large":
            _megapools(builder)
        counts = {}
        for model in TABLES:
            rows = builder.rows.get(model, [])
            for start in range(0, len(rows), CHUNK):
                conn.execute(insert(model), rows[start : start + CHUNK])
            counts[model.__tablename__] = len(rows)
        # Fresh statistics: without them SQLite's planner picks slow plans for the
        # dashboard's aggregates (measured: about 3x slower on the large demo).
        conn.execute(text("ANALYZE"))
        if conn.dialect.name == "postgresql":  # ids were given explicitly: move the sequences on
            for model in TABLES:
                table = model.__tablename__
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
                    )
                )
    return counts
