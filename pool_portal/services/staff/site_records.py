"""Staff editing of what is recorded on a site: its assets (pumps, filters...) and its
remarks (defects: publish one, or every remark a filtered list shows). Conventions as
in ``services.staff.editing``. Plain Python, no Reflex.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from pool_portal.models import Asset, Remark, RemarkStatus, Severity
from pool_portal.services.core import record_rules
from pool_portal.services.core.clock import tenant_today
from pool_portal.services.staff import list_queries
from pool_portal.services.staff.editing import E_ASSET, Choice, audit, editor, owned, set_flag, store, target
from pool_portal.services.staff.forms import Fields


# -- assets --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AssetForm:
    """An asset as its form shows it (and as a row of the site page's assets)."""

    id: int
    asset_code: str
    asset_type: str
    model: str | None
    serial_number: str | None
    customer_ref: str | None
    location: str | None
    description: str | None
    last_test_number: str | None
    last_test_date: date | None
    next_service_due: date | None
    is_active: bool


def asset_form(asset: Asset) -> AssetForm:
    return AssetForm(
        asset.id,
        asset.asset_code,
        asset.asset_type,
        asset.model,
        asset.serial_number,
        asset.customer_ref,
        asset.location,
        asset.description,
        asset.last_test_number,
        asset.last_test_date,
        asset.next_service_due,
        asset.is_active,
    )


def save_asset(
    session: Session, tenant_id: int, staff_user_id: int, asset_id: int | None, site_id: int | None, data: dict
) -> tuple[int | None, dict[str, str]]:
    """Create an asset on a site of the tenant (``asset_id`` None) or edit one: asset
    id and type required; dates as YYYY-MM-DD."""
    editor(session, tenant_id, staff_user_id)
    asset, site, errors = target(session, Asset, tenant_id, asset_id, site_id)
    if errors:
        return None, errors
    form = Fields(data)
    values = {
        "asset_code": form.text("asset_code", 60, required=True),
        "asset_type": form.text("asset_type", 60, required=True),
        "model": form.text("model", 120),
        "serial_number": form.text("serial_number", 120),
        "customer_ref": form.text("customer_ref", 120),
        "location": form.text("location", 200),
        "description": form.text("description", 1000, multiline=True),
        "last_test_number": form.text("last_test_number", 60),
        "last_test_date": form.day("last_test_date"),
        "next_service_due": form.day("next_service_due"),
        "is_active": form.flag("is_active") if asset is not None else True,
    }
    if form.errors:
        return None, form.errors
    make = lambda: Asset(tenant_id=tenant_id, site_id=site.id)  # noqa: E731
    return store(session, asset, make, values, tenant_id, staff_user_id, "asset").id, {}


def asset_on_site(session: Session, tenant_id: int, site_id: int, form: Fields, key: str = "asset_id") -> int | None:
    """The asset chosen in the form (optional), which must be on the site."""
    raw = form.raw(key)
    if not raw:
        return None
    asset = owned(session, Asset, tenant_id, form.ident(key))
    if asset is None or asset.site_id != site_id:
        form.error(key, E_ASSET)
        return None
    return asset.id


def asset_choices(session: Session, tenant_id: int, site_id: int) -> list[Choice]:
    """The site's assets for a select ("code · type")."""
    rows = session.exec(
        select(Asset.id, Asset.asset_code, Asset.asset_type)
        .where(Asset.tenant_id == tenant_id, Asset.site_id == site_id)
        .order_by(Asset.asset_code, Asset.id)
    ).all()
    return [Choice(i, f"{code} · {kind}") for i, code, kind in rows]


# -- remarks -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RemarkForm:
    """A remark as its form shows it."""

    id: int
    severity: Severity
    status: RemarkStatus
    title: str
    description: str | None
    raised_on: date
    resolved_on: date | None
    asset_id: int | None
    is_published: bool

    @property
    def number(self) -> str:
        """What the portal and the lists call a remark."""
        return f"D-{self.id}"


def remark_form(remark: Remark) -> RemarkForm:
    return RemarkForm(
        remark.id,
        remark.severity,
        remark.status,
        remark.title,
        remark.description,
        remark.raised_on,
        remark.resolved_on,
        remark.asset_id,
        remark.is_published,
    )


def save_remark(
    session: Session,
    tenant_id: int,
    staff_user_id: int,
    remark_id: int | None,
    site_id: int | None,
    data: dict,
    *,
    now: datetime | None = None,
) -> tuple[int | None, dict[str, str]]:
    """Create a remark (defect) on a site or one of its assets, or edit one: severity,
    status, title and raised date required (raised defaults to today); a resolved
    remark gets today as its resolved date unless one is given, never before it was
    raised; an open one has none."""
    editor(session, tenant_id, staff_user_id)
    remark, site, errors = target(session, Remark, tenant_id, remark_id, site_id)
    if errors:
        return None, errors
    form = Fields(data)
    today = tenant_today(session, tenant_id, now)
    values = {
        "severity": form.choice("severity", Severity),
        "status": form.choice("status", RemarkStatus),
        "title": form.text("title", 200, required=True),
        "description": form.text("description", 4000, multiline=True),
        "raised_on": form.day("raised_on") or (None if "raised_on" in form.errors else today),
        "resolved_on": form.day("resolved_on"),
        "asset_id": asset_on_site(session, tenant_id, site.id, form),
        "is_published": form.flag("is_published"),
    }
    if values["status"] == RemarkStatus.RESOLVED and values["resolved_on"] is None and "resolved_on" not in form.errors:
        values["resolved_on"] = max(today, values["raised_on"] or today)
    form.rules(record_rules.remark(values["status"], values["raised_on"], values["resolved_on"]))
    if form.errors:
        return None, form.errors
    make = lambda: Remark(tenant_id=tenant_id, site_id=site.id)  # noqa: E731
    return store(session, remark, make, values, tenant_id, staff_user_id, "remark").id, {}


def set_remark_published(
    session: Session, tenant_id: int, staff_user_id: int, remark_id: object, published: bool
) -> str | None:
    """Publish or unpublish one remark; None, or ``data.error.not_found``."""
    return set_flag(session, Remark, "remark", tenant_id, staff_user_id, remark_id, published)


def bulk_publish(session: Session, tenant_id: int, staff_user_id: int, params: dict, published: bool) -> int:
    """Publish (or unpublish) every remark of the tenant that the remarks list shows
    for ``params`` (its URL query: search, severity, status, published, property), in
    one UPDATE. Returns how many changed."""
    editor(session, tenant_id, staff_user_id)
    query = list_queries.parse("remarks", params)
    ids = list_queries.ids_subquery(session, tenant_id, query)
    result = session.execute(
        update(Remark)
        .where(Remark.tenant_id == tenant_id, col(Remark.id).in_(ids), Remark.is_published == (not published))
        .values(is_published=bool(published))
        .execution_options(synchronize_session=False)
    )
    count = result.rowcount or 0
    audit(
        session,
        "remark.bulk_published" if published else "remark.bulk_unpublished",
        tenant_id,
        staff_user_id,
        "remark",
        None,
        count=count,
        filters=list_queries.query_params(query),
    )
    return count
