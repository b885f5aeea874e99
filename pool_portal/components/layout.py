"""The page shells: the portal's and the admin's (header with tenant name, navigation,
language switch and sign-out; responsive down to 360 px, links wrap), the centred
card of the pages before sign-in, and the furniture every page has (its title, the
link back)."""

from __future__ import annotations

import reflex as rx

from pool_portal.components import style
from pool_portal.components.i18n import T
from pool_portal.components.native_form import native_form
from pool_portal.components.selects import choice_options, dropdown
from pool_portal.settings import get_settings
from pool_portal.states.incidents.staff import BellState
from pool_portal.states.portal.page import PortalState
from pool_portal.states.shell import AppState


def language_switch() -> rx.Component:
    return dropdown(
        choice_options(AppState.language_options),
        value=AppState.lang,
        on_change=AppState.set_language,
        aria_label=T("nav.language"),
        id="language-switch",
        style=style.SELECT_SMALL,
    )


def sign_out_form(kind: str, everywhere: bool = False) -> rx.Component:
    """A plain POST form: the sign-out route revokes the session (or all of the
    user's sessions) and clears the cookie."""
    return native_form(
        rx.el.input(type="hidden", name="kind", value=kind),
        rx.el.input(type="hidden", name="everywhere", value="1" if everywhere else "0"),
        rx.button(
            T("nav.sign_out_everywhere" if everywhere else "nav.sign_out"),
            type="submit",
            variant="ghost" if everywhere else "soft",
            size="1" if everywhere else "2",
            id="sign-out-everywhere" if everywhere else "sign-out",
        ),
        action=get_settings().form_action("/auth/logout"),
        method="post",
    )


def view_switcher() -> rx.Component:
    """For users with several clients or a group: which part of the portfolio to see."""
    return rx.cond(
        PortalState.view_choices.length() > 1,
        dropdown(
            rx.foreach(
                PortalState.view_choices,
                lambda c: rx.el.option(rx.cond(c[0] == "all", T("view.all"), c[1]), value=c[0]),
            ),
            value=PortalState.view,
            on_change=PortalState.switch_view,
            aria_label=T("view.label"),
            id="view-switch",
            style=style.VIEW_SWITCH,
        ),
    )


def _nav_link(label_key: str, href: str, show=None) -> rx.Component:
    link = rx.link(T(label_key), href=href, weight="medium", size="3")
    return link if show is None else rx.cond(show, link)


def shell(
    kind: str,
    nav: list[tuple],
    *content: rx.Component,
    extra: rx.Component | None = None,
    banner: rx.Component | None = None,
) -> rx.Component:
    return rx.box(
        rx.el.a(T("nav.skip"), href="#main", class_name="skip-link"),
        banner if banner is not None else rx.fragment(),
        rx.el.header(
            rx.flex(
                rx.cond(
                    AppState.logo_url != "",
                    rx.image(
                        src=AppState.logo_url,
                        alt=AppState.tenant_name,
                        id="tenant-logo",
                        max_height="40px",
                        max_width="160px",
                        object_fit="contain",
                    ),
                ),
                rx.heading(
                    rx.cond(AppState.tenant_name != "", AppState.tenant_name, "Pool Portal"),
                    size="5",
                    id="tenant-name",
                ),
                rx.el.nav(
                    rx.flex(*[_nav_link(*item) for item in nav], spacing="4", wrap="wrap"),
                    aria_label=T("nav.main"),
                ),
                rx.spacer(),
                rx.flex(
                    extra if extra is not None else rx.fragment(),
                    language_switch(),
                    rx.cond(
                        AppState.signed_in,
                        rx.flex(
                            rx.text(AppState.user_name, size="2", id="user-name"),
                            rx.link(
                                T("nav.change_password"),
                                href="/portal/password" if kind == "portal" else "/admin/password",
                                size="2",
                                id="change-password",
                            ),
                            sign_out_form(kind),
                            sign_out_form(kind, everywhere=True),
                            spacing="3",
                            align="center",
                            wrap="wrap",
                        ),
                    ),
                    spacing="3",
                    align="center",
                    wrap="wrap",
                ),
                spacing="4",
                align="center",
                wrap="wrap",
                padding="0.75rem 1rem",
            ),
            style=style.header(AppState.brand_colour),
        ),
        rx.el.main(
            rx.box(*content, max_width="1100px", margin="0 auto", padding="1rem"),
            id="main",
        ),
        min_height="100vh",
    )


def portal_shell(*content: rx.Component) -> rx.Component:
    nav = [
        ("nav.home", "/portal"),
        ("nav.jobs", "/portal/jobs"),
        ("nav.quotes", "/portal/quotes", PortalState.docs["quotes"]),
        ("nav.invoices", "/portal/invoices", PortalState.docs["invoices"]),
        ("nav.reports", "/portal/reports", PortalState.docs["reports"]),
        ("nav.assets", "/portal/assets"),
        ("nav.defects", "/portal/defects"),
        ("nav.incidents", "/portal/incidents", PortalState.incidents_on),
        ("nav.request_job", "/portal/request-job"),
    ]
    report_fault = rx.cond(
        PortalState.incidents_on,
        rx.box(
            rx.link(
                rx.button(
                    rx.icon("triangle-alert", size=18),
                    T("incident.report_fault"),
                    size="3",
                    radius="full",
                    style=style.FLOATING_SHADOW,
                ),
                href="/portal/incidents/new",
                id="report-fault-fab",
            ),
            position="fixed",
            bottom="1rem",
            right="1rem",
            z_index="50",
            display=["block", "block", "none"],
        ),
    )
    return shell("portal", nav, *content, report_fault, extra=view_switcher(), banner=view_as_banner())


def view_as_banner() -> rx.Component:
    """While staff view the portal as a client: who, that it is read-only, and the way
    back (the server refuses every write whatever the page shows)."""
    return rx.cond(
        PortalState.viewing_as != "",
        rx.flex(
            rx.icon("eye", size=18),
            rx.text(T("view_as.banner"), " ", rx.text.strong(PortalState.viewing_as), ". ", T("view_as.read_only")),
            # A write the server refused while viewing as the client (states/guard.py).
            rx.cond(
                PortalState.refused_write != "",
                rx.text(PortalState.refused_write, weight="bold", role="alert", id="view-as-refused"),
            ),
            rx.spacer(),
            rx.button(
                T("view_as.end"),
                on_click=PortalState.end_view_as,
                size="2",
                variant="solid",
                color_scheme="amber",
                id="end-view-as",
            ),
            role="status",
            id="view-as-banner",
            align="center",
            spacing="3",
            wrap="wrap",
            padding="0.5rem 1rem",
            background="var(--amber-3)",
            border_bottom="2px solid var(--amber-8)",
        ),
    )


def bell() -> rx.Component:
    """Unread notifications; kept current while the page is open (see BellState)."""
    return rx.link(
        rx.icon("bell", size=18),
        rx.cond(BellState.unread > 0, rx.badge(BellState.unread.to_string(), color_scheme="red", id="bell-count")),
        href="/admin/notifications?unread=1",
        aria_label=T("nav.notifications"),
        id="bell",
        on_mount=BellState.start_bell,
        display="flex",
        align_items="center",
        gap="0.2rem",
    )


def admin_shell(*content: rx.Component) -> rx.Component:
    office = (AppState.staff_role == "ADMIN") | (AppState.staff_role == "OFFICE")
    admin = AppState.staff_role == "ADMIN"
    nav = [("nav.home", "/admin")]
    # Who sees an entry (each page's guard decides): ADMIN everything; OFFICE incidents,
    # data, clients, groups and imports; TECHNICIAN none of these (their visits are on
    # the home page, their notifications behind the bell).
    nav += [
        ("nav.incidents", "/admin/incidents", office),
        ("nav.data", "/admin/data", office),
        ("nav.clients", "/admin/clients", office),
        ("nav.groups", "/admin/groups", office),
        ("nav.import", "/admin/import", office),
        ("nav.portal_settings", "/admin/settings", admin),
        ("nav.staff", "/admin/staff", admin),
    ]
    return shell("staff", nav, *content, extra=bell())


def card_page(*children: rx.Component) -> rx.Component:
    """A centred card, for the pages before sign-in."""
    return rx.el.main(  # the page's main landmark
        rx.center(
            rx.card(
                rx.flex(
                    rx.flex(rx.spacer(), language_switch(), width="100%"),
                    *children,
                    direction="column",
                    spacing="4",
                ),
                width="100%",
                max_width="440px",
            ),
            min_height="100vh",
            padding="1rem",
        ),
    )


def title(label, **props) -> rx.Component:
    """The page's title (h1); ``label`` a catalogue key or a Var."""
    return rx.heading(T(label) if isinstance(label, str) else label, size="6", as_="h1", **props)


def back_link(label_key: str, href, **props) -> rx.Component:
    """ "‹ <label>": back to the list a record page was opened from."""
    return rx.link("‹ ", T(label_key), href=href, **props)
