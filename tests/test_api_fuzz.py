"""Schemathesis over /api/v1/openapi.json, in process through Django's WSGI app: every operation,
called as a platform admin with generated (valid and invalid) data, never answers a 5xx.

Bounded (a few examples per operation) so it fits `make test` on both databases; each example
runs in a savepoint rolled back afterwards, so one example's rows or failed statement never
leak into the next. Path ids are drawn from rows the fixture made (and sometimes left random),
so lists and details have rows to show."""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings

from gongke.accounts.models import ApiToken

# Row ids per path parameter name, filled by the `seeded` fixture before each operation runs.
IDS: dict[str, list[int]] = {}


@schemathesis.hook
def map_path_parameters(context, path_parameters):
    for name, value in list((path_parameters or {}).items()):
        known = IDS.get(name)
        if known and isinstance(value, int) and value % 4:
            path_parameters[name] = known[value % len(known)]
    return path_parameters


@pytest.fixture
def seeded(cast):
    # As Django's test client does: a request must not close the connection that holds the
    # test's transaction (schemathesis calls the WSGI app directly).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    from tests.fuzz_seed import seed

    IDS.clear()
    IDS.update(seed(cast))
    yield cast
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@schema.parametrize()
@settings(
    # Besides schemathesis' boundary cases per parameter (its coverage phase), a few generated
    # ones: the whole API in a few minutes on 2 cores. GONGKE_FUZZ_EXAMPLES=100 digs deeper.
    max_examples=int(os.environ.get("GONGKE_FUZZ_EXAMPLES", "3")),
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)
def test_it_never_answers_a_server_error(case, seeded):
    _token, raw = ApiToken.issue(user=seeded.admin, name="fuzz")
    with transaction.atomic():
        response = case.call(headers={"Authorization": f"Bearer {raw}"})
        transaction.set_rollback(True)
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path} {case.query} {case.body!r}\n"
        f"-> {response.status_code} {response.text[:2000]}"
    )
