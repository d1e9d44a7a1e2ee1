"""Pages and API answers with personal data are never kept by a browser or a proxy."""

import pytest


def no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


@pytest.mark.parametrize("url", ["/", "/community/alerts/", "/accounts/users/"])
def test_a_signed_in_page_is_not_stored(cast, client_for, url):
    r = client_for(cast.admin_a).get(url)
    assert r.status_code in (200, 302) and no_store(r)


def test_an_api_answer_to_a_device_token_is_not_stored(cast, api_for):
    r = api_for(cast.guard_a).get("/api/v1/community/alerts")
    assert r.status_code == 200 and no_store(r)


def test_an_api_answer_to_nobody_is_not_stored_either(client):
    assert no_store(client.get("/api/v1/community/alerts"))
