"""Creating endpoints take a client key (header Idempotency-Key): a retry with the same key
answers exactly what the first request answered and never makes a second record.

As the IETF draft (httpapi-idempotency-key-header) has it: the same key with another request
body answers 422; keys are compared whole (a key longer than the column is stored as its
digest, one longer than MAX_KEY is refused with 400); the record and the stored answer are
written in one transaction, so a create whose answer is not stored leaves no row behind."""

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.http.request import RawPostDataException
from django.utils.translation import gettext as _
from ninja.responses import NinjaJSONEncoder

from gongke.accounts.models import ClientRequest


def _response(status: int, data: Any) -> HttpResponse:
    return HttpResponse(
        json.dumps(data, cls=NinjaJSONEncoder, ensure_ascii=False),
        status=status,
        content_type="application/json; charset=utf-8",
    )


MAX_KEY = 255
KEY_COLUMN = 100


def _stored_key(key: str) -> str:
    if len(key) <= KEY_COLUMN and not key.startswith("sha256:"):
        return key
    return "sha256:" + hashlib.sha256(key.encode()).hexdigest()


def fingerprint(request) -> str:
    """The request's body, digested; JSON is read first so spacing and key order don't count."""
    try:
        raw = request.body
    except RawPostDataException:
        # An upload already streamed into request.POST and request.FILES: digest those.
        parts = sorted(request.POST.lists()) + sorted(
            (name, [(f.name, f.size) for f in files]) for name, files in request.FILES.lists()
        )
        raw = json.dumps(parts, ensure_ascii=False, default=str).encode()
    if request.content_type == "application/json":
        try:
            raw = json.dumps(json.loads(raw), sort_keys=True, ensure_ascii=False).encode()
        except ValueError:
            pass
    return hashlib.sha256(request.method.encode() + b" " + raw).hexdigest()


def _refused(status: int, message: str) -> HttpResponse:
    return _response(status, {"detail": message, "errors": {"Idempotency-Key": [message]}})


def _replay(seen: ClientRequest, digest: str) -> HttpResponse:
    if seen.fingerprint and seen.fingerprint != digest:
        return _refused(422, _("This Idempotency-Key was already used with another request."))
    return _response(seen.status, seen.response)


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
            # The passage's answer is JSON-ready already (api.community.passage_out): encoded once.
            status, payload = create()
            return _response(status, payload)
        with transaction.atomic():
            status, payload = create()
        return _response(status, _plain(payload))
    if len(key) > MAX_KEY or not key.isprintable():
        return _refused(
            400,
            _("The Idempotency-Key must be printable text of at most %(max)d characters.")
            % {"max": MAX_KEY},
        )
    user = request.user
    stored = _stored_key(key)
    digest = fingerprint(request)
    seen = ClientRequest.objects.filter(user=user, endpoint=endpoint, key=stored).first()
    if seen is not None:
        return _replay(seen, digest)
    try:
        with transaction.atomic():
            status, payload = create()
            data = _plain(payload)
            ClientRequest.objects.create(
                user=user,
                endpoint=endpoint,
                key=stored,
                fingerprint=digest,
                status=status,
                response=data,
            )
    except IntegrityError:
        # Two copies of the request raced and the other one won: answer what it answered.
        seen = ClientRequest.objects.filter(user=user, endpoint=endpoint, key=stored).first()
        if seen is None:
            raise
        return _replay(seen, digest)
    return _response(status, data)
