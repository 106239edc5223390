"""`{{ units|money:currency }}`: ledger units shown in currency units with the currency's digits and code."""

from django import template

from wallet.money import quantize_for

register = template.Library()


@register.filter
def money(units, currency):
    if units is None or units == "":
        return "—"
    digits = getattr(currency, "digits", 2)
    code = getattr(currency, "code", currency or "")
    return f"{quantize_for(int(units), digits):,} {code}".strip()
