"""Shapes of 1G wallet callbacks for the OpenAPI schema (/api/schema, /api/docs).

The views do not validate with these: 1G's check order and status codes (spec section 3) are
applied by providers.onegaming.parsing. These describe the wire for a provider's engineer.
"""

from rest_framework import serializers

from .codes import DESCRIPTIONS, Status

ID_HELP = "String; a numeric id may also be sent as a JSON integer and means the same."
AMOUNT_HELP = ("Decimal amount in the currency: a JSON number (12.5) or numeric string (\"12.50\"), "
               "at most the currency's digits (IDR 2, VND 0, VND2 3, ...), never negative.")
STATUS_HELP = "One of: " + "; ".join(f"{status.value} ({text})" for status, text in DESCRIPTIONS.items())


def _id(help_text: str = ID_HELP) -> serializers.CharField:
    return serializers.CharField(help_text=help_text)


def _amount(help_text: str = AMOUNT_HELP) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=18, decimal_places=3, coerce_to_string=False, help_text=help_text)


class OneGamingCommonRequest(serializers.Serializer):
    agent_code = serializers.CharField(help_text="The operator's agent code at 1G.")
    request_id = serializers.CharField(help_text="Unique per HTTP call; echoed in the answer.")
    datetime = serializers.DateTimeField(
        help_text="When the request was sent: ISO 8601 with a zone (2026-11-22T01:15:02.120Z), ISO 8601 or "
        "YYYY-MM-DD HH:MM:SS[.fff] without one (read in the integration's time zone, default UTC), or a Unix "
        "epoch in milliseconds as a JSON integer. For balance and bet, more than 10 s from the operator's clock: "
        "REQUEST_TIMEOUT, nothing changes; results and rollbacks are applied whatever it says."
    )


class OneGamingBalanceRequest(OneGamingCommonRequest):
    player_id = _id()
    currency = serializers.CharField()


class OneGamingBetRequest(OneGamingCommonRequest):
    player_id = _id()
    l_token = _id("The launch token the lobby validated (igPokerValidation).")
    currency = serializers.CharField()
    game_id = _id()
    round_id = _id()
    txn_id = _id("Unique id of this transaction; a retry with the same content gets the first answer.")
    txn_ticket = _id("The bet ticket that a result or rollback names later.")
    amount = _amount(AMOUNT_HELP + " Greater than 0.")


class OneGamingResultRequest(OneGamingCommonRequest):
    player_id = _id()
    currency = serializers.CharField()
    game_id = _id()
    round_id = _id()
    txn_id = _id()
    txn_ticket = _id("The ticket of the bet being settled.")
    amount = _amount(AMOUNT_HELP + " 0 means the ticket lost.")


class OneGamingRollbackRequest(OneGamingCommonRequest):
    player_id = _id()
    currency = serializers.CharField(required=False, help_text="Optional: the bet's currency when left out.")
    game_id = serializers.CharField(required=False, help_text="Optional: the bet's game when left out. " + ID_HELP)
    txn_id = _id("This rollback's own id (the seed's name `transaction_uuid` is read as the same).")
    txn_ticket = _id("The ticket to undo (its bet refunded, any paid result taken back).")


class OneGamingBatchItem(serializers.Serializer):
    type = serializers.ChoiceField(choices=["bet", "result", "rollback"])
    player_id = _id()
    l_token = _id("bet only")
    currency = serializers.CharField()
    game_id = _id()
    round_id = _id("bet and result")
    txn_id = _id()
    txn_ticket = _id()
    amount = _amount("bet and result. " + AMOUNT_HELP)


class OneGamingTransactionsRequest(OneGamingCommonRequest):
    transactions = OneGamingBatchItem(many=True, help_text="Applied in order, each on its own.")


class OneGamingStatusAnswer(serializers.Serializer):
    status = serializers.ChoiceField(choices=[s.value for s in Status], help_text=STATUS_HELP)
    request_id = serializers.CharField(help_text="Echoed from the request.")


class OneGamingBalanceAnswer(OneGamingStatusAnswer):
    player_id = serializers.CharField()
    currency = serializers.CharField()
    balance = _amount("The wallet's balance with the currency's digits (present whenever the player is known).")


class OneGamingTxnAnswer(OneGamingStatusAnswer):
    txn_id = serializers.CharField()
    txn_ticket = serializers.CharField()
    currency = serializers.CharField()
    balance = _amount("The balance after the call (present whenever the player and wallet are known).")


class OneGamingBatchItemAnswer(serializers.Serializer):
    txn_id = serializers.CharField()
    txn_ticket = serializers.CharField()
    status = serializers.ChoiceField(choices=[s.value for s in Status])
    balance = _amount("The balance after this item.")


class OneGamingTransactionsAnswer(OneGamingStatusAnswer):
    results = OneGamingBatchItemAnswer(many=True, help_text="One per item, in the request's order.")
