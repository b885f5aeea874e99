"""The records as the integration API and the CSV import take them (``ClientIn`` ...,
pydantic, strict: unknown fields refused, text trimmed and free of control
characters, cross-field date rules of ``services.core.record_rules``) and as the API
answers them (``ClientOut`` ..., plain types). These are not the tables
(``pool_portal.models``): references go by the other record's external id, quotes and
invoices carry their lines."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from pool_portal.models import (
    InvoiceStatus,
    JobKind,
    JobStage,
    QuoteKind,
    QuoteStatus,
    RemarkStatus,
    ReportStatus,
    Severity,
)
from pool_portal.services.core import record_rules
from pool_portal.services.identity.access import normalise_email

EXTERNAL_ID = r"^[A-Za-z0-9._:~-]{1,100}$"
MAX_LINES = 500


# -- field types ----------------------------------------------------------------------------------
def _printable(value: str) -> str:
    """No control characters (NUL breaks PostgreSQL text) except tabs and line breaks."""
    if any(ord(ch) < 32 and ch not in "\t\n\r" for ch in value) or "\x7f" in value:
        raise ValueError("must not contain control characters")
    return value


def _email(value: str) -> str:
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


class Record(BaseModel):
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


class ClientIn(Record):
    name: Text(200, 1)
    email: Email | None = None
    phone: Text(40) | None = None
    billing_address: Text(400) | None = None
    is_active: bool = True


class SiteIn(Record):
    client_external_id: ExternalId
    name: Text(200, 1)
    address: Text(300) = ""
    city: Text(120) = ""
    postcode: Text(20) = ""
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    notes: Text(2000) | None = None
    is_active: bool = True


class AssetIn(Record):
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


class RemarkIn(Record):
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


class JobIn(Record):
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


class LineIn(Record):
    description: Text(500, 1)
    quantity: Decimal = Field(Decimal(1), gt=0, le=1_000_000, decimal_places=3)
    unit_price_cents: int = Field(..., ge=-100_000_000, le=100_000_000)


class _Priced(Record):
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


class ReportIn(Record):
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
