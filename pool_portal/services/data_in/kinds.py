"""The kinds of record pushed from outside (``KINDS``: clients, sites, assets,
remarks, jobs, quotes, invoices, reports): each one's table, its pydantic schemas,
the references it makes by another record's external id, and its lines. With the
lookups every write and read shares: an external id checked, a record parsed, a row
found within the tenant."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlmodel import Session, SQLModel, select

from pool_portal.models import (
    Asset,
    Client,
    Invoice,
    InvoiceLine,
    Job,
    Quote,
    QuoteLine,
    Remark,
    Report,
    Site,
    StaffUser,
)
from pool_portal.services.data_in.errors import FieldError, Rejected, field_errors
from pool_portal.services.data_in.schemas import (
    EXTERNAL_ID,
    AssetIn,
    AssetOut,
    ClientIn,
    ClientOut,
    InvoiceIn,
    InvoiceOut,
    JobIn,
    JobOut,
    QuoteIn,
    QuoteOut,
    Record,
    RemarkIn,
    RemarkOut,
    ReportIn,
    ReportOut,
    SiteIn,
    SiteOut,
)

VALID_EXTERNAL_ID = re.compile(EXTERNAL_ID)


@dataclass(frozen=True)
class Ref:
    """A reference from a record to another one, by the other's ``key``."""

    model: type[SQLModel]
    fk: str  # the column on the record: "client_id"
    key: str = "external_id"
    same_site: bool = False  # the other record must be on the record's site


@dataclass(frozen=True)
class Kind:
    name: str  # the API's collection: "clients"
    label: str  # "client"
    model: type[SQLModel]
    schema_in: type[Record]
    schema_out: type[BaseModel]
    refs: dict[str, Ref] = field(default_factory=dict)
    lines: type[SQLModel] | None = None  # QuoteLine / InvoiceLine
    line_parent: str = ""


_SITE = Ref(Site, "site_id")
KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind("clients", "client", Client, ClientIn, ClientOut),
        Kind("sites", "site", Site, SiteIn, SiteOut, {"client_external_id": Ref(Client, "client_id")}),
        Kind("assets", "asset", Asset, AssetIn, AssetOut, {"site_external_id": _SITE}),
        Kind(
            "remarks",
            "remark",
            Remark,
            RemarkIn,
            RemarkOut,
            {
                "site_external_id": _SITE,
                "asset_external_id": Ref(Asset, "asset_id", same_site=True),
                "report_external_id": Ref(Report, "report_id", same_site=True),
            },
        ),
        Kind(
            "jobs",
            "job",
            Job,
            JobIn,
            JobOut,
            {
                "site_external_id": _SITE,
                "asset_external_id": Ref(Asset, "asset_id", same_site=True),
                "technician_email": Ref(StaffUser, "technician_id", key="email"),
            },
        ),
        Kind(
            "quotes",
            "quote",
            Quote,
            QuoteIn,
            QuoteOut,
            {"site_external_id": _SITE},
            lines=QuoteLine,
            line_parent="quote_id",
        ),
        Kind(
            "invoices",
            "invoice",
            Invoice,
            InvoiceIn,
            InvoiceOut,
            {"site_external_id": _SITE, "job_external_id": Ref(Job, "job_id", same_site=True)},
            lines=InvoiceLine,
            line_parent="invoice_id",
        ),
        Kind(
            "reports",
            "report",
            Report,
            ReportIn,
            ReportOut,
            {"site_external_id": _SITE, "job_external_id": Ref(Job, "job_id", same_site=True)},
        ),
    )
}

LABELS = {Client: "client", Site: "site", Asset: "asset", Report: "report", Job: "job", StaffUser: "staff user"}


def check_external_id(value: Any, name: str = "external_id") -> str:
    """The external id as given, or Rejected naming ``name``."""
    if not isinstance(value, str) or not VALID_EXTERNAL_ID.fullmatch(value):
        raise Rejected([FieldError(name, "external_id", "must be 1 to 100 letters, digits or . _ : ~ -")])
    return value


def parse(kind: str, data: dict) -> Record:
    """A record of ``kind`` from plain data; Rejected with every field error."""
    try:
        return KINDS[kind].schema_in.model_validate(data)
    except ValidationError as exc:
        raise Rejected(field_errors(exc.errors())) from None


def find(db: Session, model: type[SQLModel], tenant_id: int, key: str, value: str):
    """The tenant's row of ``model`` whose ``key`` is ``value``, or None."""
    return db.exec(select(model).where(model.tenant_id == tenant_id, getattr(model, key) == value)).first()
