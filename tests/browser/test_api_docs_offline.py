"""The API docs pages work with no internet: every request they make (HTML, scripts, fonts, images,
the schema) goes to this server. Anything else is blocked and recorded."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LOCAL_HOSTS = {"127.0.0.1", "localhost"}


@pytest.mark.parametrize("path", ["/api/docs", "/api/docs/swagger"])
def test_docs_pages_make_no_request_off_this_server(live_server, browser_page, path):
    page = browser_page
    outside = []

    def guard(route):
        host = urlsplit(route.request.url).hostname
        if route.request.url.startswith(("data:", "blob:")) or host in LOCAL_HOSTS:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", guard)
    page.on("request", lambda request: None if urlsplit(request.url).hostname in LOCAL_HOSTS
            or request.url.startswith(("data:", "blob:")) else outside.append(request.url))
    page.goto(live_server.url + path)
    # The schema has been fetched and drawn: an endpoint of each provider is on the page.
    expect(page.get_by_text("/api/oppi/transaction/bet").first).to_be_attached(timeout=30_000)
    expect(page.get_by_text("/api/onegaming/bet").first).to_be_attached()
    page.wait_for_load_state("networkidle")
    html = page.content()
    assert outside == []
    assert "fonts.googleapis.com" not in html and "fonts.gstatic.com" not in html
