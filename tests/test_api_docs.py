"""The OpenAPI description and its reading pages are served by the app itself (no CDN)."""

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("page, asset", [
    ("/api/docs/swagger", "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js"),
])
def test_docs_pages_load_their_assets_from_our_static_files_when_offline(client, page, asset):
    html = client.get(page).content.decode()
    assert f"/static/{asset}" in html and "cdn." not in html
    assert finders.find(asset), f"{asset} is not among the static files"


def test_schema_lists_every_callback_of_both_providers(client):
    paths = client.get("/api/schema", HTTP_ACCEPT="application/json").json()["paths"]
    for path in ["/api/onegaming/balance", "/api/onegaming/bet", "/api/onegaming/result", "/api/onegaming/rollback",
                 "/api/onegaming/transactions", "/api/onegaming/igPokerValidation", "/api/oppi/user/balance",
                 "/api/oppi/transaction/bet", "/api/oppi/transaction/payout", "/api/oppi/transaction/reward",
                 "/api/oppi/transaction/rollback"]:
        assert path in paths, path


def test_static_assets_are_served_by_the_app_without_debug(client, settings):
    settings.DEBUG = False
    response = client.get("/static/drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js")
    assert response.status_code == 200


def test_redoc_page_loads_the_bundle_from_us_with_no_font_or_logo_from_the_internet(client):
    html = client.get("/api/docs").content.decode()
    assert 'src="/api/docs/redoc.standalone.js"' in html
    assert "https://" not in html  # no fonts.googleapis.com, no CDN
    bundle = client.get("/api/docs/redoc.standalone.js")
    assert bundle.status_code == 200 and bundle["Content-Type"].startswith("application/javascript")
    body = b"".join(bundle.streaming_content) if bundle.streaming else bundle.content
    assert b"cdn.redoc.ly" not in body and b"/static/lobby/favicon.svg" in body
    assert b"Redoc" in body[:2000] or len(body) > 500_000  # the real bundle, not a stub
