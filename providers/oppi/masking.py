"""Oppi's live launch credentials (spec section 1), masked on every admin page by lobby.masking.

`/game/url` answers `gameUrl`, which plays the player's money as it is (its format is Oppi's, so
all of it but the scheme and host is hidden), and the `sessionId` its wallet calls name."""

from lobby.masking import CredentialRule

CREDENTIALS = CredentialRule(
    token_keys=frozenset({"sessionId"}),
    url_keys=frozenset({"gameUrl"}),
    whole_url=True,
)
