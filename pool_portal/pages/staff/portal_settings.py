"""Control panel → Customer portal: default panels, document types, asset columns and
the asset-id label, incidents on/off, brand colour, payment instructions, default
job stage, and the logo (checked by content; shown in the portal header and on PDFs)."""

from __future__ import annotations

import reflex as rx

from pool_portal.components import style, upload
from pool_portal.components.fields import checkbox, field_error
from pool_portal.components.i18n import T
from pool_portal.components.layout import admin_shell, title
from pool_portal.components.notices import notice
from pool_portal.components.sections import fieldset
from pool_portal.components.selects import code_options, dropdown, enum_codes
from pool_portal.models import JobStage
from pool_portal.presentation import palette
from pool_portal.services.payments.gateway import METHODS
from pool_portal.services.portal import portal_settings
from pool_portal.services.staff import portal_admin
from pool_portal.states.shell import AppState
from pool_portal.states.staff.portal_settings import PortalSettingsState as S


def _flag(name: str, label_key: str) -> rx.Component:
    return rx.box(checkbox(name, T(label_key), S.flags[name], f"set-{name}"), field_error(S, name))


def _settings_form() -> rx.Component:
    return rx.form(
        rx.flex(
            fieldset(
                "admin.settings.panels",
                *[_flag(f"show_{p}", f"admin.panel.{p}") for p in portal_settings.PANELS],
                rx.text(T("admin.settings.panels_hint"), size="1", color_scheme="gray"),
                id="set-panels",
            ),
            fieldset("admin.settings.documents", *[_flag(f"show_{d}", f"nav.{d}") for d in portal_settings.DOCUMENTS]),
            fieldset("admin.settings.incidents", _flag("incidents_enabled", "admin.settings.incidents_enabled")),
            fieldset(
                "admin.settings.assets",
                rx.text(T("admin.settings.assets_hint"), size="1", color_scheme="gray"),
                rx.flex(
                    rx.foreach(
                        S.asset_column_choices,
                        lambda k: checkbox("col_" + k, T("assets." + k), S.asset_columns.contains(k), "set-col-" + k),
                    ),
                    spacing="3",
                    wrap="wrap",
                ),
                field_error(S, "asset_columns"),
                rx.el.label(T("admin.settings.asset_id_label"), html_for="set-asset_id_label"),
                rx.input(
                    name="asset_id_label",
                    id="set-asset_id_label",
                    default_value=S.asset_id_label,
                    max_length=portal_admin.MAX_ASSET_ID_LABEL + 10,
                    max_width="20rem",
                ),
                field_error(S, "asset_id_label"),
            ),
            fieldset(
                "admin.settings.branding",
                rx.el.label(T("admin.settings.brand_colour"), html_for="set-brand_colour"),
                rx.flex(
                    rx.input(
                        name="brand_colour",
                        id="set-brand_colour",
                        default_value=S.brand,
                        max_length=7,
                        max_width="10rem",
                        placeholder=palette.BRAND_DEFAULT,
                    ),
                    rx.box(
                        width="1.6rem",
                        height="1.6rem",
                        border_radius="4px",
                        background=S.brand,
                        border="1px solid var(--gray-7)",
                        aria_hidden="true",
                    ),
                    spacing="2",
                    align="center",
                ),
                field_error(S, "brand_colour"),
            ),
            fieldset(
                "admin.settings.payment",
                rx.el.label(T("admin.settings.payment_instructions"), html_for="set-payment_instructions"),
                rx.text_area(
                    name="payment_instructions",
                    id="set-payment_instructions",
                    rows="4",
                    default_value=S.payment_instructions,
                    max_length=portal_admin.MAX_PAYMENT_INSTRUCTIONS + 100,
                ),
                field_error(S, "payment_instructions"),
            ),
            fieldset(
                "admin.settings.jobs",
                rx.el.label(T("admin.settings.default_job_stage"), html_for="set-default_job_stage"),
                dropdown(
                    *code_options(enum_codes(JobStage), "stage."),
                    name="default_job_stage",
                    id="set-default_job_stage",
                    default_value=S.default_job_stage,
                    style=style.SELECT_FIT,
                ),
                field_error(S, "default_job_stage"),
            ),
            rx.cond(
                S.errors.length() > 0,
                rx.callout(T("admin.form.has_errors"), color_scheme="red", role="alert", id="settings-errors"),
            ),
            rx.button(T("admin.save"), type="submit", id="settings-save", size="3", width="fit-content"),
            direction="column",
            spacing="3",
        ),
        on_submit=S.save_settings,
        reset_on_submit=False,
        key=S.form_key.to_string(),
        id="settings-form",
    )


def _logo() -> rx.Component:
    return fieldset(
        "admin.logo.title",
        rx.text(T("admin.logo.hint"), size="1", color_scheme="gray"),
        rx.cond(
            AppState.logo_url != "",
            rx.flex(
                rx.image(
                    src=AppState.logo_url,
                    alt=T("admin.logo.current"),
                    id="settings-logo",
                    max_height="64px",
                    max_width="240px",
                    object_fit="contain",
                ),
                rx.button(
                    T("admin.logo.remove"),
                    on_click=S.remove_logo,
                    variant="soft",
                    color_scheme="red",
                    size="1",
                    id="logo-remove",
                ),
                spacing="3",
                align="center",
            ),
            rx.text(T("admin.logo.none"), size="2", id="logo-none"),
        ),
        upload.dropzone("logo-upload", "image-up", "admin.logo.pick", accept=upload.IMAGES),
        upload.selected_files("logo-upload"),
        field_error(S, "logo"),
        rx.button(
            T("admin.logo.upload"),
            id="logo-save",
            width="fit-content",
            on_click=S.upload_logo(rx.upload_files(upload_id="logo-upload")),
        ),
        id="settings-logo-section",
    )


def _pay_error(name: str) -> rx.Component:
    return rx.cond(
        S.pay_errors.contains(name),
        rx.text(T(S.pay_errors[name].to(str)), color_scheme="red", size="2", role="alert", id=f"pay-error-{name}"),
    )


def _secret(name: str, label_key: str, last4) -> rx.Component:
    """A key field: never filled in; what is saved shows only as its last four characters."""
    return rx.box(
        rx.el.label(T(label_key), html_for=f"pay-{name}"),
        rx.input(
            name=name,
            id=f"pay-{name}",
            type="password",
            auto_complete="off",
            max_length=300,
            placeholder=rx.cond(last4 != "", "…" + last4, ""),
        ),
        rx.cond(
            last4 != "",
            rx.text(T("payments.key_saved"), " …", last4, size="1", color_scheme="gray", id=f"pay-{name}-saved"),
        ),
        _pay_error(name),
    )


def _payments() -> rx.Component:
    """Admin → Customer portal → Payments: off by default; provider, keys, methods."""
    return rx.form(
        fieldset(
            "payments.title",
            rx.text(T("payments.intro"), size="1", color_scheme="gray"),
            checkbox("pay_enabled", T("payments.enabled"), S.pay_enabled, "pay-enabled"),
            _pay_error("enabled"),
            rx.el.label(T("payments.provider"), html_for="pay-provider"),
            dropdown(
                rx.el.option("Stripe", value="STRIPE"),
                rx.el.option("Mollie", value="MOLLIE"),
                name="provider",
                id="pay-provider",
                default_value=S.pay_provider,
                style=style.SELECT_FIT,
            ),
            _pay_error("provider"),
            _secret("secret_key", "payments.secret_key", S.pay_key_last4),
            _secret("webhook_secret", "payments.webhook_secret", S.pay_hook_last4),
            rx.text(T("payments.webhook_url"), ": ", rx.code(S.pay_webhook_url), size="1", id="pay-webhook-url"),
            rx.text(T("payments.methods"), size="2"),
            rx.flex(
                *[
                    checkbox(f"method_{m}", T(f"payments.method.{m}"), S.pay_methods.contains(m), f"pay-method-{m}")
                    for m in METHODS
                ],
                spacing="3",
                wrap="wrap",
            ),
            rx.text(T("payments.methods_hint"), size="1", color_scheme="gray"),
            _pay_error("methods"),
            checkbox("allow_multiple", T("payments.allow_multiple"), S.pay_multiple, "pay-multiple"),
            rx.cond(
                S.pay_problem != "",
                rx.callout(
                    rx.text(T(S.pay_problem), " ", S.pay_problem_at), color_scheme="red", role="alert", id="pay-problem"
                ),
            ),
            rx.cond(
                S.pay_notice != "",
                rx.callout(T(S.pay_notice), color_scheme="green", role="status", id="pay-notice"),
            ),
            rx.flex(
                rx.button(T("admin.save"), type="submit", id="pay-save", width="fit-content"),
                rx.button(
                    T("payments.check"), type="button", variant="soft", on_click=S.check_payments, id="pay-check"
                ),
                spacing="2",
            ),
            id="settings-payments",
        ),
        on_submit=S.save_payments,
        reset_on_submit=True,
        key="pay-" + S.form_key.to_string(),
        id="payments-form",
    )


def settings_page() -> rx.Component:
    return admin_shell(
        title("admin.settings.title", margin_bottom="0.25rem"),
        rx.text(T("admin.settings.intro"), size="2", color_scheme="gray", margin_bottom="0.75rem"),
        notice(S, "settings-notice", margin_bottom="0.75rem"),
        rx.cond(
            S.loaded,
            rx.grid(
                _settings_form(),
                rx.flex(_logo(), _payments(), direction="column", spacing="4"),
                columns=rx.breakpoints(initial="1", md="2"),
                spacing="4",
                align_items="start",
            ),
            rx.text(T("common.loading")),
        ),
    )
