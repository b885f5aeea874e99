"""Online payment of invoices: the tenant's provider settings, checkout, the providers'
signed events and the payments they record (see docs/features.md, "Payments")."""
