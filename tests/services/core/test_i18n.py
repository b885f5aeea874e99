"""The translation catalogue: every UI key exists in English and Spanish."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

from pool_portal.presentation import display
from pool_portal.services.core import i18n

PKG = Path(__file__).resolve().parents[3] / "pool_portal"
KEY_CALL = re.compile(r"""\bT\(\s*["']([a-z0-9_]+\.[a-z0-9_.]+)["']""")
KEY_LITERAL = re.compile(
    r"""["']((?:nav|login|portal|admin|data|field|common|password|visit|link|view|contacts|detail|overlay|panel|activity|defects|routine|calls|spend|dash|kind|stage|severity|status|search|list|quote|quotes|invoices|pdf|docstatus|job|jobs|quotekind|remark|reports|assets|incident|incidents|import|title|files)\.[a-z0-9_.]+)["']"""
)


def _catalogue(lang: str) -> dict[str, str]:
    return json.loads((PKG / "translations" / f"{lang}.json").read_text(encoding="utf-8"))


def _keys_used_in_code() -> set[str]:
    keys: set[str] = set()
    ui_files = [p for d in ("pages", "components", "states") for p in (PKG / d).rglob("*.py")]
    ui_files += [PKG / "pool_portal.py", PKG / "api" / "files.py"]  # page titles; file routes' refusals
    for path in ui_files:
        text = path.read_text(encoding="utf-8")
        keys |= set(KEY_CALL.findall(text)) | set(KEY_LITERAL.findall(text))
    return keys


def test_english_and_spanish_have_the_same_keys():
    en, es = _catalogue("en"), _catalogue("es")
    assert set(en) == set(es), set(en) ^ set(es)


def test_no_spanish_text_is_left_in_english():
    en, es = _catalogue("en"), _catalogue("es")
    same = [k for k in en if en[k] == es[k] and len(en[k]) > 3]
    assert same == []


def test_every_key_the_code_uses_is_in_the_catalogue():
    used = _keys_used_in_code()
    assert used, "the scan found no keys: the pattern is broken"
    en = _catalogue("en")
    prefixes = {k for k in used if k.endswith(".")}
    missing = (used - prefixes) - set(en)
    assert missing == set()
    assert {p for p in prefixes if not any(k.startswith(p) for k in en)} == set()


def test_coded_values_have_a_label_for_every_code():
    from pool_portal.models import VisitStatus

    en = _catalogue("en")
    assert {f"visit.status.{v.value}" for v in VisitStatus} <= set(en)


def test_translate_and_fallbacks():
    assert i18n.t("nav.sign_out", "es") == "Cerrar sesión"
    assert i18n.t("nav.sign_out", "en") == "Sign out"
    assert i18n.t("nav.sign_out", "fr") == "Sign out"  # unknown language → English
    assert i18n.t("no.such.key", "es") == "no.such.key"


def test_money_and_dates_follow_the_language():
    assert display.money(123456, "EUR", "en") == "€1,234.56"
    assert display.money(123456, "EUR", "es").replace("\xa0", " ") == "1.234,56 €"
    assert display.day(date(2026, 3, 5), "en") == "5 Mar 2026"
    assert display.day(date(2026, 3, 5), "es") == "5 mar 2026"
