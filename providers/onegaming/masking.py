"""1G's live launch credentials (spec section 2), masked on every admin page by lobby.masking.

The lobby entry URL carries the `l_token` and the `bcode` derived from it; 1G's `/lobby/url`
answer is a URL (`url`) that opens the player's lobby; callbacks name the `l_token`."""

from lobby.masking import CredentialRule

CREDENTIALS = CredentialRule(
    query_params=frozenset({"l_token", "bcode"}),
    token_keys=frozenset({"l_token", "bcode"}),
    url_keys=frozenset({"url"}),
)
