"""How history pages show wallet fields kept in ledger units: in currency units, never raw."""

from __future__ import annotations

from simple_history.template_utils import HistoricalRecordContextHelper

from .money import quantize_for

# Account fields kept in ledger units, shown in currency units on history pages.
MONEY_FIELDS = {"daily_bet_limit", "daily_loss_limit"}


class MoneyAwareContextHelper(HistoricalRecordContextHelper):
    """History pages show limits in currency units with the currency's digits, never ledger units."""

    def prepare_delta_change_value(self, change, value):
        if change.field in MONEY_FIELDS and isinstance(value, int):
            currency = getattr(self.record, "currency", None)
            digits = currency.digits if currency is not None else 5
            return f"{quantize_for(value, digits):,} {getattr(currency, 'code', '')}".strip()
        return super().prepare_delta_change_value(change, value)
