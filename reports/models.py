"""Report aggregates live here (next milestone: see docs/decisions.md)."""
