"""Files shared on a site: a generated PDF stored in private storage."""

from __future__ import annotations

import pool_portal.models as m
from pool_portal.demo.builder import Builder
from pool_portal.services.infra import pdf, storage


def document(b: Builder, tid: int, site_id: int, tenant_name: str, brand: str, title: str, *, published: bool) -> None:
    site = b.rows[m.Site][site_id - b.rows[m.Site][0]["id"]]
    data = pdf.simple_document(
        tenant_name,
        brand,
        title,
        [
            f"Property: {site['name']}, {site['address']}, {site['city']}.",
            "The installation was inspected and found to meet the applicable safety requirements.",
        ],
    )
    b.add(
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
        created_at=b.at(30),
    )
