"""Reflex state classes: thin, they ask services and hold view data."""
