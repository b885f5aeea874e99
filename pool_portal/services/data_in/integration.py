"""Service data pushed from outside: idempotent upserts by external id, reads and
paged lists, for the integration REST API (api/integration.py) and the CSV import
(services/csv_import.py). The rules live here once: what a record must have, how
references between records are named, how totals follow from lines.

- Every record is addressed by its ``external_id`` (the ERP's id, unique per
  tenant); a PUT of the same record twice leaves one row. The body is the whole
  record: a field left out gets its default.
- References name the other record's external id (``site_external_id`` ...); one
  that the tenant does not have is an error on that field, so nothing can be
  attached to another tenant's data. Assets, reports and jobs referred to from a
  record must be on the same site.
- Quote and invoice totals are computed from their lines (integer cents; a line is
  quantity x unit price rounded half up; tax is ``tax_rate_bp`` basis points of the
  subtotal); the lines sent replace the stored ones.
- Errors are ``FieldError`` (field path, code, English message): the API turns
  them into problem details, the import page into translated messages per row.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, select

from pool_portal.models import (
    Asset,
    Client,
    Document,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    Job,
    JobKind,
    JobStage,
    Quote,
    QuoteKind,
    QuoteLine,
    QuoteStatus,
    Remark,
    RemarkStatus,
    Report,
    ReportStatus,
    Severity,
    Site,
    StaffUser,
    utcnow,
)
from pool_portal.services.core import pricing, record_rules
from pool_portal.services.core.params import MAX_ID, parse_int
from pool_portal.services.core.pricing import line_total
from pool_portal.services.infra import storage

EXTERNAL_ID = r"^[A-Za-z0-9._:~-]{1,100}$"
_EXTERNAL_ID = re.compile(EXTERNAL_ID)
MAX_CENTS = 2_000_000_000  # the money columns are 32-bit integers
MAX_LINES = 500
MAX_PAGE = 200
DEFAULT_PAGE = 50
MAX_PDF_BYTES = 10 * 1024 * 1024


# -- errors ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FieldError:
    field: str  # a dotted path in the record: "site_external_id", "lines.0.quantity"
    code: str  # "missing", "unknown_reference", pydantic's error type...
    message: str  # English; the import page shows a translation of the code


class Rejected(Exception):
    """The record was refused; nothing was written."""

    def __init__(self, errors: list[FieldError], status: int = 422, detail: str | None = None):
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))
        self.errors, self.status, self.detail = errors, status, detail


class NotFound(Exception):
    pass


def field_errors(errors: list[dict], drop_prefix: tuple[str, ...] = ()) -> list[FieldError]:
    """Pydantic's errors (``ValidationError.errors()``, FastAPI's too) as FieldErrors:
    the loc joined with dots, without a leading ``drop_prefix`` part ("body"...)."""
    out = []
    for err in errors:
        loc = list(err.get("loc") or ())
        if loc and loc[0] in drop_prefix:
            loc = loc[1:]
        if err.get("type") == "json_invalid":  # its loc is a character position
            loc = []
        out.append(
            FieldError(
                ".".join(str(p) for p in loc) or "body",
                str(err.get("type") or "invalid"),
                str(err.get("msg") or "invalid value"),
            )
        )
    return out


# -- field types ----------------------------------------------------------------------------------
def _printable(value: str) -> str:
    """No control characters (NUL breaks PostgreSQL text) except tabs and line breaks."""
    if any(ord(ch) < 32 and ch not in "\t\n\r" for ch in value) or "\x7f" in value:
        raise ValueError("must not contain control characters")
    return value


def _email(value: str) -> str:
    from pool_portal.services.identity.access import normalise_email

    address = normalise_email(value)
    if address is None:
        raise ValueError("is not a valid email address")
    return address


def Text(max_length: int, min_length: int = 0):  # noqa: N802 - a type factory
    return Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length),
        AfterValidator(_printable),
    ]


ExternalId = Annotated[str, StringConstraints(pattern=EXTERNAL_ID, max_length=100)]
Email = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=254), AfterValidator(_email)]


class _Record(BaseModel):
    """A record as pushed: unknown fields are refused (a typo must not pass silently)."""

    model_config = ConfigDict(extra="forbid")

    def _rules(self, broken: list[record_rules.Broken]):
        """Fail validation with each broken cross-field rule at its field (so problem
        details and the CSV report name it), as staff editing refuses them."""
        if broken:
            raise ValidationError.from_exception_data(
                type(self).__name__,
                [
                    InitErrorDetails(
                        type=PydanticCustomError(rule.code, rule.message),
                        loc=(rule.field,),
                        input=getattr(self, rule.field),
                    )
                    for rule in broken
                ],
            )
        return self


class ClientIn(_Record):
    name: Text(200, 1)
    email: Email | None = None
    phone: Text(40) | None = None
    billing_address: Text(400) | None = None
    is_active: bool = True


class SiteIn(_Record):
    client_external_id: ExternalId
    name: Text(200, 1)
    address: Text(300) = ""
    city: Text(120) = ""
    postcode: Text(20) = ""
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    notes: Text(2000) | None = None
    is_active: bool = True


class AssetIn(_Record):
    site_external_id: ExternalId
    asset_code: Text(60, 1)
    asset_type: Text(60, 1)
    model: Text(120) | None = None
    serial_number: Text(120) | None = None
    customer_ref: Text(120) | None = None
    location: Text(200) | None = None
    description: Text(1000) | None = None
    last_test_number: Text(60) | None = None
    last_test_date: date | None = None
    next_service_due: date | None = None
    is_active: bool = True


class RemarkIn(_Record):
    site_external_id: ExternalId
    asset_external_id: ExternalId | None = None
    report_external_id: ExternalId | None = None
    severity: Severity
    status: RemarkStatus = RemarkStatus.OPEN
    title: Text(200, 1)
    description: Text(4000) | None = None
    raised_on: date
    resolved_on: date | None = None
    is_published: bool = False

    @model_validator(mode="after")
    def _dates(self):
        return self._rules(record_rules.remark(self.status, self.raised_on, self.resolved_on))


class JobIn(_Record):
    number: Text(30, 1)
    site_external_id: ExternalId
    asset_external_id: ExternalId | None = None
    kind: JobKind
    stage: JobStage = JobStage.READY
    description: Text(4000, 1)
    notes: Text(4000) | None = None
    customer_po: Text(60) | None = None
    scheduled_date: date | None = None
    technician_email: Email | None = None
    due_date: date | None = None
    tolerance_days: int | None = Field(None, ge=0, le=365)
    completed_on: date | None = None

    @model_validator(mode="after")
    def _dates(self):
        return self._rules(record_rules.job(self.kind, self.due_date, self.tolerance_days))


class LineIn(_Record):
    description: Text(500, 1)
    quantity: Decimal = Field(Decimal(1), gt=0, le=1_000_000, decimal_places=3)
    unit_price_cents: int = Field(..., ge=-100_000_000, le=100_000_000)


class _Priced(_Record):
    tax_rate_bp: int = Field(0, ge=0, le=10_000, description="tax on the subtotal in basis points: 2100 = 21 %")
    lines: list[LineIn] = Field(default_factory=list, max_length=MAX_LINES)


class QuoteIn(_Priced):
    number: Text(30, 1)
    site_external_id: ExternalId
    kind: QuoteKind
    status: QuoteStatus = QuoteStatus.DRAFT
    title: Text(200, 1)
    issued_on: date | None = None
    expires_on: date | None = None

    @model_validator(mode="after")
    def _dates(self):
        return self._rules(record_rules.quote(self.issued_on, self.expires_on))


class InvoiceIn(_Priced):
    number: Text(30, 1)
    site_external_id: ExternalId
    job_external_id: ExternalId | None = None
    status: InvoiceStatus = InvoiceStatus.DRAFT
    issued_on: date | None = None
    due_on: date | None = None
    paid_on: date | None = None
    customer_po: Text(60) | None = None

    @model_validator(mode="after")
    def _dates(self):
        return self._rules(record_rules.invoice(self.issued_on, self.due_on))


class ReportIn(_Record):
    number: Text(30, 1)
    site_external_id: ExternalId
    job_external_id: ExternalId | None = None
    title: Text(200, 1)
    summary: Text(8000) | None = None
    status: ReportStatus = ReportStatus.DRAFT
    report_date: date


# -- what the API answers ------------------------------------------------------------------------
# Plain types, no input constraints: a record typed in by staff is answered as it is.
class _Out(BaseModel):
    external_id: str | None


class ClientOut(_Out):
    name: str
    email: str | None = None
    phone: str | None = None
    billing_address: str | None = None
    is_active: bool


class SiteOut(_Out):
    client_external_id: str | None
    name: str
    address: str
    city: str
    postcode: str
    latitude: float | None = None
    longitude: float | None = None
    notes: str | None = None
    is_active: bool


class AssetOut(_Out):
    site_external_id: str | None
    asset_code: str
    asset_type: str
    model: str | None = None
    serial_number: str | None = None
    customer_ref: str | None = None
    location: str | None = None
    description: str | None = None
    last_test_number: str | None = None
    last_test_date: date | None = None
    next_service_due: date | None = None
    is_active: bool


class RemarkOut(_Out):
    site_external_id: str | None
    asset_external_id: str | None = None
    report_external_id: str | None = None
    severity: Severity
    status: RemarkStatus
    title: str
    description: str | None = None
    raised_on: date
    resolved_on: date | None = None
    is_published: bool


class JobOut(_Out):
    number: str
    site_external_id: str | None
    asset_external_id: str | None = None
    kind: JobKind
    stage: JobStage
    description: str
    notes: str | None = None
    customer_po: str | None = None
    scheduled_date: date | None = None
    technician_email: str | None = None
    due_date: date | None = None
    tolerance_days: int | None = None
    completed_on: date | None = None


class LineOut(BaseModel):
    description: str
    quantity: Decimal
    unit_price_cents: int
    total_cents: int


class _PricedOut(_Out):
    number: str
    site_external_id: str | None
    tax_rate_bp: int
    subtotal_cents: int
    tax_cents: int
    total_cents: int
    lines: list[LineOut]


class QuoteOut(_PricedOut):
    kind: QuoteKind
    status: QuoteStatus
    title: str
    issued_on: date | None = None
    expires_on: date | None = None
    decided_at: datetime | None = None
    approver_name: str | None = None
    approver_reference: str | None = None
    decline_comment: str | None = None


class InvoiceOut(_PricedOut):
    job_external_id: str | None = None
    status: InvoiceStatus
    issued_on: date | None = None
    due_on: date | None = None
    paid_on: date | None = None
    customer_po: str | None = None
    has_pdf: bool


class ReportOut(_Out):
    number: str
    site_external_id: str | None
    job_external_id: str | None = None
    title: str
    summary: str | None = None
    status: ReportStatus
    report_date: date
    approved_at: datetime | None = None


# -- the kinds of record ----------------------------------------------------------------------------
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
    schema_in: type[_Record]
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

_LABELS = {Client: "client", Site: "site", Asset: "asset", Report: "report", Job: "job", StaffUser: "staff user"}


def check_external_id(value: Any, name: str = "external_id") -> str:
    """The external id as given, or Rejected naming ``name``."""
    if not isinstance(value, str) or not _EXTERNAL_ID.fullmatch(value):
        raise Rejected([FieldError(name, "external_id", "must be 1 to 100 letters, digits or . _ : ~ -")])
    return value


def parse(kind: str, data: dict) -> _Record:
    """A record of ``kind`` from plain data; Rejected with every field error."""
    try:
        return KINDS[kind].schema_in.model_validate(data)
    except ValidationError as exc:
        raise Rejected(field_errors(exc.errors())) from None


def _find(db: Session, model: type[SQLModel], tenant_id: int, key: str, value: str):
    return db.exec(select(model).where(model.tenant_id == tenant_id, getattr(model, key) == value)).first()


# -- writing ----------------------------------------------------------------------------------------
def totals(lines: list[tuple[Decimal, int]], tax_rate_bp: int) -> tuple[int, int, int, list[int]]:
    """(subtotal, tax, total, each line's total) in cents (services.pricing's rules)."""
    each = [line_total(q, u) for q, u in lines]
    return (*pricing.totals(each, tax_rate_bp), each)


@dataclass
class Upserted:
    row: SQLModel | None  # None only in a dry run of a new record
    created: bool
    previous_status: object = None  # the record's status before this write (None: new)


def upsert(
    db: Session,
    tenant_id: int,
    kind: str,
    external_id: str,
    record: _Record | dict,
    now: datetime | None = None,
    *,
    dry_run: bool = False,
    refs: dict | None = None,
) -> Upserted:
    """Create or update the tenant's ``kind`` record with this external id. Raises
    Rejected (nothing written by this call) when a field or reference is wrong.
    ``dry_run``: every check, no write (``row`` is the existing record or None).
    ``refs``: a dict kept across calls, caching the records referred to (an import
    names the same client on many rows)."""
    spec = KINDS[kind]
    check_external_id(external_id)
    if isinstance(record, dict):
        record = parse(kind, record)
    row = _find(db, spec.model, tenant_id, "external_id", external_id)
    created = row is None
    previous_status = getattr(row, "status", None)
    errors: list[FieldError] = []

    resolved: dict[str, SQLModel | None] = {}
    for name, ref in spec.refs.items():
        value = getattr(record, name)
        other = None
        if value is not None:
            cache_key = (ref.model, ref.key, value)
            other = refs.get(cache_key) if refs is not None else None
            if other is None:
                other = _find(db, ref.model, tenant_id, ref.key, value)
                if refs is not None and other is not None:
                    refs[cache_key] = other
        if value is not None and other is None:
            what = _LABELS[ref.model]
            errors.append(FieldError(name, "unknown_reference", f"no {what} with {ref.key} {value!r}"))
        resolved[name] = other
    site = resolved.get("site_external_id")
    for name, ref in spec.refs.items():
        other = resolved[name]
        if ref.same_site and other is not None and site is not None and other.site_id != site.id:
            errors.append(FieldError(name, "other_site", f"that {_LABELS[ref.model]} is on another site"))

    values = record.model_dump(exclude={*spec.refs, "lines", "tax_rate_bp"})
    if "number" in values:
        same_number = select(spec.model.id).where(
            spec.model.tenant_id == tenant_id, spec.model.number == values["number"]
        )
        if row is not None:
            same_number = same_number.where(spec.model.id != row.id)
        taken = db.exec(same_number).first()
        if taken is not None:
            errors.append(FieldError("number", "number_taken", f"another {spec.label} has number {values['number']!r}"))
    if isinstance(row, Quote) and _answered(row):
        changed = _answered_quote_changes(db, row, values, record, site)
        if changed:
            answer = row.status.value.lower() if row.status in _ANSWERED else "answered"
            raise Rejected(
                [FieldError(name, "answered", f"quote {row.number} is {answer}: it cannot change") for name in changed],
                status=409,
                detail=f"Quote {row.number} ({external_id}) is {answer}: once the client has answered, "
                f"its content cannot change; nothing was changed",
            )
        if not errors:  # the same content again: idempotent, nothing rewritten
            return Upserted(row, False, previous_status)
    priced = None
    if spec.lines is not None:
        subtotal, tax, total, each = totals(
            [(ln.quantity, ln.unit_price_cents) for ln in record.lines], record.tax_rate_bp
        )
        if max(abs(subtotal), abs(total), *(abs(x) for x in each), 0) > MAX_CENTS:
            errors.append(FieldError("lines", "too_large", "the total is too large"))
        priced = subtotal, tax, total, each
    if errors:
        raise Rejected(errors)
    if dry_run:
        return Upserted(row, created, previous_status)

    if row is None:
        row = spec.model(tenant_id=tenant_id, external_id=external_id)
    for name, value in values.items():
        setattr(row, name, value)
    for name, ref in spec.refs.items():
        other = resolved[name]
        setattr(row, ref.fk, other.id if other is not None else None)
    if isinstance(row, Report):
        approved = record.status == ReportStatus.APPROVED
        row.approved_at = (row.approved_at or now or utcnow()) if approved else None
    if priced is not None:
        row.subtotal_cents, row.tax_cents, row.total_cents = priced[:3]
        row.tax_rate_bp = record.tax_rate_bp
    db.add(row)
    db.flush()
    if priced is not None:
        db.execute(delete(spec.lines).where(getattr(spec.lines, spec.line_parent) == row.id))
        for pos, (line, line_cents) in enumerate(zip(record.lines, priced[3], strict=True)):
            db.add(
                spec.lines(
                    tenant_id=tenant_id,
                    **{spec.line_parent: row.id},
                    position=pos,
                    description=line.description,
                    quantity=line.quantity,
                    unit_price_cents=line.unit_price_cents,
                    total_cents=line_cents,
                )
            )
        db.flush()
    return Upserted(row, created, previous_status)


_ANSWERED = (QuoteStatus.APPROVED, QuoteStatus.DECLINED)


def _answered(quote: Quote) -> bool:
    """Approved or declined (by the client in the portal, or so pushed): final."""
    return quote.decided_at is not None or quote.status in _ANSWERED


def _answered_quote_changes(db: Session, quote: Quote, values: dict, record: QuoteIn, site: Site | None) -> list[str]:
    """The fields of ``record`` that differ from the answered ``quote``: its status,
    site, title, dates, tax and lines are what the client said yes or no to."""
    changed = [name for name, value in values.items() if getattr(quote, name) != value]
    if site is not None and site.id != quote.site_id:
        changed.append("site_external_id")
    if record.tax_rate_bp != quote.tax_rate_bp:
        changed.append("tax_rate_bp")
    stored = db.exec(
        select(QuoteLine).where(QuoteLine.quote_id == quote.id).order_by(QuoteLine.position, QuoteLine.id)
    ).all()
    if [(ln.description, Decimal(ln.quantity), ln.unit_price_cents) for ln in stored] != [
        (ln.description, ln.quantity, ln.unit_price_cents) for ln in record.lines
    ]:
        changed.append("lines")
    return changed


# A push that puts a document where the client can see it tells the client, as staff
# editing does: (kind, the status that shows it) -> client_notify event.
_SHOWN = {
    ("quotes", QuoteStatus.AWAITING_ACCEPTANCE): "quote_sent",
    ("invoices", InvoiceStatus.AWAITING_PAYMENT): "invoice_issued",
    ("reports", ReportStatus.APPROVED): "report_approved",
}


def _client_event(kind: str, done: Upserted) -> str | None:
    status = getattr(done.row, "status", None)
    if status is None or status == done.previous_status:
        return None
    return _SHOWN.get((kind, status))


def save(
    session_factory: Callable,
    tenant_id: int,
    kind: str,
    external_id: str,
    record: _Record,
    actor_key_id: int | None = None,
) -> dict:
    """Upsert in its own transaction (audited as the API key's act) and answer the
    record as the API shows it, with ``created``. Two pushes of the same new record at
    once: the second one's insert hits the unique constraint and is run again, as an
    update."""
    from pool_portal.services.staff import client_notify

    for attempt in range(2):
        try:
            with session_factory() as db:
                done = upsert(db, tenant_id, kind, external_id, record)
                _audit(
                    db,
                    tenant_id,
                    actor_key_id,
                    f"api.{kind}.{'created' if done.created else 'updated'}",
                    KINDS[kind].label,
                    external_id,
                )
                event, mails = _client_event(kind, done), []
                if event is not None:
                    site = db.get(Site, done.row.site_id)
                    label = getattr(done.row, "number", None) or getattr(done.row, "title", "") or external_id
                    mails = client_notify.notify(db, tenant_id, site, event, label)
                answer = {"created": done.created, "record": present(db, kind, [done.row])[0]}
            client_notify.send(mails)  # after the commit: nothing is mailed about a rolled-back write
            return answer
        except IntegrityError:
            if attempt:
                raise Rejected(
                    [FieldError("external_id", "conflict", "changed by another request; try again")], status=409
                ) from None
    raise AssertionError("unreachable")


def _audit(db: Session, tenant_id: int, key_id: int | None, action: str, target_type: str, target: str) -> None:
    from pool_portal.services.core import audit

    audit.record(
        db,
        action,
        tenant_id=tenant_id,
        actor_kind="api",
        actor_id=key_id,
        target_type=target_type,
        target_id=target[:64],
    )


def attach_invoice_pdf(
    db: Session,
    tenant_id: int,
    external_id: str,
    data: bytes,
    filename: str | None = None,
    max_bytes: int = MAX_PDF_BYTES,
    actor_key_id: int | None = None,
) -> tuple[Invoice, str | None]:
    """Store the ERP's PDF of an invoice privately (a Document on its site, not
    published) and serve it instead of the generated one. Returns (invoice, the
    storage key of the PDF it replaces, to delete once committed)."""
    invoice = _find(db, Invoice, tenant_id, "external_id", external_id)
    if invoice is None:
        raise NotFound()
    if len(data) > max_bytes:
        raise Rejected([FieldError("body", "too_large", f"the PDF is larger than {max_bytes} bytes")], status=413)
    if not data.startswith(b"%PDF-"):
        raise Rejected([FieldError("body", "not_pdf", "the body is not a PDF")])
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", filename or "").strip(".-")[:100] or f"invoice-{invoice.number}.pdf"
    key = storage.save(data, "documents", "pdf")
    doc = db.get(Document, invoice.pdf_document_id) if invoice.pdf_document_id else None
    old_key = doc.storage_key if doc is not None else None
    if doc is None:
        doc = Document(
            tenant_id=tenant_id,
            site_id=invoice.site_id,
            title=f"Invoice {invoice.number}",
            filename=name,
            content_type="application/pdf",
            storage_key=key,
            is_published=False,
        )
    doc.site_id, doc.filename, doc.storage_key, doc.size_bytes = invoice.site_id, name, key, len(data)
    db.add(doc)
    db.flush()
    invoice.pdf_document_id = doc.id
    db.add(invoice)
    db.flush()
    _audit(db, tenant_id, actor_key_id, "api.invoices.pdf", "invoice", external_id)
    return invoice, old_key


# -- reading ----------------------------------------------------------------------------------------
def _keys(db: Session, ref: Ref, ids: set[int]) -> dict[int, str | None]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return dict(db.exec(select(ref.model.id, getattr(ref.model, ref.key)).where(ref.model.id.in_(ids))).all())


def present(db: Session, kind: str, rows: list) -> list[dict]:
    """Rows as the API answers them: references by the other record's external id,
    quotes and invoices with their lines. A few queries per page, none per row."""
    spec = KINDS[kind]
    keys = {name: _keys(db, ref, {getattr(r, ref.fk) for r in rows}) for name, ref in spec.refs.items()}
    lines: dict[int, list] = {}
    if spec.lines is not None and rows:
        parent = getattr(spec.lines, spec.line_parent)
        for line in db.exec(
            select(spec.lines)
            .where(parent.in_([r.id for r in rows]))
            .order_by(parent, spec.lines.position, spec.lines.id)
        ).all():
            lines.setdefault(getattr(line, spec.line_parent), []).append(line)
    out = []
    for r in rows:
        item = r.model_dump()
        for name, ref in spec.refs.items():
            item[name] = keys[name].get(getattr(r, ref.fk))
        if spec.lines is not None:
            item["lines"] = [
                {
                    "description": ln.description,
                    "quantity": ln.quantity,
                    "unit_price_cents": ln.unit_price_cents,
                    "total_cents": ln.total_cents,
                }
                for ln in lines.get(r.id, [])
            ]
        if isinstance(r, Invoice):
            item["has_pdf"] = r.pdf_document_id is not None
        out.append(spec.schema_out.model_validate(item).model_dump(mode="json"))
    return out


def get(db: Session, tenant_id: int, kind: str, external_id: str) -> dict:
    """The tenant's record, or NotFound (also for another tenant's external id)."""
    spec = KINDS[kind]
    row = _find(db, spec.model, tenant_id, "external_id", external_id) if _EXTERNAL_ID.fullmatch(external_id) else None
    if row is None:
        raise NotFound()
    return present(db, kind, [row])[0]


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"after:{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, _, raw = text.partition(":")
        after = parse_int(raw, 0, MAX_ID)
        if kind == "after" and after is not None:
            return after
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise Rejected([FieldError("cursor", "invalid_cursor", "not a cursor this API gave out")])


def page(db: Session, tenant_id: int, kind: str, cursor: str | None = None, limit: int = DEFAULT_PAGE) -> dict:
    """One page of the tenant's records in a stable order (by internal id) and the
    cursor of the next page (None on the last)."""
    spec = KINDS[kind]
    limit = max(1, min(int(limit), MAX_PAGE))
    query = select(spec.model).where(spec.model.tenant_id == tenant_id)
    if cursor:
        query = query.where(spec.model.id > decode_cursor(cursor))
    rows = list(db.exec(query.order_by(spec.model.id).limit(limit + 1)).all())
    more = len(rows) > limit
    rows = rows[:limit]
    return {"items": present(db, kind, rows), "next_cursor": encode_cursor(rows[-1].id) if more else None}
