"""1G status codes, exactly as 1G spells them (seed table; spec section 5)."""

from enum import StrEnum


class Status(StrEnum):
    OK = "OK"
    UNKNOWN_ERROR = "UNKNOWN_ERROR"
    INVALID_PARTNER = "INVALID_PARTNER"
    INVALID_TOKEN = "INVALID_TOKEN"
    INVALID_GAME_ID = "INVALID_GAME_ID"
    INVALID_CURRENCY = "INVALID_CURRENCY"
    INSUFFICIENT_CREDIT = "INSUFFICIENT_CREDIT"
    USER_DISABLED = "USER_DISABLED"
    INVALID_SIGNATURE = "INVALID_SIGNATURE"
    TOKEN_EXPIRED = "TOKEN_EXPIRED"
    INVALID_SYNTAX = "INVALID_SYNTAX"
    INVALID_METHOD = "INVALID_METHOD"
    INVALID_TYPES = "INVALID_TYPES"
    DUPLICATE_REF_TXN_ID = "DUPLICATE_REF_TXN_ID"
    TXN_DOES_NOT_EXIST = "TXN_DOES_NOT_EXIST"
    TXN_ROLLED_BACK = "TXN_ROLLED_BACK"
    USER_EXIST = "USER_EXIST"
    USER_NOT_EXIST = "USER_NOT_EXIST"
    REQUEST_TIMEOUT = "REQUEST_TIMEOUT"


DESCRIPTIONS: dict[Status, str] = {
    Status.OK: "Successfully.",
    Status.UNKNOWN_ERROR: "General error status, for cases without a special error code.",
    Status.INVALID_PARTNER: "Operator or their sub partner is disabled or incorrect.",
    Status.INVALID_TOKEN: "Token unknown to the operator's system (expired tokens have their own status).",
    Status.INVALID_GAME_ID: "Unknown game_id.",
    Status.INVALID_CURRENCY: "Transaction currency differs from the user's wallet currency.",
    Status.INSUFFICIENT_CREDIT: "Not enough credit for the bet (or a responsible-gaming limit).",
    Status.USER_DISABLED: "User is disabled/locked and can't place bets.",
    Status.INVALID_SIGNATURE: "Operator couldn't verify the signature of the request.",
    Status.TOKEN_EXPIRED: "Session with the specified token has expired (never checked for wins and rollbacks).",
    Status.INVALID_SYNTAX: "Request doesn't match the expected form and syntax.",
    Status.INVALID_METHOD: "The method of submission must be POST.",
    Status.INVALID_TYPES: "Type of parameters doesn't match the expected types.",
    Status.DUPLICATE_REF_TXN_ID: "Same transaction id sent with a different amount, currency, round, user or game.",
    Status.TXN_DOES_NOT_EXIST: "The referenced bet can't be found (not processed or rolled back).",
    Status.TXN_ROLLED_BACK: "Transaction already rolled back by another rollback id.",
    Status.USER_EXIST: "The username is used.",
    Status.USER_NOT_EXIST: "Username does not exist in the wallet system.",
    Status.REQUEST_TIMEOUT: "Request not within 10 seconds of its datetime (1G then rolls back).",
}
