"""The one palette: severity, routine, stage and status colours, as hex (charts, the
map, PDFs, mail) and as Radix colour schemes (badges). Change a colour here and every
chart, page and PDF follows."""

from __future__ import annotations

BRAND_DEFAULT = "#0e7490"  # a tenant's brand colour until it sets one

# Remark severities, most severe first ("NONE": a property with no open defect).
SEVERITY_HEX = {
    "CRITICAL": "#b91c1c",
    "NON_CONFORMANCE": "#ea580c",
    "NON_CRITICAL": "#ca8a04",
    "RECOMMENDATION": "#2563eb",
    "INFORMATION": "#64748b",
    "NONE": "#16a34a",
}
SEVERITY_SCHEME = {
    "CRITICAL": "red",
    "NON_CONFORMANCE": "orange",
    "NON_CRITICAL": "amber",
    "RECOMMENDATION": "blue",
    "INFORMATION": "gray",
    "NONE": "green",
}
RESOLVED_HEX = "#15803d"

ROUTINE_HEX = {
    "on_time": "#15803d",
    "within_tolerance": "#65a30d",
    "late": "#ea580c",
    "missed": "#b91c1c",
    "pending": "#94a3b8",
}
STAGE_HEX = ["#94a3b8", "#0ea5e9", "#2563eb", "#7c3aed", "#15803d"]  # job stages, in order

# The customer-facing status of an incident; a contact's portal access.
INCIDENT_STATUS_SCHEME = {"RECEIVED": "gray", "IN_PROCESS": "blue", "SCHEDULED_VISIT": "amber", "SOLVED": "green"}
ACCESS_STATUS_SCHEME = {
    "accepted": "green",
    "sent": "blue",
    "expired": "amber",
    "never_invited": "gray",
    "disabled": "red",
}

# Chart furniture and the offline map.
GRID_HEX = "#e2e8f0"
LAND_HEX, BORDER_HEX, SEA_HEX = "#f1f5f9", "#94a3b8", "#e0f2fe"
MUTED_HEX = "#94a3b8"
QUOTE_BORDER_HEX, QUOTE_BACKGROUND_HEX, TEXT_HEX = "#0e7490", "#f3f6f7", "#222"
