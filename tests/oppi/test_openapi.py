"""The OpenAPI document describes every Oppi callback for a provider's engineer."""

import pytest

PATHS = ["/api/oppi/user/balance", "/api/oppi/transaction/bet", "/api/oppi/transaction/payout",
         "/api/oppi/transaction/reward", "/api/oppi/transaction/rollback"]


@pytest.fixture(scope="module")
def document():
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


@pytest.mark.parametrize("path", PATHS)
def test_each_callback_documents_headers_body_and_answer(document, path):
    operation = document["paths"][path]["post"]
    headers = {p["name"] for p in operation["parameters"] if p["in"] == "header"}
    assert headers == {"x-api-key", "x-timestamp", "x-signature"}
    assert list(operation["requestBody"]["content"]) == ["application/json"]
    assert "200" in operation["responses"] and "RS_ERROR_INCORRECT_DATA" in operation["description"]


def test_amounts_are_documented_on_the_x100000_scale(document):
    bet = document["components"]["schemas"]["OppiBetRequest"]["properties"]["amount"]
    assert "100000" in bet["description"]
