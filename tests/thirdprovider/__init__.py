"""A made-up seamless provider ("Third Wave"), kept under tests/ to prove that a third provider is
one package plus its line in settings.INSTALLED_PROVIDERS (issue 23). Nothing outside this folder
names it; tests install it with `settings.INSTALLED_PROVIDERS = [..., "tests.thirdprovider"]`.

Its protocol, entirely ours: JSON POSTs to /api/thirdwave/<bet|result|rollback>, headers
`X-TW-Key` (the integration's API key) and `X-TW-Sign` (hex HMAC-SHA256 of the raw body with the
integration's secret); bodies {"player", "txn", "ticket", "game", "currency", "amount"}
(amount a decimal string in currency units; a rollback names the bet in "ticket"); answers
{"status", "balance"} with status OK, NO_MONEY, DENIED, UNKNOWN_TXN or ERROR.
"""
