"""Pool Portal: a self-hosted customer portal for service companies."""
