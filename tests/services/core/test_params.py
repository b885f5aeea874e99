"""Numbers from URLs and event arguments: ASCII digits in range, or None (never an error)."""

from __future__ import annotations

import pytest

from pool_portal.services.core.params import MAX_ID, parse_id, parse_int, parse_page


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("1", 1),
        ("42", 42),
        ("007", 7),
        (str(MAX_ID), MAX_ID),
        (17, 17),
        ("", None),
        ("0", None),
        ("-1", None),
        ("+1", None),
        (" 1", None),
        ("1 ", None),
        ("1.0", None),
        ("abc", None),
        ("²", None),
        ("1²", None),
        ("٣", None),
        ("１", None),  # superscript, Arabic-Indic, full-width digits
        (str(MAX_ID + 1), None),
        ("9" * 18, None),
        ("1" * 30, None),
        (None, None),
        (True, None),
        (-5, None),
        (["1"], None),
        ({"id": 1}, None),
        (1.0, None),
    ],
)
def test_parse_id(raw, expected):
    assert parse_id(raw) == expected


def test_parse_int_and_page():
    assert parse_int("2026", 2000, 2100) == 2026
    assert parse_int("1999", 2000, 2100) is None and parse_int("²⁰²⁶", 2000, 2100) is None
    assert parse_int("0", 0, 5) == 0 and parse_int("9" * 19, 0, 10**30) is None
    assert parse_page("3") == 3 and parse_page("²") == 1 and parse_page("0") == 1 and parse_page("1" * 30) == 1
    assert parse_page("", default=2) == 2
