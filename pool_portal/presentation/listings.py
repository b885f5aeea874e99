"""The dashboard's overlays as the page shows them: a listing's rows (amounts in the
tenant's currency, the status's catalogue key), a property's assets, tasks and shared
files, and the search's hits. Days are ISO dates, as the overlays show them."""

from __future__ import annotations

from datetime import date

from pool_portal.presentation.display import money
from pool_portal.services.portal.listings import ListingRow
from pool_portal.services.portal.property_detail import PropertyDetail
from pool_portal.services.portal.search import SearchHit


def iso(day: date | None) -> str:
    return day.isoformat() if day else ""


def listing_rows(rows: list[ListingRow], currency: str, lang: str) -> list[dict[str, str]]:
    """Each item as the overlay's table shows it: ``amount`` formatted ("" without one),
    ``status`` its code ("routine.late", "stage.READY" for the charts' listings) and
    ``status_key`` its catalogue key; ``doc`` the PDF route's kind ("" for none)."""
    return [
        {
            "doc": r.doc,
            "id": str(r.id),
            "number": r.number,
            "site": r.site,
            "title": r.title,
            "date": iso(r.on),
            "status": r.status if r.family == "status" else f"{r.family}.{r.status}",
            "amount_cents": "" if r.amount_cents is None else str(r.amount_cents),
            "amount": "" if r.amount_cents is None else money(r.amount_cents, currency, lang),
            "status_key": f"{r.family}.{r.status}",
        }
        for r in rows
    ]


def property_values(detail: PropertyDetail | None) -> dict:
    """The property overlay's vars (empty ones without a property)."""
    if detail is None:
        return {
            "detail_name": "",
            "detail_address": "",
            "detail_assets": [],
            "detail_tasks": [],
            "detail_documents": [],
        }
    return {
        "detail_name": detail.name,
        "detail_address": detail.address,
        "detail_assets": [
            {
                "id": str(a.id),
                "code": a.code,
                "type": a.type,
                "model": a.model,
                "last_test": iso(a.last_test),
                "next_due": iso(a.next_due),
            }
            for a in detail.assets
        ],
        "detail_tasks": [
            {
                "id": str(t.id),
                "number": t.number,
                "kind": t.kind.value,
                "stage": t.stage.value,
                "date": iso(t.on),
                "description": t.description,
            }
            for t in detail.tasks
        ],
        "detail_documents": [
            {"id": str(d.id), "title": d.title, "filename": d.filename, "size": f"{max(d.size_bytes // 1024, 1)} KB"}
            for d in detail.documents
        ],
    }


def search_hits(hits: list[SearchHit]) -> list[dict[str, str]]:
    """{"kind", "title", "detail", "detail_key", "site_id", "site"}: a status is shown
    by its catalogue key (``detail_key``, ``detail`` empty); other hits have a plain
    ``detail`` (an address, a model, a report's date) and no key."""
    return [
        {
            "kind": h.kind,
            "title": h.title,
            "detail": iso(h.on) if h.on else h.detail,
            "detail_key": f"{h.family}.{h.status}" if h.status else "",
            "site_id": str(h.site_id),
            "site": h.site,
        }
        for h in hits
    ]
