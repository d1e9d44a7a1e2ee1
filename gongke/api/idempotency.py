"""Creating endpoints take a client key (header Idempotency-Key): a retry with the same key
answers exactly what the first request answered and never makes a second record."""

import json
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpResponse
from ninja.responses import NinjaJSONEncoder

from gongke.accounts.models import ClientRequest


def _response(status: int, data: Any) -> HttpResponse:
    return HttpResponse(
        json.dumps(data, cls=NinjaJSONEncoder, ensure_ascii=False),
        status=status,
        content_type="application/json; charset=utf-8",
    )


def _plain(payload: Any) -> Any:
    """What the client will read (JSON types only): the same whether answered now or replayed."""
    if hasattr(payload, "model_dump"):
        return payload.model_dump(mode="json")
    return json.loads(json.dumps(payload, cls=NinjaJSONEncoder))


def once(
    request,
    key: str | None,
    endpoint: str,
    create: Callable[[], tuple[int, Any]],
    *,
    atomic: bool = True,
) -> HttpResponse:
    """Run `create` once per (user, endpoint, key); `create` returns (status, schema or dict).

    Without a key, `create` runs in a transaction (a create that touches several records is all
    or nothing), unless atomic=False: for a create that is all or nothing by itself (a passage:
    one statement, or its own transaction), which saves the BEGIN and COMMIT round trips."""
    if not key:
        if not atomic:
            status, payload = create()
            return _response(status, _plain(payload))
        with transaction.atomic():
            status, payload = create()
        return _response(status, _plain(payload))
    user = request.user
    seen = ClientRequest.objects.filter(user=user, endpoint=endpoint, key=key[:100]).first()
    if seen is not None:
        return _response(seen.status, seen.response)
    try:
        with transaction.atomic():
            status, payload = create()
            data = _plain(payload)
            ClientRequest.objects.create(
                user=user, endpoint=endpoint, key=key[:100], status=status, response=data
            )
    except IntegrityError:
        # Two copies of the request raced and the other one won: answer what it answered.
        seen = ClientRequest.objects.filter(user=user, endpoint=endpoint, key=key[:100]).first()
        if seen is None:
            raise
        return _response(seen.status, seen.response)
    return _response(status, data)
