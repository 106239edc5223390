"""Transfer-mode orders live here (next milestone: see docs/decisions.md)."""
