"""Control panel → Customer portal: the tenant's portal settings and its logo (ADMIN).

Thin: the rules and the validation live in ``services.staff.portal_admin``. A save is
one transaction: any field in error and nothing is written. Portal pages read the
settings on every load, so connected users see a change at their next navigation.
"""

from __future__ import annotations

import asyncio

import reflex as rx

from pool_portal.presentation.payments import config_values
from pool_portal.services.core.i18n import normalise_language
from pool_portal.services.core.roles import PORTAL_ADMINISTRATION
from pool_portal.services.payments import config as payments_config
from pool_portal.services.payments.gateway import METHODS
from pool_portal.services.portal import portal_settings
from pool_portal.services.staff import portal_admin
from pool_portal.states.guard import staff_event, viewer
from pool_portal.states.shell import StaffPage, call

FIXED_ASSET_COLUMNS = ("asset_code", "site")  # always shown (services.lists.ASSET_FIXED)


class PortalSettingsState(StaffPage):
    flags: dict[str, bool] = {}  # show_<panel>, show_<document>, incidents_enabled
    asset_columns: list[str] = []
    asset_column_choices: list[str] = []
    asset_id_label: str = ""
    brand: str = ""
    payment_instructions: str = ""
    default_job_stage: str = ""
    job_stages: list[str] = []
    errors: dict[str, str] = {}
    notice: str = ""
    form_key: int = 0  # bumps when the values are (re)loaded: the form re-mounts with them
    loaded: bool = False
    # Online payments (never a key: only its last four characters).
    pay_enabled: bool = False
    pay_provider: str = "STRIPE"
    pay_methods: list[str] = []
    pay_supported: dict[str, list[str]] = {}
    pay_multiple: bool = False
    pay_key_last4: str = ""
    pay_hook_last4: str = ""
    pay_webhook_url: str = ""
    pay_problem: str = ""
    pay_problem_at: str = ""
    pay_errors: dict[str, str] = {}
    pay_notice: str = ""

    def _on_refused(self) -> None:
        super()._on_refused()
        self.flags, self.loaded = {}, False

    async def _reload(self) -> None:
        v = await self._load_shell()
        values = await call(portal_admin.get_portal_settings, v.tenant_id)
        self._show_logo(values["logo_stamp"])  # the logo as it is now (just uploaded or removed)
        self.flags = {k: bool(values[k]) for k in portal_admin.BOOL_FIELDS}
        self.asset_columns = values["asset_columns"]
        self.asset_column_choices = [k for k in values["asset_column_choices"] if k not in FIXED_ASSET_COLUMNS]
        self.asset_id_label = values["asset_id_label"]
        self.brand = values["brand_colour"]
        self.payment_instructions = values["payment_instructions"]
        self.default_job_stage = values["default_job_stage"]
        self.job_stages = values["job_stage_choices"]
        payments = await call(portal_admin.get_payment_settings, v.tenant_id, v.user_id)
        for name, value in config_values(payments, normalise_language(self.lang)).items():
            setattr(self, name, value)
        self.form_key += 1
        self.loaded = True

    @staff_event(PORTAL_ADMINISTRATION)
    async def load_settings(self):
        self.errors, self.notice = {}, ""
        self.pay_errors, self.pay_notice = {}, ""
        await self._reload()

    @staff_event(PORTAL_ADMINISTRATION)
    async def save_settings(self, form_data: dict):
        """The whole form: an unticked box is "off" (browsers send only ticked ones)."""
        v = viewer()
        data = form_data if isinstance(form_data, dict) else {}
        form: dict[str, object] = {k: bool(data.get(k)) for k in portal_admin.BOOL_FIELDS}
        columns = [k for k in portal_settings.ASSET_COLUMN_KEYS if k in FIXED_ASSET_COLUMNS or data.get(f"col_{k}")]
        form.update(
            asset_columns=columns,
            asset_id_label=str(data.get("asset_id_label") or "")[:200],
            brand_colour=str(data.get("brand_colour") or "")[:20],
            payment_instructions=str(data.get("payment_instructions") or "")[
                : portal_admin.MAX_PAYMENT_INSTRUCTIONS + 100
            ],
            default_job_stage=str(data.get("default_job_stage") or "")[:40],
        )
        errors = await call(portal_admin.update_portal_settings, v.tenant_id, v.user_id, form)
        self.errors = errors
        if errors:
            self.notice = ""
            return
        self.notice = "admin.settings.saved"
        await self._reload()

    @staff_event(PORTAL_ADMINISTRATION)
    async def upload_logo(self, files: list[rx.UploadFile]):
        """Read at most one byte past the limit; the service checks size and content."""
        v = viewer()
        upload = (files or [None])[0]
        data = b"" if upload is None else await asyncio.to_thread(upload.file.read, portal_admin.MAX_LOGO_BYTES + 1)
        name = (upload.name or "") if upload is not None else ""
        errors = await call(portal_admin.set_logo, v.tenant_id, v.user_id, data, name)
        self.errors = errors
        self.notice = "" if errors else "admin.logo.saved"
        if not errors:
            await self._reload()

    @staff_event(PORTAL_ADMINISTRATION)
    async def remove_logo(self):
        v = viewer()
        removed = await call(portal_admin.remove_logo, v.tenant_id, v.user_id)
        self.errors = {}
        self.notice = "admin.logo.removed" if removed else ""
        await self._reload()

    @staff_event(PORTAL_ADMINISTRATION)
    async def save_payments(self, form_data: dict):
        """The Payments section: a key field left blank keeps the saved key; a saved
        key is then checked with the provider (its answer shows here)."""
        v = viewer()
        data = form_data if isinstance(form_data, dict) else {}
        form = {
            "enabled": bool(data.get("pay_enabled")),
            "provider": str(data.get("provider") or "")[:20],
            "secret_key": str(data.get("secret_key") or "")[: payments_config.MAX_KEY + 1],
            "webhook_secret": str(data.get("webhook_secret") or "")[: payments_config.MAX_KEY + 1],
            "methods": [m for m in METHODS if data.get(f"method_{m}")],
            "allow_multiple": bool(data.get("allow_multiple")),
        }
        self.pay_errors = await call(portal_admin.update_payment_settings, v.tenant_id, v.user_id, form)
        if self.pay_errors:
            self.pay_notice = ""
            return
        self.pay_notice = "payments.saved"
        if form["secret_key"] or form["enabled"]:
            problem = await asyncio.to_thread(payments_config.check_connection, v.tenant_id, v.user_id)
            self.pay_notice = "payments.saved_checked" if not problem else "payments.saved"
        await self._reload()

    @staff_event(PORTAL_ADMINISTRATION)
    async def check_payments(self):
        """Ask the provider whether it accepts the saved key."""
        v = viewer()
        problem = await asyncio.to_thread(payments_config.check_connection, v.tenant_id, v.user_id)
        self.pay_errors, self.pay_notice = {}, ("payments.checked_ok" if not problem else "")
        await self._reload()
        self.pay_problem = self.pay_problem or problem
