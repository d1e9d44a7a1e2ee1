"""The OpenAPI document in the reader's language, with an example for every request and answer.

`document(schema)` runs over the schema Django Ninja builds (api.GongkeAPI) on each request for
/api/v1/openapi.json, after UserLanguageMiddleware chose the language: summaries and descriptions
are English msgids translated through the catalogs (zh-Hans by hand, zh-Hant and English
derived), and every JSON request body and answer gets an example built from its schema, so a
new operation is documented with examples the day it is added.
"""

import datetime
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

API_DESCRIPTION = gettext_noop(
    "Registry, donations, supplies, community duty, census, work resumption, volunteers and "
    "field operations, services, notices and briefings. Authenticate with "
    "`Authorization: Bearer <token>` (a device token from your profile's Device tokens page) "
    "or the browser session. Creating endpoints accept `Idempotency-Key`: a retry with the same "
    "key returns the first answer. Errors answer JSON: `detail` and `errors` by field, in the "
    "caller's language. Records outside the caller's organizations answer 404; a role that may "
    "only read answers 403."
)

# Summaries for the busiest operations (by operation id). Any other keeps Ninja's summary from
# its function name and its docstring as the description; both go through the catalogs too.
SUMMARIES = {
    "gongke_api_community_create_passage": (
        gettext_noop("Register a passage at a duty post"),
        gettext_noop(
            "A duty officer registers a resident or visitor coming in or going out, with a "
            "temperature. A fever (37.3 ℃ or more) raises an alert at once; coming in, it is "
            "turned back, sent to the fever clinic or passed with a reason."
        ),
    ),
    "gongke_api_community_batch_passages": (
        gettext_noop("Send passages kept offline"),
        gettext_noop(
            "A tablet that was offline sends what it kept; each item carries its client_id, so "
            "sending the same batch again records nothing twice."
        ),
    ),
    "gongke_api_community_list_posts": (
        gettext_noop("Duty posts I may work at"),
        gettext_noop("The posts the caller's memberships reach, with their compound or village."),
    ),
    "gongke_api_community_list_passages": (
        gettext_noop("Passages at the caller's posts"),
        gettext_noop("Newest first, paged; filter by post, direction and day."),
    ),
    "gongke_api_registry_list_organizations": (
        gettext_noop("Organizations in the register"),
        gettext_noop(
            "Chambers, associations and member enterprises the caller may see; search by name or pinyin initials."
        ),
    ),
    "gongke_api_donations_list_gifts": (
        gettext_noop("Gifts"),
        gettext_noop("Money and goods given to the caller's organizations, newest first, paged."),
    ),
    "gongke_api_donations_create_gift": (
        gettext_noop("Record a gift"),
        gettext_noop(
            "Books a pledged or received gift of money or goods. Amounts are taken as written "
            "(1,200.50 · 64.8万 · 壹拾万元整)."
        ),
    ),
}

SAMPLE_STRINGS = {
    "date": datetime.date(2020, 2, 18).isoformat(),
    "date-time": "2020-02-18T08:30:00+08:00",
    "time": "08:30:00",
    "uuid": "3f1c2a9e-8b7d-4c55-9f0a-2d6e1b4c7a10",
    "email": "office@example.org",
    "uri": "https://example.org/",
    "decimal": "100000.00",
}


# Strings a field's name says more about than its type (the rest read "string").
SAMPLE_FIELDS = {
    "client_id": SAMPLE_STRINGS["uuid"],
    "temperature": "36.8",
    "name": "张伟",
    "donor_name": "京博集团",
    "phone": "138****5678",
    "contact_phone": "138****5678",
    "id_number": "110105********0015",
    "amount": "100000.00",
    "value": "10万",
    "plate": "京A12345",
    "room": "3-2-401",
    "credit_code": "91110000600037341L",
    "day": SAMPLE_STRINGS["date"],
    "occurred_at": SAMPLE_STRINGS["date-time"],
}


def example(
    schema: dict[str, Any], components: dict[str, Any], depth: int = 0, name: str = ""
) -> Any:
    """A plausible value for a JSON schema: its own example or default, else one by type."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return example(components.get(name, {}), components, depth + 1) if depth < 6 else {}
    for key in ("example", "default", "const"):
        if schema.get(key) not in (None, ""):
            return schema[key]
    if schema.get("examples"):
        return schema["examples"][0]
    if schema.get("enum"):
        return schema["enum"][0]
    for key in ("anyOf", "oneOf", "allOf"):
        options = [s for s in schema.get(key, []) if s.get("type") != "null"]
        if options:
            return example(options[0], components, depth + 1, name)
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        return {
            key: example(prop, components, depth + 1, key)
            for key, prop in schema.get("properties", {}).items()
        }
    if kind == "array":
        return [example(schema.get("items", {}), components, depth + 1)]
    if kind == "integer":
        return 1
    if kind == "number":
        return 36.5
    if kind == "boolean":
        return True
    if kind == "string":
        return SAMPLE_STRINGS.get(schema.get("format", ""), SAMPLE_FIELDS.get(name, "string"))
    return None


def _with_examples(content: dict[str, Any], components: dict[str, Any]) -> None:
    for media in content.values():
        if "schema" in media and "example" not in media and "examples" not in media:
            media["example"] = example(media["schema"], components)


def document(schema: dict[str, Any]) -> dict[str, Any]:
    components = schema.get("components", {}).get("schemas", {})
    schema["info"]["description"] = _(API_DESCRIPTION)
    for methods in schema["paths"].values():
        for operation in methods.values():
            summary, description = SUMMARIES.get(operation.get("operationId", ""), (None, None))
            operation["summary"] = _(summary or operation.get("summary", ""))
            text = description or operation.get("description", "")
            operation["description"] = _(text) if text else operation["summary"]
            body = operation.get("requestBody", {}).get("content", {})
            _with_examples(body, components)
            for response in operation.get("responses", {}).values():
                _with_examples(response.get("content", {}), components)
    return schema
