"""Pages: layout only; data comes from states."""
