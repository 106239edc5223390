"""Reference data the migrations load: the seed's currencies with their wire digits."""

CURRENCIES: list[tuple[str, str, int]] = [
    ("IDR", "Indonesian rupiah", 2),
    ("MYR", "Malaysian ringgit", 2),
    ("VND", "Vietnamese dong", 0),
    ("CNY", "Chinese yuan", 2),
    ("THB", "Thai baht", 2),
    ("USD", "US dollar", 2),
    ("PHP", "Philippine peso", 2),
    ("HKD", "Hong Kong dollar", 2),
    ("SGD", "Singapore dollar", 2),
    ("MMK", "Myanmar kyat", 2),
    ("INR", "Indian rupee", 2),
    ("BND", "Brunei dollar", 2),
    ("VND2", "Vietnamese dong (thousands; 1 VND2 = 1,000 VND)", 3),
]


def currencies_load(currency_model) -> None:
    """Create or update the currencies (the data migration passes its historical model)."""
    for code, name, digits in CURRENCIES:
        currency_model.objects.update_or_create(code=code, defaults={"name": name, "digits": digits})
