from wallet import gameplay
from wallet.gameplay import Code, GameCall


def call(integration, player, ext, currency="IDR", **fields):
    return GameCall(integration_id=integration.pk, player=player, external_id=ext, currency=currency,
                    fingerprint=gameplay.fingerprint(ext=ext, **fields))


def test_bet_win_rollback_cycle(onegaming, rich_player):
    r = gameplay.bet_place(call(onegaming, rich_player, "b1", a=1), ticket="T1", amount=100_00000)
    assert r.code is Code.APPLIED and r.balance == 1400_00000
    again = gameplay.bet_place(call(onegaming, rich_player, "b1", a=1), ticket="T1", amount=100_00000)
    assert again.replayed and again.balance == 1400_00000
    dup = gameplay.bet_place(call(onegaming, rich_player, "b1", a=2), ticket="T1", amount=100_00000)
    assert dup.code is Code.DUPLICATE_ID
    w = gameplay.win_settle(call(onegaming, rich_player, "w1"), ticket="T1", amount=300_00000, single_settlement=True)
    assert w.code is Code.APPLIED and w.balance == 1700_00000
    rb = gameplay.ticket_rollback(call(onegaming, rich_player, "r1"), ticket="T1")
    assert rb.code is Code.APPLIED and rb.balance == 1500_00000
    tomb = gameplay.ticket_rollback(call(onegaming, rich_player, "r2"), ticket="T2")
    assert tomb.code is Code.UNKNOWN_REFERENCE
    late = gameplay.bet_place(call(onegaming, rich_player, "b2"), ticket="T2", amount=1)
    assert late.code is Code.TICKET_ROLLED_BACK and late.balance == 1500_00000
