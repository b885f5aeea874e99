"""All SQLModel tables. Importing this package registers them on SQLModel.metadata."""

from pool_portal.models.auth import AuditEvent, AuthToken, LoginThrottle, SessionTab, TokenPurpose, UserSession
from pool_portal.models.base import utcnow
from pool_portal.models.clients import (
    Client,
    ClientGroup,
    ClientGroupMember,
    Membership,
    MembershipRole,
    PortalUser,
)
from pool_portal.models.documents import Document, Report, ReportStatus
from pool_portal.models.finance import (
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    Quote,
    QuoteKind,
    QuoteLine,
    QuoteStatus,
)
from pool_portal.models.incidents import (
    Incident,
    IncidentAttachment,
    IncidentCategory,
    IncidentMessage,
    IncidentState,
    IncidentTask,
    MessageAuthor,
    Priority,
)
from pool_portal.models.integration import ApiKey, ApiRateWindow
from pool_portal.models.notifications import Notification, NotificationKind
from pool_portal.models.payments import (
    CheckoutAttempt,
    CheckoutInvoice,
    CheckoutStatus,
    Payment,
    PaymentEvent,
    PaymentProvider,
    PaymentSettings,
    PaymentStatus,
)
from pool_portal.models.portal_settings import ClientPortalSettings, PortalSettings
from pool_portal.models.sites import Asset, Site
from pool_portal.models.tenancy import StaffRole, StaffUser, Tenant
from pool_portal.models.work import (
    SEVERITY_ORDER,
    Job,
    JobKind,
    JobStage,
    Remark,
    RemarkStatus,
    Severity,
    Visit,
    VisitStatus,
)

__all__ = [name for name in dir() if not name.startswith("_")]
