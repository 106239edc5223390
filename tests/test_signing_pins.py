"""Signatures pinned against the specs' formulas, computed here with hmac/hashlib alone.

The rest of the suite signs its 1G calls with the production `sign()`, so a wrong algorithm
there (SHA-1 instead of SHA-256, another encoding, another message) would be invisible: both
sides would agree. Here the expected values come from the spec's formula written out again,
plus fixed vectors (RFC 4231 and digests computed once, outside the app, and hard-coded).

And through the real views: a signature is accepted only whole and exact. A prefix of the
right signature, the right one with characters added, or one character changed is refused
and moves no money (spec 1G section 1 and Oppi section 0: constant-time comparison of the
full signature).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import pytest

from providers.onegaming import signing as og_signing
from providers.oppi import signing as oppi_signing
from providers.oppi.codes import Status
from tests.factories import GameFactory
from tests.onegaming.wire import dumps, envelope
from tests.onegaming.wire import launch as og_launch
from tests.oppi.conftest import GAME, bet_body
from tests.oppi.conftest import launch as oppi_launch
from wallet.models import Account

# RFC 4231, test case 2: HMAC-SHA256(key "Jefe", "what do ya want for nothing?").
RFC4231_KEY = "Jefe"
RFC4231_DATA = b"what do ya want for nothing?"
RFC4231_SHA256 = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
# The 1G seed's bcode example: IGBO + CLi3000001 + Mikha with the test secret (computed once with hmac).
BCODE_MIKHA = "850758e418e0ac4ee12a4e68d75e7c6c31b448b6299246206938551a49e5e304"
OG_BODY = b'{"agent_code":"IGBO","request_id":"r1"}'
OG_BODY_SHA256 = "66f8b12b9deef5a3bb7c991d6d617ef21e7a4a29ba678c256c4ca729a1418338"
OPPI_BODY_SHA256 = "7a3e9b7a070913f6d07ba160a70a1f2bc4afe9ad5a14c138dedc9d8d745295f4"  # '{"sessionId":"s"}|1700000000000'
OPPI_EMPTY_SHA256 = "2e6cdde008d1a84bb7a89e834040cff10c30306468003b58d8bb615574381c42"  # '|1700000000000'


def spec_hmac_sha256_hex(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def one_char_changed(signature: str) -> str:
    last = signature[-1]
    return signature[:-1] + ("0" if last != "0" else "1")


# --- 1G: UG-Data-Signature and bcode (spec 1G section 1) ------------------------------------


def test_1g_sign_is_hmac_sha256_hex_of_the_body_rfc4231_vector():
    assert og_signing.sign(RFC4231_KEY, RFC4231_DATA) == RFC4231_SHA256


def test_1g_sign_is_hmac_sha256_hex_of_the_exact_body_bytes():
    assert og_signing.sign("s3cr3t-1g", OG_BODY) == OG_BODY_SHA256
    assert spec_hmac_sha256_hex("s3cr3t-1g", OG_BODY) == OG_BODY_SHA256  # the vector itself is the formula's


@pytest.mark.parametrize("secret, body", [
    ("s3cr3t-1g", b""),
    ("k", b'{"amount":"100.00"}'),
    ("x" * 50, '{"username":"Mikhä"}'.encode()),  # a 50-character secret, UTF-8 body bytes
    ("s3cr3t-1g", b'{"a": 1}'),  # spaces are part of the signed bytes
])
def test_1g_sign_matches_the_spec_formula_for_any_body(secret, body):
    expected = spec_hmac_sha256_hex(secret, body)
    assert og_signing.sign(secret, body) == expected
    assert len(expected) == 64


def test_1g_signature_valid_accepts_the_spec_signature_in_either_case():
    expected = spec_hmac_sha256_hex("s3cr3t-1g", OG_BODY)
    assert og_signing.signature_valid("s3cr3t-1g", OG_BODY, expected)
    assert og_signing.signature_valid("s3cr3t-1g", OG_BODY, expected.upper())


@pytest.mark.parametrize("mangle", ["prefix63", "prefix32", "extra", "one_char", "sha1", "empty", "none"])
def test_1g_signature_valid_refuses_anything_but_the_whole_signature(mangle):
    right = spec_hmac_sha256_hex("s3cr3t-1g", OG_BODY)
    received = {
        "prefix63": right[:63], "prefix32": right[:32], "extra": right + "0", "one_char": one_char_changed(right),
        "sha1": hmac.new(b"s3cr3t-1g", OG_BODY, hashlib.sha1).hexdigest(), "empty": "", "none": None,
    }[mangle]
    assert not og_signing.signature_valid("s3cr3t-1g", OG_BODY, received)


@pytest.mark.parametrize("garbage", ["\ud800" * 64, "é" * 64, "\x00"])
def test_1g_signature_valid_refuses_unencodable_text_without_crashing(garbage):
    """Bad input never crashes: a lone surrogate or non-ASCII text is simply not the signature."""
    assert og_signing.signature_valid("s3cr3t-1g", OG_BODY, garbage) is False


def test_1g_bcode_is_hmac_sha256_of_agent_player_username_concatenated():
    assert og_signing.bcode("s3cr3t-1g", "IGBO", "CLi3000001", "Mikha") == BCODE_MIKHA
    assert spec_hmac_sha256_hex("s3cr3t-1g", b"IGBOCLi3000001Mikha") == BCODE_MIKHA
    assert og_signing.bcode("k", "A", "p1", "Zoë") == spec_hmac_sha256_hex("k", "Ap1Zoë".encode())


# --- Oppi: x-signature (spec Oppi section 0) ------------------------------------------------


def test_oppi_sign_is_hmac_sha256_of_body_pipe_timestamp():
    assert oppi_signing.sign("s3cr3t-oppi", b'{"sessionId":"s"}', 1700000000000) == OPPI_BODY_SHA256
    assert oppi_signing.sign("s3cr3t-oppi", '{"sessionId":"s"}', "1700000000000") == OPPI_BODY_SHA256


@pytest.mark.parametrize("garbage", ["\ud800" * 64, "é" * 64, None])
def test_oppi_signature_valid_refuses_unencodable_text_without_crashing(garbage):
    assert oppi_signing.signature_valid("s3cr3t-oppi", b"{}", "1700000000000", garbage) is False


def test_oppi_sign_of_no_body_is_over_the_empty_string():
    assert oppi_signing.sign("s3cr3t-oppi", b"", 1700000000000) == OPPI_EMPTY_SHA256


def test_oppi_canonical_body_is_compact_utf8_json():
    assert oppi_signing.canonical_body({"a": 1, "name": "Zoë"}) == '{"a":1,"name":"Zoë"}'.encode()


@pytest.mark.parametrize("mangle", ["prefix63", "prefix32", "extra", "one_char", "other_ts", "non_ascii", "empty"])
def test_oppi_signature_valid_refuses_anything_but_the_whole_signature(mangle):
    body, ts = b'{"sessionId":"s"}', "1700000000000"
    right = spec_hmac_sha256_hex("s3cr3t-oppi", body + b"|" + ts.encode())
    assert oppi_signing.signature_valid("s3cr3t-oppi", body, ts, right)
    received = {
        "prefix63": right[:63], "prefix32": right[:32], "extra": right + "a", "one_char": one_char_changed(right),
        "other_ts": spec_hmac_sha256_hex("s3cr3t-oppi", body + b"|1700000000001"), "non_ascii": right[:63] + "é",
        "empty": "",
    }[mangle]
    assert not oppi_signing.signature_valid("s3cr3t-oppi", body, ts, received)


# --- through the real views ----------------------------------------------------------------

MANGLES = ["prefix_63", "prefix_1", "extra_char", "extra_block", "one_char_changed"]


def _mangled(right: str, how: str) -> str:
    return {
        "prefix_63": right[:63], "prefix_1": right[:1], "extra_char": right + "0", "extra_block": right + right,
        "one_char_changed": one_char_changed(right),
    }[how]


@pytest.fixture
def og_bet_raw(onegaming, rich_player) -> bytes:
    """A valid, freshly stamped 1G bet of 100.00 IDR by Mikha, as the bytes sent."""
    token = og_launch(onegaming, rich_player).token
    return dumps(envelope({"player_id": "CLi3000001", "l_token": token, "currency": "IDR", "game_id": 301,
                           "round_id": "R1", "txn_id": "B1", "txn_ticket": "T1", "amount": "100.00"}))


@pytest.fixture
def oppi_session(oppi, rich_player):
    GameFactory(integration=oppi, game_id=GAME, name="Crash")
    return oppi_launch(oppi, rich_player)


def _balance(player, currency: str) -> int:
    return Account.objects.get(player=player, currency_id=currency, kind="wallet").balance


@pytest.mark.django_db
@pytest.mark.parametrize("how", MANGLES)
def test_1g_bet_refused_unless_the_signature_is_whole_and_exact(client, rich_player, og_bet_raw, how):
    before, raw = _balance(rich_player, "IDR"), og_bet_raw
    right = spec_hmac_sha256_hex("s3cr3t-1g", raw)
    response = client.post("/api/onegaming/bet", data=raw, content_type="application/json",
                           HTTP_UG_DATA_SIGNATURE=_mangled(right, how))
    assert response.status_code == 200
    assert json.loads(response.content)["status"] == "INVALID_SIGNATURE"
    assert _balance(rich_player, "IDR") == before


@pytest.mark.django_db
def test_1g_bet_accepted_with_the_spec_signature(client, rich_player, og_bet_raw):
    """The control for the refusals above: the same call, signed per the spec, is applied."""
    raw = og_bet_raw
    response = client.post("/api/onegaming/bet", data=raw, content_type="application/json",
                           HTTP_UG_DATA_SIGNATURE=spec_hmac_sha256_hex("s3cr3t-1g", raw))
    assert json.loads(response.content)["status"] == "OK"
    assert _balance(rich_player, "IDR") == 1_400_00000


def _oppi_bet(client, oppi, signature_of):
    raw = json.dumps(bet_body(), separators=(",", ":")).encode()
    ts = str(time.time_ns() // 1_000_000)
    right = spec_hmac_sha256_hex(oppi.secret, raw + b"|" + ts.encode())
    response = client.post("/api/oppi/transaction/bet", data=raw, content_type="application/json",
                           headers={"x-api-key": oppi.api_key, "x-timestamp": ts, "x-signature": signature_of(right)})
    assert response.status_code == 200
    return response.json()


@pytest.mark.django_db
@pytest.mark.parametrize("how", MANGLES)
def test_oppi_bet_refused_unless_the_signature_is_whole_and_exact(client, oppi, oppi_session, rich_player, how):
    before = _balance(rich_player, "IDR")
    answer = _oppi_bet(client, oppi, lambda right: _mangled(right, how))
    assert answer["status"] == Status.SIGNATURE_NOT_MATCH
    assert _balance(rich_player, "IDR") == before


@pytest.mark.django_db
def test_oppi_bet_accepted_with_the_spec_signature(client, oppi, oppi_session, rich_player):
    answer = _oppi_bet(client, oppi, lambda right: right)
    assert answer["status"] == Status.OK
    assert _balance(rich_player, "IDR") < 1_500_00000


def test_1g_signing_with_an_encoding_of_no_known_name_says_which():
    # The integration setting is hex or base64 (spec section 1); anything else is a configuration
    # error that names itself, never a signature.
    with pytest.raises(ValueError) as wrong:
        og_signing.sign("secret", b"{}", encoding="base32")
    assert str(wrong.value) == "unknown signature encoding 'base32'"


def test_oppi_signature_check_takes_upper_case_hex_unless_told_otherwise():
    body, ts = b'{"a":1}', "1764000000000"
    expected = hmac.new(b"s3cr3t", body + b"|" + ts.encode(), hashlib.sha256).hexdigest()
    assert oppi_signing.signature_valid("s3cr3t", body, ts, expected.upper())
    assert not oppi_signing.signature_valid("s3cr3t", body, ts, expected.upper(), any_case=False)
    assert oppi_signing.signature_valid("s3cr3t", body, ts, expected, any_case=False)


def test_1g_checking_with_an_encoding_of_no_known_name_says_which():
    with pytest.raises(ValueError) as wrong:
        og_signing.signature_valid("secret", b"{}", "abc", encoding="base32")
    assert str(wrong.value) == "unknown signature encoding 'base32'"


def test_1g_base64_signature_is_taken_in_the_url_safe_alphabet_with_or_without_padding():
    # Dialect (spec section 1, encoding setting): base64 inbound in the standard or URL-safe
    # alphabet, padding optional. A body whose digest needs both '+' and '/' in standard base64.
    import base64

    for n in range(1000):
        body = f'{{"n":{n}}}'.encode()
        digest = hmac.new(b"b64-secret", body, hashlib.sha256).digest()
        standard = base64.b64encode(digest).decode()
        if "+" in standard and "/" in standard:
            break
    url_safe = base64.urlsafe_b64encode(digest).decode()
    assert "-" in url_safe and "_" in url_safe
    for text in (standard, standard.rstrip("="), url_safe, url_safe.rstrip("=")):
        assert og_signing.signature_valid("b64-secret", body, text, encoding="base64"), text
    assert not og_signing.signature_valid("b64-secret", body + b" ", url_safe, encoding="base64")
