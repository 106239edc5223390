"""Player-page forms: how the player wants games to open."""

from __future__ import annotations

import re

from django import forms

from core.models import LaunchMethod
from wallet.money import AmountError, quantize_for, to_units

DEVICE_CHOICES = [("auto", "Auto"), ("desktop", "Desktop"), ("mobile", "Mobile")]
METHOD_CHOICES = [("", "As the provider prefers"), *LaunchMethod.choices]


class PreferencesForm(forms.Form):
    device = forms.ChoiceField(choices=DEVICE_CHOICES, required=False)
    method = forms.ChoiceField(choices=METHOD_CHOICES, required=False, label="Open games")
    currency = forms.CharField(max_length=8, required=False)

    def __init__(self, *args, currencies=None, **kwargs):
        """`currencies`: the codes the player can hold (their wallets); None accepts any (a form
        shown, not checked)."""
        super().__init__(*args, **kwargs)
        self.currencies = None if currencies is None else set(currencies)

    def clean_currency(self) -> str:
        currency = (self.cleaned_data.get("currency") or "").strip().upper()
        if currency and self.currencies is not None and currency not in self.currencies:
            raise forms.ValidationError("You have no wallet in this currency.")
        return currency


class LaunchForm(forms.Form):
    game = forms.CharField(max_length=64, required=False)


# Plain decimal notation only: ASCII digits with at most one dot. No sign, exponent, spaces,
# thousands separators, "NaN" or "Infinity".
AMOUNT_TEXT = re.compile(r"[0-9]{1,12}(\.[0-9]{1,5})?")


def amount_parse(text: str, *, currency: str, digits: int) -> int:
    """An amount typed by a player, in currency units, as ledger units; ValidationError when it
    is not a plain number with at most the currency's digits."""
    text = (text or "").strip()
    if not AMOUNT_TEXT.fullmatch(text):
        raise forms.ValidationError(f"Write the amount as a plain number, e.g. {'12.50' if digits else '12'}.")
    try:
        return to_units(text, digits=digits)
    except AmountError as exc:
        if digits == 0:
            raise forms.ValidationError(f"{currency} amounts have no decimals.") from exc
        raise forms.ValidationError(f"{currency} amounts have at most {digits} decimals.") from exc


class DepositForm(forms.Form):
    """How much to take into a transfer-mode provider before its lobby opens."""

    amount = forms.CharField(max_length=32, label="Amount to take in")
    game = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)
    method = forms.CharField(max_length=16, required=False, widget=forms.HiddenInput)

    def __init__(self, *args, wallet, allow_zero: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.wallet = wallet
        self.allow_zero = allow_zero
        digits = wallet.currency.digits
        self.fields["amount"].label = f"Amount to take in ({wallet.currency_id})"
        # No placeholder (a grey "12.50" reads as a value already there): the hint says the format.
        self.fields["amount"].widget.attrs.update({"inputmode": "decimal" if digits else "numeric",
                                                   "autocomplete": "off", "aria-describedby": "amount-hint"})
        self.fields["amount"].help_text = (f"A plain number, e.g. {'12.50' if digits else '12'}; "
                                           f"{digits} decimal{'s' if digits != 1 else ''} at most."
                                           if digits else "A whole number, e.g. 12.")

    def clean_amount(self) -> int:
        units = amount_parse(self.cleaned_data["amount"], currency=self.wallet.currency_id,
                             digits=self.wallet.currency.digits)
        if units == 0 and not self.allow_zero:
            raise forms.ValidationError("Choose an amount above zero.")
        if units > self.wallet.balance:
            raise forms.ValidationError(
                f"You have only {quantize_for(self.wallet.balance, self.wallet.currency.digits)} "
                f"{self.wallet.currency_id}.")
        return units
