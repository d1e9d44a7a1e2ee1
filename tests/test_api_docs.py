"""API documentation (issue 12.11): every operation described, with an example request and
answer, in the caller's language (zh-Hans, zh-Hant, English), linked from every page."""

import pytest

from gongke.api.api import api
from gongke.api.docs import SUMMARIES


def operations(schema):
    return [(f"{m.upper()} {p}", o) for p, d in schema["paths"].items() for m, o in d.items()]


def test_every_operation_has_a_summary_a_description_and_examples():
    schema = api.get_openapi_schema()
    missing = []
    for name, op in operations(schema):
        if not op.get("summary") or not op.get("description"):
            missing.append(f"{name}: summary/description")
        for media in op.get("requestBody", {}).get("content", {}).values():
            if "schema" in media and "example" not in media:
                missing.append(f"{name}: request example")
        for status, response in op["responses"].items():
            for media in response.get("content", {}).values():
                if "schema" in media and "example" not in media:
                    missing.append(f"{name}: {status} example")
    assert missing == []
    assert len(operations(schema)) > 90


def test_examples_read_like_real_data():
    schema = api.get_openapi_schema()
    passage = schema["paths"]["/api/v1/community/passages"]["post"]
    sent = passage["requestBody"]["content"]["application/json"]["example"]
    assert sent["temperature"] == "36.8" and sent["direction"] in {"in", "out"}
    answer = next(r for s, r in passage["responses"].items() if str(s).startswith("2"))
    assert "id" in answer["content"]["application/json"]["example"]


def test_the_summaries_name_real_operations():
    ids = {op["operationId"] for _, op in operations(api.get_openapi_schema())}
    assert set(SUMMARIES) <= ids


@pytest.mark.parametrize(
    ("language", "title", "words"),
    [
        ("zh-hans", "在卡口登记出入", "认证方式"),
        ("zh-hant", "在卡口登記出入", "認證方式"),
        ("en", "Register a passage at a duty post", "Authenticate with"),
    ],
)
def test_the_document_speaks_the_callers_language(client, language, title, words):
    client.cookies["gongke_language"] = language
    schema = client.get("/api/v1/openapi.json").json()
    assert words in schema["info"]["description"]
    assert schema["paths"]["/api/v1/community/passages"]["post"]["summary"] == title


def test_every_page_links_the_docs_served_from_the_app(cast, client_for):
    home = client_for(cast.viewer_a).get("/").content.decode()
    assert 'href="/api/v1/docs"' in home
    docs = client_for(cast.viewer_a).get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle" in docs and "cdn" not in docs.lower()
