"""Every style dict of the UI in one place: the app's global rules, the select and
field styles, labels, sections, touch targets. Colours are the theme's CSS variables
(a hex colour only ever comes from presentation/palette.py)."""

from __future__ import annotations

BORDER = "1px solid var(--gray-7)"
RADIUS = "6px"

# The app's global rules (rx.App(style=...)).
APP = {
    ".sr-only": {
        "position": "absolute",
        "width": "1px",
        "height": "1px",
        "overflow": "hidden",
        "clip": "rect(0 0 0 0)",
        "white_space": "nowrap",
    },
    ".skip-link": {"position": "absolute", "left": "-9999px"},
    ".skip-link:focus": {"left": "1rem", "top": "1rem", "z_index": "10", "background": "white", "padding": "0.5rem"},
    # White text on Radix's cyan 9 is 3.0:1; on cyan 11 it is 4.8:1 (WCAG AA asks 4.5:1).
    # Solid buttons, badges and checks take the accent's step 9, hover its step 10. These
    # global styles are set on the theme's root element, hence "&" (that element itself).
    "&[data-accent-color='cyan']": {"--accent-9": "var(--cyan-11)", "--accent-10": "var(--cyan-12)"},
}


def header(brand_colour) -> dict:
    """The shell's header: underlined in the tenant's brand colour (a Var)."""
    return {"border_bottom": f"4px solid {brand_colour}", "background": "var(--gray-2)"}


# Native selects, by density: forms (0.4rem), list toolbars (0.3rem), header switches (0.25rem).
SELECT = {"padding": "0.4rem", "border_radius": RADIUS, "border": BORDER}
SELECT_FULL = {**SELECT, "width": "100%"}  # a portal form's select, as wide as its column
SELECT_FIT = {**SELECT, "max_width": "100%"}  # an admin form's select, never wider than its row
SELECT_COMPACT = {"padding": "0.3rem", "border_radius": RADIUS, "border": BORDER}
SELECT_SMALL = {"padding": "0.25rem", "border_radius": RADIUS, "border": BORDER}
VIEW_SWITCH = {**SELECT_SMALL, "max_width": "14rem"}
# A portal list's per-column filters, under the headers.
COLUMN_FILTER_SELECT = {**SELECT_COMPACT, "max_width": "10rem", "font_size": "0.8rem"}
COLUMN_FILTER_INPUT = {**SELECT_COMPACT, "width": "100%", "min_width": "5rem", "font_size": "0.8rem"}

# The fields of an admin record form (Data pages), and a toolbar filter beside them.
FIELD = {
    "padding": "0.4rem",
    "border_radius": RADIUS,
    "border": BORDER,
    "width": "100%",
    "background": "var(--color-background)",
    "font_size": "0.9rem",
}
FIELD_SMALL = {**FIELD, "width": "auto", "max_width": "14rem"}
FIELD_AUTO = {**FIELD, "width": "auto"}
TAX_RATE_FIELD = {**FIELD, "width": "6rem"}


def line_input(width: str, *, wide: bool = False) -> dict:
    """A cell's input in a quote's or invoice's line editor: at least ``width``; a
    ``wide`` one (the description) takes the rest of the row."""
    return {**FIELD, "min_width": width, "width": "100%" if wide else width}


# Labels.
LABEL = {"font_weight": "500"}
FIELD_LABEL = {"font_weight": "500", "font_size": "0.9rem"}
SMALL_LABEL = {"font_size": "0.85rem"}
CHECK_LABEL = {"display": "flex", "gap": "0.5rem", "align_items": "center"}
WIDE_LABEL = {"min_width": "12rem"}  # labels in a column, their controls aligned beside them

# Sections: an admin fieldset and its legend; a Data page's section.
FIELDSET = {
    "border": "1px solid var(--gray-6)",
    "border_radius": "8px",
    "padding": "0.6rem 0.9rem",
    # min-width 0: a fieldset is otherwise as wide as its widest content (tables scroll instead).
    "min_width": "0",
}
LEGEND = {"font_weight": "600", "padding": "0 0.3rem"}
SECTION = {"padding": "0.75rem", "border": "1px solid var(--gray-5)", "border_radius": "8px", "margin_top": "1rem"}

# Numbers that open an overlay are small: give them a 24 px touch target (WCAG 2.5.8).
TOUCH_TARGET = {
    "display": "inline-flex",
    "min_width": "24px",
    "min_height": "24px",
    "align_items": "center",
    "justify_content": "center",
}

# A disclosure's summary line.
SUMMARY = {"cursor": "pointer", "font_size": "0.85rem"}
SUMMARY_ROW = {"cursor": "pointer", "list_style": "none"}
DISCLOSURE_ROW = {"padding": "0.5rem 0", "border_bottom": "1px solid var(--gray-5)"}

# The floating "report a fault" button on phones.
FLOATING_SHADOW = {"box_shadow": "0 2px 8px rgba(0,0,0,0.3)"}

# A badge whose text may wrap (long column notes on the import page).
WRAPPING_BADGE = {"white_space": "normal", "max_width": "100%", "word_break": "break-word"}
