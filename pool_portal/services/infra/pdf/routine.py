"""The Routine Activity Report: routine jobs due in a span of days, per property of the
viewer's view, with their status (on time, within tolerance, late, missed, pending:
``services.portal.routine``) and a summary."""

from __future__ import annotations

from datetime import date

from reportlab.lib import colors
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table, TableStyle
from sqlalchemy import select
from sqlalchemy.orm import Session

from pool_portal.models import Job, JobKind, Site, Tenant
from pool_portal.presentation.display import day
from pool_portal.services.core.clock import tenant_today
from pool_portal.services.core.i18n import catalogue, normalise_language
from pool_portal.services.core.scope import Viewer
from pool_portal.services.infra.pdf.common import esc, logo, render, title_style
from pool_portal.services.portal.routine import ROUTINE_STATUSES, routine_status
from pool_portal.services.portal.visibility import site_scope

MAX_RANGE_DAYS = 731


def routine_activity_report(session: Session, viewer: Viewer, start: date, end: date, lang: str = "en") -> bytes:
    """Routine jobs due between ``start`` and ``end`` (inclusive), per property, with
    their status (on time, within tolerance, late, missed, pending) and a summary."""
    lang = normalise_language(lang)
    tr = catalogue(lang)
    tenant = session.get(Tenant, viewer.tenant_id)
    today = tenant_today(session, viewer.tenant_id)
    sites = dict(session.execute(select(Site.id, Site.name).where(Site.id.in_(site_scope(viewer)))).all())
    jobs = (
        session.execute(
            select(Job)
            .where(
                Job.tenant_id == viewer.tenant_id,
                Job.site_id.in_(list(sites) or [-1]),
                Job.kind == JobKind.ROUTINE,
                Job.due_date >= start,
                Job.due_date <= end,
            )
            .order_by(Job.due_date, Job.number)
        )
        .scalars()
        .all()
        if sites
        else []
    )
    per_site: dict[str, list] = {}
    totals = {s: 0 for s in ROUTINE_STATUSES}
    for j in jobs:
        status = routine_status(j.due_date, j.completed_on, j.tolerance_days or 0, today)
        totals[status] += 1
        per_site.setdefault(sites[j.site_id], []).append((j, status))
    styles = getSampleStyleSheet()
    body = styles["BodyText"]
    story = [
        *logo(session, tenant),
        Paragraph(f"{esc(tenant.name)} · {esc(tr['pdf.routine.title'])}", title_style(styles, tenant)),
        Paragraph(f"{day(start, lang)} – {day(end, lang)} · {esc(viewer.name)}", body),
        Spacer(1, 4 * mm),
    ]
    summary = [
        [tr[f"routine.{s}"] for s in ROUTINE_STATUSES] + [tr["pdf.routine.total"]],
        [str(totals[s]) for s in ROUTINE_STATUSES] + [str(len(jobs))],
    ]
    table = Table(summary)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8),
                ("FONT", (0, 1), (-1, 1), "Helvetica", 10),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.lightgrey),
            ]
        )
    )
    story += [table, Spacer(1, 6 * mm)]
    if not jobs:
        story.append(Paragraph(esc(tr["pdf.routine.empty"]), body))
    for site, rows in sorted(per_site.items()):
        data = [[tr["overlay.number"], tr["pdf.routine.due"], tr["pdf.routine.done"], tr["overlay.status"]]]
        data += [
            [j.number, day(j.due_date, lang), day(j.completed_on, lang), tr[f"routine.{status}"]] for j, status in rows
        ]
        t = Table(data, colWidths=[35 * mm, 35 * mm, 35 * mm, 45 * mm], repeatRows=1)
        t.setStyle(
            TableStyle(
                [
                    ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 9),
                    ("FONT", (0, 1), (-1, -1), "Helvetica", 9),
                    ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.grey),
                ]
            )
        )
        story.append(KeepTogether([Paragraph(esc(site), styles["Heading3"]), t, Spacer(1, 3 * mm)]))
    return render(story, tenant, tr["pdf.routine.title"], tr)
