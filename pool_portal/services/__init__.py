"""Plain-Python domain rules. No Reflex imports in this package."""
