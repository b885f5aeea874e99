"""Tenants and the people in them: a tenant with its portal settings, staff, clients
and client groups, portal users and their memberships."""

from __future__ import annotations

import pool_portal.models as m
from pool_portal.demo.builder import Builder


def tenant(b: Builder, name: str, slug: str, colour: str) -> int:
    tid = b.add(
        m.Tenant,
        name=name,
        slug=slug,
        timezone="Europe/Madrid",
        currency="EUR",
        default_language="en",
        brand_colour=colour,
        logo_path=None,
        is_active=True,
        created_at=b.at(600),
    )
    b.add(
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
        updated_at=b.at(600),
    )
    return tid


def staff(b: Builder, tid: int, email: str, name: str, role: m.StaffRole) -> int:
    return b.add(
        m.StaffUser,
        tenant_id=tid,
        external_id=None,
        email=email,
        name=name,
        role=role,
        password_hash=b.password_hash,
        must_change_password=False,
        is_active=True,
        language="en",
        phone=None,
        last_login_at=None,
        created_at=b.at(600),
    )


def client(b: Builder, tid: int, name: str) -> int:
    slug = "".join(c for c in name.lower() if c.isalnum())[:20]
    return b.add(
        m.Client,
        tenant_id=tid,
        external_id=f"ERP-C-{b.next_id.get(m.Client, 1):05d}",
        name=name,
        email=f"admin@{slug}.example.com",
        phone=f"+34 96{b.rng.randint(1000000, 9999999)}",
        billing_address=None,
        is_active=True,
        created_at=b.at(600),
    )


def group(b: Builder, tid: int, name: str, parent: int | None = None) -> int:
    return b.add(m.ClientGroup, tenant_id=tid, external_id=None, name=name, parent_id=parent, created_at=b.at(600))


def member(b: Builder, tid: int, group_id: int, client_id: int) -> None:
    b.add(m.ClientGroupMember, tenant_id=tid, external_id=None, group_id=group_id, client_id=client_id)


def portal_user(b: Builder, tid: int, email: str, name: str, *, password: bool, language: str = "en") -> int:
    return b.add(
        m.PortalUser,
        tenant_id=tid,
        external_id=None,
        email=email,
        name=name,
        phone=None,
        password_hash=b.password_hash if password else None,
        must_change_password=False,
        is_active=True,
        language=language,
        notify_on_reply=True,
        notify_on_invoice=True,
        notify_on_quote=True,
        notify_on_job_scheduled=True,
        notify_on_report=True,
        last_login_at=None,
        created_at=b.at(500),
    )


def membership(
    b: Builder,
    tid: int,
    user_id: int,
    *,
    client_id: int | None = None,
    group_id: int | None = None,
    role: m.MembershipRole = m.MembershipRole.MANAGER,
) -> None:
    b.add(
        m.Membership,
        tenant_id=tid,
        external_id=None,
        portal_user_id=user_id,
        client_id=client_id,
        group_id=group_id,
        role=role,
        is_active=True,
        created_at=b.at(500),
    )
