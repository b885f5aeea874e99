"""What each portal list reads: a *spec* per list, its columns (an SQL expression each,
labelled by its key) and its base conditions, which carry the visibility rules (the
view's sites are added by ``lists``; no draft or expired quotes, no draft invoices,
approved reports only, published defects only, the tenant's document switches). A
column of another table (a job's site name, a defect's asset code) is a ``Via``: tested
through its foreign key, joined only for the page's rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import String, case, func, literal, select, type_coerce
from sqlalchemy.orm import Session

from pool_portal.models import (
    Asset,
    Invoice,
    InvoiceStatus,
    Job,
    Quote,
    QuoteStatus,
    Remark,
    RemarkStatus,
    Report,
    Site,
)
from pool_portal.services.core.scope import Viewer
from pool_portal.services.portal.list_query import ListQuery
from pool_portal.services.portal.portal_settings import ASSET_COLUMN_KEYS, document_switches
from pool_portal.services.portal.visibility import (
    open_quote,
    outstanding_invoice,
    overdue_invoice,
    severity_rank,
    visible_invoice,
    visible_quote,
    visible_remark,
    visible_report,
)


@dataclass(frozen=True)
class Via:
    """A column of another table, reached from the list's own table by a foreign key
    (a job's site name, a defect's asset code). Filtering or searching on it becomes
    ``fk IN (SELECT pk FROM other WHERE <the test>)``, so that counting and choosing
    the page need no join; only the page's rows are joined."""

    fk: object
    pk: object
    column: object
    scope: object  # the other table's own tenant condition (keeps its subquery small)
    outer: bool = False  # the foreign key may be NULL: LEFT JOIN for display and sorting


@dataclass
class Spec:
    root: object  # the list's own table (Job, Quote...); its site_id column keeps it in the view
    exprs: dict[str, object]  # what each row shows; a Via's column stands in for it here
    where: list  # the visibility rules, on the root table only
    search: list  # expressions or Via
    statuses: dict[str, object]
    default: tuple[str, bool]
    via: dict[str, Via] = field(default_factory=dict)  # columns of other tables, by key
    sort_exprs: dict[str, object] = field(default_factory=dict)
    extra: list = field(default_factory=list)

    @property
    def site_fk(self):
        return self.root.site_id

    def joins(self) -> list[Via]:
        """One join per joined table (the first Via of each)."""
        seen: dict[object, Via] = {}
        for v in self.via.values():
            seen.setdefault(v.pk.table, v)
        return list(seen.values())

    def join(self, stmt, only: set | None = None):
        for v in self.joins():
            if only is None or v.pk.table in only:
                stmt = stmt.join(v.pk.table, v.pk == v.fk, isouter=v.outer)
        return stmt


def _plain(column):
    """An enum column read as its plain string value."""
    return type_coerce(column, String)


def through(target, predicate):
    """``predicate`` applied to an expression, or through its foreign key to a Via."""
    if isinstance(target, Via):
        return target.fk.in_(select(target.pk).where(target.scope, predicate(target.column)))
    return predicate(target)


def spec(session: Session, viewer: Viewer, kind: str, query: ListQuery, today: date) -> Spec | None:
    """The spec of the list ``kind`` for this query (its jobs filters) and day; None when
    the tenant switched its document type off."""
    t = viewer.tenant_id
    docs = document_switches(session, t)
    if kind in ("quotes", "invoices", "reports") and not docs[kind]:
        return None

    def site(fk, column=Site.name) -> Via:
        return Via(fk, Site.id, column, Site.tenant_id == t)

    if kind == "jobs":
        when = func.coalesce(Job.scheduled_date, Job.due_date)
        via = {"site": site(Job.site_id), "address": site(Job.site_id, Site.address)}
        exprs = {
            "id": Job.id,
            "number": Job.number,
            "date": when,
            "site": Site.name,
            "address": Site.address,
            "kind": _plain(Job.kind),
            "stage": _plain(Job.stage),
            "description": Job.description,
            "po": Job.customer_po,
        }
        extra = []
        if query.site_id is not None:
            extra.append(Job.site_id == query.site_id)
        if query.asset_id is not None:
            extra.append(Job.asset_id == query.asset_id)
        if query.date_from:
            extra.append(when >= query.date_from)
        if query.date_to:
            extra.append(when <= query.date_to)
        return Spec(
            Job,
            exprs,
            [Job.tenant_id == t],
            [Job.number, Job.description, Job.notes, Job.customer_po, via["address"]],
            {"future": when >= today, "past": when < today},
            ("date", query.status != "future"),
            via=via,
            extra=extra,
        )
    if kind == "quotes":
        visible = visible_quote(today)
        via = {"site": site(Quote.site_id)}
        exprs = {
            "id": Quote.id,
            "number": Quote.number,
            "site": Site.name,
            "title": Quote.title,
            "kind": _plain(Quote.kind),
            "issued": Quote.issued_on,
            "expires": Quote.expires_on,
            "status": _plain(Quote.status),
            "total_cents": Quote.total_cents,
            "approver": Quote.approver_name,
            "reference": Quote.approver_reference,
            "comment": Quote.decline_comment,
        }
        return Spec(
            Quote,
            exprs,
            [Quote.tenant_id == t, visible],
            [Quote.number, Quote.title, via["site"]],
            {
                "awaiting": open_quote(today),
                "approved": Quote.status == QuoteStatus.APPROVED,
                "declined": Quote.status == QuoteStatus.DECLINED,
            },
            ("issued", True),
            via=via,
        )
    if kind == "invoices":
        overdue = overdue_invoice(today)
        status = case((overdue, literal("OVERDUE")), else_=_plain(Invoice.status))
        via = {"site": site(Invoice.site_id)}
        exprs = {
            "id": Invoice.id,
            "number": Invoice.number,
            "site": Site.name,
            "issued": Invoice.issued_on,
            "due": Invoice.due_on,
            "status": status,
            "total_cents": Invoice.total_cents,
            "po": Invoice.customer_po,
        }
        return Spec(
            Invoice,
            exprs,
            [Invoice.tenant_id == t, visible_invoice()],
            [Invoice.number, via["site"], Invoice.customer_po],
            {
                "awaiting": outstanding_invoice(),
                "overdue": overdue,
                "paid": Invoice.status == InvoiceStatus.PAID,
            },
            ("issued", True),
            via=via,
        )
    if kind == "reports":
        via = {"site": site(Report.site_id)}
        exprs = {
            "id": Report.id,
            "number": Report.number,
            "date": Report.report_date,
            "site": Site.name,
            "title": Report.title,
            "summary": Report.summary,
        }
        return Spec(
            Report,
            exprs,
            [Report.tenant_id == t, visible_report()],
            [Report.number, Report.title, Report.summary, via["site"]],
            {},
            ("date", True),
            via=via,
        )
    if kind == "assets":
        via = {"site": site(Asset.site_id)}
        exprs = {
            "id": Asset.id,
            "site_id": Asset.site_id,
            **{k: getattr(Asset, k) for k in ASSET_COLUMN_KEYS if k != "site"},
            "site": Site.name,
        }
        return Spec(
            Asset,
            exprs,
            [Asset.tenant_id == t, Asset.is_active == True],
            [
                Asset.asset_code,
                Asset.asset_type,
                Asset.model,
                Asset.serial_number,
                Asset.customer_ref,
                Asset.location,
                via["site"],
            ],
            {},
            ("asset_code", False),
            via=via,
        )
    if kind == "defects":
        via = {
            "site": site(Remark.site_id),
            "asset": Via(Remark.asset_id, Asset.id, Asset.asset_code, Asset.tenant_id == t, outer=True),
        }
        exprs = {
            "id": Remark.id,
            "number": Remark.id,
            "raised": Remark.raised_on,
            "site": Site.name,
            "asset": Asset.asset_code,
            "severity": _plain(Remark.severity),
            "status": _plain(Remark.status),
            "title": Remark.title,
            "resolved": Remark.resolved_on,
            "description": Remark.description,
        }
        return Spec(
            Remark,
            exprs,
            [Remark.tenant_id == t, visible_remark(t)],
            [Remark.title, Remark.description, via["site"], via["asset"]],
            {"open": Remark.status == RemarkStatus.OPEN, "resolved": Remark.status == RemarkStatus.RESOLVED},
            ("raised", True),
            via=via,
            sort_exprs={"severity": severity_rank()},
        )
    raise ValueError(kind)
