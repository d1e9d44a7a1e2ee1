"""CPU per passage request, in process: where a single passage's time goes.

    .venv/bin/python bench/passage_cpu.py [--n 200]

Builds the test cast (conftest.build_cast) in a fresh SQLite data dir, then measures with
`time.process_time` (no server, no network): GET /healthz, the HTTP benchmark's floor view
(bench/community_urls.py: a minimal Django view inserting one row), a passage request (POST
/api/v1/community/passages with a duty officer's device token, a known resident as in the HTTP
benchmark, through Django's test client) and the access check alone
(`community.access.get_post(write=True)`). The floor/passage CPU ratio is what bounds the HTTP
benchmark's ratio (bench/passages_http.py) on a machine too busy to run that one.
"""

import argparse
import importlib.util
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def per_call(fn, n: int) -> float:
    for _ in range(10):
        fn()
    start = time.process_time()
    for _ in range(n):
        fn()
    return (time.process_time() - start) / n * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--profile", action="store_true", help="print where a passage's time goes")
    args = parser.parse_args()
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.community_settings"
    os.environ["GONGKE_DATA_DIR"] = tempfile.mkdtemp(prefix="gk-passage-cpu-")
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    spec = importlib.util.spec_from_file_location("gk_cast", ROOT / "conftest.py")
    assert spec and spec.loader
    cast_module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(cast_module)
    cast = cast_module.build_cast()

    from django.db import connection

    from gongke.accounts.models import ApiToken, User
    from gongke.census.models import Household, Resident
    from gongke.community.access import get_post

    with connection.cursor() as c:
        c.execute(
            "CREATE TABLE bench_floor (id INTEGER PRIMARY KEY AUTOINCREMENT,"
            " client_id varchar(36) NOT NULL UNIQUE, body text NOT NULL)"
        )
    home = Household.objects.create(place=cast.compound_a, building="1", unit="1", room="101")
    resident = Resident.objects.create(household=home, name="张三")

    _token, raw = ApiToken.issue(user=cast.guard_a, name="bench")
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    post = cast.post_a

    def passage() -> None:
        r = client.post(
            "/api/v1/community/passages",
            {**body(), "subject": "resident", "resident_id": resident.pk, "temperature": "36.5"},
            content_type="application/json",
        )
        assert r.status_code == 201, r.content

    def body() -> dict:
        return {"post_id": post.pk, "client_id": str(uuid.uuid4()), "direction": "in"}

    def floor() -> None:
        r = client.post("/bench/floor", body(), content_type="application/json")
        assert r.status_code == 201, r.content

    user = User.objects.get(pk=cast.guard_a.pk)
    user.cached_memberships  # noqa: B018 — loaded once, as a request does

    print(
        f"floor request (GET /healthz)  {per_call(lambda: client.get('/healthz'), args.n):.2f} ms"
    )
    floor_ms = per_call(floor, args.n)
    passage_ms = per_call(passage, args.n)
    print(f"floor view (POST /bench/floor) {floor_ms:.2f} ms")
    print(f"passage request                {passage_ms:.2f} ms")
    print(f"CPU ratio floor/passage        {floor_ms / passage_ms:.2f}")
    check = per_call(lambda: get_post(user, post.pk, write=True, resident_id=1), args.n)
    print(f"access check (get_post)        {check:.2f} ms")
    if args.profile:
        import cProfile
        import pstats

        profile = cProfile.Profile()
        profile.runcall(lambda: [passage() for _ in range(args.n)])
        pstats.Stats(profile).sort_stats(os.environ.get("SORT", "tottime")).print_stats(
            int(os.environ.get("TOP", "25"))
        )


if __name__ == "__main__":
    main()
