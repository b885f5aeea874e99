"""Badges: a coded value's label in its colour (incident status, defect severity, a
contact's portal access), yes / no, a severity's dot, and the colour lookups they use
(colours from presentation/palette.py)."""

from __future__ import annotations

import reflex as rx

from pool_portal.components.i18n import T
from pool_portal.presentation import palette


def scheme(value, schemes: dict[str, str], default: str = "gray") -> rx.Var:
    """The Radix colour scheme of a coded value (``schemes``: code → scheme)."""
    return rx.match(value, *schemes.items(), default)


def coded_badge(prefix: str, value, schemes: dict[str, str], **props) -> rx.Component:
    """A soft badge: the label of ``prefix`` + code, in the code's colour."""
    return rx.badge(T(prefix + value), color_scheme=scheme(value, schemes), variant="soft", **props)


def incident_status(status) -> rx.Component:
    return coded_badge("incident.status.", status, palette.INCIDENT_STATUS_SCHEME, size="2")


def severity(value) -> rx.Component:
    return coded_badge("severity.", value, palette.SEVERITY_SCHEME)


def access_status(status) -> rx.Component:
    """A contact's portal access: accepted, sent, expired, never invited, disabled."""
    return coded_badge("admin.access.", status, palette.ACCESS_STATUS_SCHEME)


def yes_no(flag) -> rx.Component:
    """ "Yes" in green when ``flag`` is true, else "No"."""
    return rx.cond(flag, rx.badge(T("data.yes"), color_scheme="green"), rx.badge(T("data.no")))


def severity_dot(value) -> rx.Component:
    """A dot in the severity's colour ("NONE": no open defect), its label as a tooltip."""
    return rx.box(
        width="10px",
        height="10px",
        border_radius="50%",
        flex_shrink="0",
        background=rx.match(value, *palette.SEVERITY_HEX.items(), palette.SEVERITY_HEX["NONE"]),
        title=T("severity." + value),
    )
