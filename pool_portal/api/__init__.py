"""Backend HTTP routes, mounted on the Reflex app through api_transformer."""
