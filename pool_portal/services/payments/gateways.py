"""Which gateway serves which provider: the one place a new provider is added."""

from __future__ import annotations

from pool_portal.models import PaymentProvider
from pool_portal.services.payments.gateway import Gateway
from pool_portal.services.payments.mollie_gateway import MollieGateway
from pool_portal.services.payments.stripe_gateway import StripeGateway

GATEWAYS: dict[PaymentProvider, Gateway] = {
    PaymentProvider.STRIPE: StripeGateway(),
    PaymentProvider.MOLLIE: MollieGateway(),
}
# The provider's name in the webhook's path: /payments/<name>/webhook.
BY_NAME: dict[str, PaymentProvider] = {p.value.lower(): p for p in GATEWAYS}


def gateway(provider: PaymentProvider) -> Gateway:
    return GATEWAYS[PaymentProvider(provider)]
