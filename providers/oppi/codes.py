"""Oppi status codes, exactly as Oppi spells them (seed table; spec section 3)."""

from enum import StrEnum


class Status(StrEnum):
    OK = "RS_OK"
    ERROR = "RS_ERROR"
    MISSING_HEADERS = "RS_ERROR_MISSING_HEADERS"
    DUPLICATE_TRANSACTION = "RS_ERROR_DUPLICATE_TRANSACTION"
    TRANSACTION_DOES_NOT_EXIST = "RS_ERROR_TRANSACTION_DOES_NOT_EXIST"
    SESSION_REQUIRED_OR_INVALID = "RS_ERROR_SESSION_REQUIRED_OR_INVALID"
    NOT_ENOUGH_MONEY = "RS_ERROR_NOT_ENOUGH_MONEY"
    LIMIT_REACHED = "RS_ERROR_LIMIT_REACHED"
    IP_RESTRICTION = "RS_ERROR_IP_RESTRICTION"
    SIGNATURE_EXPIRED = "RS_ERROR_SIGNATURE_EXPIRED"
    SIGNATURE_NOT_MATCH = "RS_ERROR_SIGNATURE_NOT_MATCH"
    INVALID_APIKEY = "RS_ERROR_INVALID_APIKEY"
    INVALID_AMOUNT = "RS_ERROR_INVALID_AMOUNT"
    INVALID_NUMBER = "RS_ERROR_INVALID_NUMBER"
    MERCHANT_NOT_ACTIVE = "RS_ERROR_MERCHANT_NOT_ACTIVE"
    GAME_INACTIVE = "RS_ERROR_GAME_INACTIVE"
    PLAYER_BLOCKED = "RS_ERROR_PLAYER_BLOCKED"
    INCORRECT_DATA = "RS_ERROR_INCORRECT_DATA"
    FIELD_REQUIRED_OR_INVALID = "RS_ERROR_FIELD_REQUIRED_OR_INVALID"
    RECORD_NOT_FOUND = "RS_ERROR_RECORD_NOT_FOUND"


DESCRIPTIONS: dict[Status, str] = {
    Status.OK: "Success response",
    Status.ERROR: "General error status, for cases without a special error code.",
    Status.MISSING_HEADERS: "Missing headers",
    Status.DUPLICATE_TRANSACTION: "The transaction already exists (duplicate transaction).",
    Status.TRANSACTION_DOES_NOT_EXIST: "The referenced bet can't be found (not processed or rolled back).",
    Status.SESSION_REQUIRED_OR_INVALID: "Missing or invalid session",
    Status.NOT_ENOUGH_MONEY: "Insufficient balance, can not place bet",
    Status.LIMIT_REACHED: "The bet request limit is reached for the player",
    Status.IP_RESTRICTION: "IP & Domain restricted",
    Status.SIGNATURE_EXPIRED: "Signature has been expired",
    Status.SIGNATURE_NOT_MATCH: "Signature does not match",
    Status.INVALID_APIKEY: "API key is invalid",
    Status.INVALID_AMOUNT: "Invalid amount.",
    Status.INVALID_NUMBER: "Invalid number.",
    Status.MERCHANT_NOT_ACTIVE: "Merchant currently not active",
    Status.GAME_INACTIVE: "Game inactive",
    Status.PLAYER_BLOCKED: "A player blocked and can't play or place any new bets.",
    Status.INCORRECT_DATA: "Request data type wrong or invalid.",
    Status.FIELD_REQUIRED_OR_INVALID: "Field is invalid or missing.",
    Status.RECORD_NOT_FOUND: "Record does not exist",
}
