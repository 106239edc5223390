"""The revised 1G contract (onegaming.md, "Revised 2026-11-29"), through the real signed views:
`datetime` formats and the integration's time zone, the 10-second window for balance and bet only,
the signature encoding setting, the inbound sub-agent, games inside "list" products, and the
dialect's wire names. Signatures come from hmac/hashlib (tests/onegaming/wire.py); the clock is
frozen (`clock`), so no test depends on how fast the machine is."""

import datetime as dt
import io
import json
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from core.models import Integration, SignatureEncoding
from lobby.integrations import IntegrationError, integration_upsert
from providers.onegaming import dialect
from tests.factories import GameFactory
from tests.onegaming.wire import dumps, envelope, hmac_sha256, sign
from wallet.models import Account, GameTransaction

MIKHA = "CLi3000001"


def idr(player) -> Decimal:
    return Decimal(Account.objects.get(player=player, currency="IDR", kind="wallet").balance) / 100000


def result_fields(**overrides):
    return {"player_id": MIKHA, "currency": "IDR", "game_id": 301, "round_id": "R1", "txn_id": "W1",
            "txn_ticket": "T1", "amount": "250.00", **overrides}


def rollback_fields(**overrides):
    return {"player_id": MIKHA, "currency": "IDR", "game_id": 301, "txn_id": "RB1", "txn_ticket": "T1", **overrides}


def post_with_datetime(wire, call: str, fields: dict, value) -> dict:
    body = envelope(fields)
    body["datetime"] = value
    return wire.post(call, raw=dumps(body))


def epoch_ms(moment: dt.datetime) -> int:
    return (moment - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)) // dt.timedelta(milliseconds=1)


# --- datetime: the accepted forms -------------------------------------------------------------------


@pytest.mark.parametrize("render", [
    lambda now: now.isoformat(timespec="milliseconds").replace("+00:00", "Z"),  # the spec's example form
    lambda now: now.astimezone(ZoneInfo("Asia/Jakarta")).isoformat(),  # +07:00
    lambda now: now.astimezone(ZoneInfo("Asia/Jakarta")).strftime("%Y-%m-%dT%H:%M:%S+0700"),
    lambda now: now.strftime("%Y-%m-%dT%H:%M:%S.%f") + "z",
    lambda now: now.strftime("%Y-%m-%dT%H:%M:%S"),  # no zone: the integration's zone (UTC by default)
    lambda now: now.strftime("%Y-%m-%d %H:%M:%S"),  # YYYY-MM-DD HH:MM:SS
    lambda now: now.strftime("%Y-%m-%d %H:%M:%S.") + "123",  # ...[.fff]
    lambda now: epoch_ms(now),  # Unix epoch in milliseconds, a JSON integer
], ids=["z", "offset", "offset-compact", "lowercase-z", "iso-no-zone", "space", "space-millis", "epoch-ms"])
def test_bet_accepts_every_datetime_form_of_the_spec(wire, bet_fields, rich_player, clock, render):
    answer = post_with_datetime(wire, "bet", bet_fields(), render(clock.now))
    assert answer["status"] == "OK" and idr(rich_player) == Decimal("1400.00")


def test_a_datetime_without_zone_is_read_in_the_integrations_time_zone(wire, onegaming, bet_fields, clock):
    onegaming.time_zone = "Asia/Jakarta"
    onegaming.save()
    utc_wall = clock.now.strftime("%Y-%m-%d %H:%M:%S")
    jakarta_wall = clock.now.astimezone(ZoneInfo("Asia/Jakarta")).strftime("%Y-%m-%d %H:%M:%S")
    assert post_with_datetime(wire, "bet", bet_fields(), utc_wall)["status"] == "REQUEST_TIMEOUT"  # 7 h off
    assert post_with_datetime(wire, "bet", bet_fields(), jakarta_wall)["status"] == "OK"
    # A zone in the value wins over the setting.
    stamped = clock.now.isoformat().replace("+00:00", "Z")
    assert post_with_datetime(wire, "bet", bet_fields(txn_id="B2", txn_ticket="T2"), stamped)["status"] == "OK"


def test_epoch_milliseconds_are_judged_by_the_window_to_the_millisecond(wire, bet_fields, clock):
    now_ms = epoch_ms(clock.now)
    assert post_with_datetime(wire, "bet", bet_fields(), now_ms - 10_001)["status"] == "REQUEST_TIMEOUT"
    assert post_with_datetime(wire, "bet", bet_fields(), now_ms + 10_000)["status"] == "OK"


@pytest.mark.parametrize("value", [
    "2026-11-22", "2026-11-22T01:15", "20261122T011502Z", "1700000000000", "2026-13-01T00:00:00Z",
    "2026-11-22T25:00:00Z", "2026-11-22T01:15:02+25:00", "2026-11-22T01:15:02.Z", "١٧٠٠", 1.7e12, True, [1], {},
    10 ** 30, None,
])
@pytest.mark.parametrize("call", ["bet", "result", "rollback"])
def test_anything_else_is_invalid_syntax_for_every_call(wire, bet_fields, rich_player, clock, call, value):
    fields = {"bet": bet_fields(), "result": result_fields(), "rollback": rollback_fields()}[call]
    body = envelope(fields)
    body["datetime"] = value
    raw = json.dumps(body).encode() if not isinstance(value, float) else dumps(body).replace(b"1700000000000.0",
                                                                                            b"1.7e12")
    assert wire.post(call, raw=raw)["status"] == "INVALID_SYNTAX"
    assert not GameTransaction.objects.exists()


# --- the window: balance and bet only ---------------------------------------------------------------


def test_a_stale_balance_is_request_timeout(wire, rich_player, clock):
    assert wire.post("balance", {"player_id": MIKHA, "currency": "IDR"}, offset_seconds=-11)["status"] == \
        "REQUEST_TIMEOUT"
    assert wire.post("balance", {"player_id": MIKHA, "currency": "IDR"}, offset_seconds=-10)["status"] == "OK"


def test_a_stale_result_pays_the_money_it_carries(wire, bet_fields, rich_player, clock):
    bet_stamp = clock.now
    assert wire.bet(**bet_fields())["status"] == "OK"
    clock.advance(hours=3)  # 1G retries the result with its original datetime, long after
    body = envelope(result_fields())
    body["datetime"] = bet_stamp.isoformat().replace("+00:00", "Z")
    answer = wire.post("result", raw=dumps(body))
    assert answer["status"] == "OK" and answer["balance"] == Decimal("1650.00")
    assert idr(rich_player) == Decimal("1650.00")
    assert wire.post("result", raw=dumps(body))["status"] == "OK" and idr(rich_player) == Decimal("1650.00")  # replay


def test_a_stale_rollback_returns_the_money_it_carries(wire, bet_fields, rich_player, clock):
    assert wire.bet(**bet_fields())["status"] == "OK"
    assert idr(rich_player) == Decimal("1400.00")
    answer = wire.post("rollback", rollback_fields(), offset_seconds=-86_400)
    assert answer["status"] == "OK" and answer["balance"] == Decimal("1500.00")
    assert idr(rich_player) == Decimal("1500.00")


def test_a_result_dated_in_the_future_is_paid_too(wire, bet_fields, rich_player, clock):
    assert wire.bet(**bet_fields())["status"] == "OK"
    assert wire.post("result", result_fields(), offset_seconds=600)["status"] == "OK"
    assert idr(rich_player) == Decimal("1650.00")


def test_a_stale_batch_refuses_its_bets_and_applies_results_and_rollbacks(wire, bet_fields, onegaming, rich_player,
                                                                          clock):
    assert wire.bet(**bet_fields(txn_id="B1", txn_ticket="T1"))["status"] == "OK"
    assert wire.bet(**bet_fields(txn_id="B2", txn_ticket="T2"))["status"] == "OK"
    assert idr(rich_player) == Decimal("1300.00")
    items = [
        {"type": "bet", **bet_fields(txn_id="B3", txn_ticket="T3")},
        {"type": "result", **result_fields(txn_id="W1", txn_ticket="T1", amount="250.00")},
        {"type": "rollback", **rollback_fields(txn_id="RB2", txn_ticket="T2")},
        {"type": "bet", "player_id": MIKHA},  # a bet item is refused by the window before its fields are read
    ]
    answer = wire.post("transactions", {"transactions": items}, offset_seconds=-120)
    assert answer["status"] == "OK"
    assert [(r.get("txn_id"), r["status"]) for r in answer["results"]] == [
        ("B3", "REQUEST_TIMEOUT"), ("W1", "OK"), ("RB2", "OK"), (None, "REQUEST_TIMEOUT")]
    assert idr(rich_player) == Decimal("1300.00") + Decimal("250.00") + Decimal("100.00")
    assert not GameTransaction.objects.filter(external_id="B3").exists()


def test_a_fresh_batch_still_takes_its_bets(wire, bet_fields, rich_player, clock):
    answer = wire.post("transactions", {"transactions": [{"type": "bet", **bet_fields()}]}, offset_seconds=-10)
    assert [r["status"] for r in answer["results"]] == ["OK"]


def test_a_result_without_datetime_is_invalid_syntax(wire, bet_fields, rich_player, clock):
    assert wire.bet(**bet_fields())["status"] == "OK"
    assert wire.post("result", result_fields(), drop=("datetime",))["status"] == "INVALID_SYNTAX"
    assert idr(rich_player) == Decimal("1400.00")


# --- time zone setting ------------------------------------------------------------------------------


def test_time_zone_must_be_a_real_zone_name(db):
    with pytest.raises(IntegrationError, match="time_zone"):
        integration_upsert(provider="onegaming", code="og-tz", secret="s", agent_code="TZ", time_zone="Mars/Olympus")
    integration, _ = integration_upsert(provider="onegaming", code="og-tz", secret="s", agent_code="TZ",
                                        time_zone="Asia/Jakarta")
    assert integration.time_zone == "Asia/Jakarta"
    assert Integration.objects.get(code="og-tz").signature_encoding == "hex"  # defaults


def test_integration_add_sets_time_zone_and_signature_encoding(db):
    out = io.StringIO()
    call_command("integration_add", "onegaming", "og-cmd", "--secret", "s", "--agent-code", "CMD",
                 "--signature-encoding", "base64", "--time-zone", "Asia/Ho_Chi_Minh", stdout=out)
    integration = Integration.objects.get(code="og-cmd")
    assert (integration.signature_encoding, integration.time_zone) == ("base64", "Asia/Ho_Chi_Minh")
    assert json.loads(out.getvalue())["signature_encoding"] == "base64"
    call_command("integration_add", "onegaming", "og-cmd", "--secret", "s", "--agent-code", "CMD", stdout=out)
    assert Integration.objects.get(code="og-cmd").signature_encoding == "base64"  # unchanged when not given
    with pytest.raises(CommandError):
        call_command("integration_add", "onegaming", "og-cmd", "--secret", "s", "--agent-code", "CMD",
                     "--signature-encoding", "base32", stdout=out)
    with pytest.raises(CommandError, match="time"):
        call_command("integration_add", "onegaming", "og-cmd", "--secret", "s", "--agent-code", "CMD",
                     "--time-zone", "Nowhere/Land", stdout=out)


def test_admin_offers_signature_encoding_and_time_zone(admin_client, onegaming):
    page = admin_client.get(f"/admin/core/integration/{onegaming.pk}/change/").content.decode()
    assert 'name="signature_encoding"' in page and 'name="time_zone"' in page


def _admin_post(admin_client, integration, **changes):
    data = {"provider": "onegaming", "code": integration.code, "name": "x", "mode": "seamless", "enabled": "on",
            "agent_code": integration.agent_code, "sub_agent": "", "api_key": "", "secret": "",
            "api_base_url": "https://1g.example.test", "allowed_ips": "", "launch_method": "iframe",
            "change_reason": "1G wire settings", **changes}
    return admin_client.post(f"/admin/core/integration/{integration.pk}/change/", data)


def test_admin_sets_encoding_and_zone_and_refuses_a_zone_that_does_not_exist(admin_client, onegaming):
    response = _admin_post(admin_client, onegaming, signature_encoding="base64", time_zone="Mars/Olympus")
    assert response.status_code == 200 and "is not a time zone name" in response.content.decode()
    onegaming.refresh_from_db()
    assert (onegaming.signature_encoding, onegaming.time_zone) == ("hex", "UTC")
    assert _admin_post(admin_client, onegaming, signature_encoding="base64", time_zone="Asia/Jakarta").status_code == 302
    onegaming.refresh_from_db()
    assert (onegaming.signature_encoding, onegaming.time_zone) == ("base64", "Asia/Jakarta")
    assert _admin_post(admin_client, onegaming).status_code == 302  # not posted: kept
    onegaming.refresh_from_db()
    assert (onegaming.signature_encoding, onegaming.time_zone) == ("base64", "Asia/Jakarta")


# --- signature encoding -------------------------------------------------------------------------------


def test_base64_integration_takes_base64_signatures_only(wire, onegaming, bet_fields, rich_player, clock):
    onegaming.signature_encoding = SignatureEncoding.BASE64
    onegaming.save()
    raw = dumps(envelope(bet_fields()))
    assert wire.post("bet", raw=raw, signature=sign(wire.secret, raw, "hex"))["status"] == "INVALID_SIGNATURE"
    assert wire.post("bet", raw=raw, signature=sign(wire.secret, raw, "base64"))["status"] == "OK"
    assert idr(rich_player) == Decimal("1400.00")


@pytest.mark.parametrize("variant", ["unpadded", "urlsafe"])
def test_base64_signature_without_padding_or_in_the_url_safe_alphabet(wire, onegaming, bet_fields, clock, variant):
    onegaming.signature_encoding = SignatureEncoding.BASE64
    onegaming.save()
    import base64

    raw = dumps(envelope(bet_fields()))
    digest = hmac_sha256(wire.secret, raw)
    text = base64.b64encode(digest).decode().rstrip("=") if variant == "unpadded" else \
        base64.urlsafe_b64encode(digest).decode()
    assert wire.post("bet", raw=raw, signature=text)["status"] == "OK"


def test_hex_integration_refuses_a_base64_signature(wire, bet_fields, clock):
    raw = dumps(envelope(bet_fields()))
    assert wire.post("bet", raw=raw, signature=sign(wire.secret, raw, "base64"))["status"] == "INVALID_SIGNATURE"


@pytest.mark.parametrize("encoding", ["hex", "base64"])
@pytest.mark.parametrize("cut", ["prefix-1", "prefix-half", "extra", "empty", "spaced"])
def test_only_the_whole_signature_is_accepted(wire, onegaming, bet_fields, rich_player, clock, encoding, cut):
    onegaming.signature_encoding = encoding
    onegaming.save()
    raw = dumps(envelope(bet_fields()))
    good = sign(wire.secret, raw, encoding)
    bad = {"prefix-1": good[:-1], "prefix-half": good[: len(good) // 2], "extra": good + "0", "empty": "",
           "spaced": " ".join(good[i:i + 2] for i in range(0, len(good), 2))}[cut]
    if encoding == "base64" and cut == "prefix-1":
        bad = good[:-2]  # dropping only the padding still names the whole digest
    assert wire.post("bet", raw=raw, signature=bad)["status"] == "INVALID_SIGNATURE"
    assert idr(rich_player) == Decimal("1500.00")


def test_signing_helpers_stay_backward_compatible():
    from providers.onegaming import signing

    body = b'{"a":1}'
    assert signing.sign("k", body) == hmac_sha256("k", body).hex()
    assert signing.sign("k", body, encoding="base64") == sign("k", body, "base64")
    assert signing.signature_valid("k", body, hmac_sha256("k", body).hex().upper())
    assert not signing.signature_valid("k", body, hmac_sha256("k", body).hex()[:32])
    assert signing.bcode("k", "IGBO", "CLi3000001", "Mikha") == hmac_sha256("k", b"IGBOCLi3000001Mikha").hex()


# --- inbound sub-agent ----------------------------------------------------------------------------------


@pytest.fixture
def with_sub_agent(onegaming):
    onegaming.sub_agent = "SUB1"
    onegaming.save()
    return onegaming


def test_a_wrong_sub_agent_header_is_invalid_partner(wire, with_sub_agent, bet_fields, rich_player, clock):
    assert wire.post("bet", bet_fields(), HTTP_UG_SUB_AGENT="SUB2")["status"] == "INVALID_PARTNER"
    assert idr(rich_player) == Decimal("1500.00")
    assert wire.post("bet", bet_fields(), HTTP_UG_SUB_AGENT="SUB1")["status"] == "OK"


def test_a_wrong_sub_agent_field_is_invalid_partner(wire, with_sub_agent, bet_fields, rich_player, clock):
    assert wire.bet(**bet_fields(sub_agent="SUB2"))["status"] == "INVALID_PARTNER"
    assert wire.post("bet", bet_fields(sub_agent="SUB2"), HTTP_UG_SUB_AGENT="SUB1")["status"] == "INVALID_PARTNER"
    assert wire.bet(**bet_fields(sub_agent="SUB1"))["status"] == "OK"


@pytest.mark.parametrize("value,status", [(["SUB1"], "INVALID_PARTNER"), (True, "INVALID_PARTNER"),
                                          ({"id": "SUB1"}, "INVALID_PARTNER"), ("", "OK"), (None, "OK")])
def test_a_sub_agent_field_that_is_not_text(wire, with_sub_agent, bet_fields, clock, value, status):
    assert wire.bet(**bet_fields(sub_agent=value))["status"] == status


def test_a_numeric_sub_agent_may_come_as_a_json_integer(wire, onegaming, bet_fields, clock):
    onegaming.sub_agent = "77"
    onegaming.save()
    assert wire.bet(**bet_fields(sub_agent=77))["status"] == "OK"


def test_a_call_naming_no_sub_agent_is_judged_as_before(wire, with_sub_agent, bet_fields, clock):
    assert wire.bet(**bet_fields())["status"] == "OK"


def test_a_sub_agent_is_not_checked_when_the_integration_has_none(wire, bet_fields, clock):
    assert wire.post("bet", bet_fields(sub_agent="ANY"), HTTP_UG_SUB_AGENT="OTHER")["status"] == "OK"


def test_the_sub_agent_check_comes_before_the_signature(wire, with_sub_agent, bet_fields, clock):
    assert wire.post("bet", bet_fields(), signature="bad", HTTP_UG_SUB_AGENT="SUB2")["status"] == "INVALID_PARTNER"


# --- games inside "list" products ----------------------------------------------------------------------


def test_a_bet_on_a_game_inside_a_list_product_is_accepted(wire, onegaming, bet_fields, rich_player, clock):
    GameFactory(integration=onegaming, provider="onegaming", game_id="GP-7001", product="301", game_type="")
    assert wire.bet(**bet_fields(game_id="GP-7001"))["status"] == "OK"
    assert idr(rich_player) == Decimal("1400.00")


def test_a_game_unknown_to_the_catalogue_is_invalid_game_id(wire, bet_fields, clock):
    assert wire.bet(**bet_fields(game_id="GP-9999"))["status"] == "INVALID_GAME_ID"


@pytest.mark.parametrize("case", ["game-disabled", "product-disabled", "product-unknown", "product-is-a-lobby"])
def test_a_product_game_needs_itself_and_its_list_product_enabled(wire, onegaming, bet_fields, rich_player, clock,
                                                                  case):
    product = {"product-unknown": "999", "product-is-a-lobby": "201"}.get(case, "301")
    GameFactory(integration=onegaming, provider="onegaming", game_id="GP-7001", product=product,
                enabled=case != "game-disabled")
    if case == "product-disabled":  # staff turns product 301 off for this integration
        GameFactory(integration=onegaming, provider="onegaming", game_id="301", game_type="list", enabled=False)
    assert wire.bet(**bet_fields(game_id="GP-7001"))["status"] == "INVALID_GAME_ID"
    assert idr(rich_player) == Decimal("1500.00")


def test_a_product_itself_stays_playable(wire, bet_fields, clock):
    assert wire.bet(**bet_fields(game_id=601))["status"] == "OK"


# --- wire names live in the dialect ----------------------------------------------------------------------


def test_a_renamed_wire_field_is_changed_in_the_dialect_alone(wire, bet_fields, rich_player, clock, monkeypatch):
    # Should 1G's real document call txn_id "transaction_id", one entry of dialect.WIRE_NAMES changes.
    monkeypatch.setattr(dialect, "_FROM_WIRE", {"transaction_id": "txn_id"})
    monkeypatch.setattr(dialect, "_TO_WIRE", {"txn_id": "transaction_id"})
    fields = bet_fields()
    fields["transaction_id"] = fields.pop("txn_id")
    answer = wire.bet(**fields)
    assert answer["status"] == "OK" and answer["transaction_id"] == "B1" and "txn_id" not in answer
    item = {"type": "result", **result_fields()}
    item["transaction_id"] = item.pop("txn_id")
    batch = wire.transactions([item])
    assert batch["results"][0]["status"] == "OK" and batch["results"][0]["transaction_id"] == "W1"
