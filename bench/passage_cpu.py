"""CPU per passage request, in process: where a single passage's time goes.

    .venv/bin/python bench/passage_cpu.py [--n 200]

Builds the test cast (conftest.build_cast) in a fresh SQLite data dir, then measures with
`time.process_time` (no server, no network): the floor of a request (GET /healthz), a passage
request (POST /api/v1/community/passages with a duty officer's device token, through Django's
test client) and the access check alone (`community.access.get_post(write=True)`).
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
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongke.settings")
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

    from gongke.accounts.models import ApiToken, User
    from gongke.community.access import get_post

    _token, raw = ApiToken.issue(user=cast.guard_a, name="bench")
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    post = cast.post_a

    def passage() -> None:
        body = {"post_id": post.pk, "client_id": str(uuid.uuid4()), "direction": "in"}
        r = client.post(
            "/api/v1/community/passages",
            {**body, "name": "张三", "temperature": "36.5"},
            content_type="application/json",
        )
        assert r.status_code == 201, r.content

    user = User.objects.get(pk=cast.guard_a.pk)
    user.cached_memberships  # noqa: B018 — loaded once, as a request does

    print(
        f"floor request (GET /healthz)  {per_call(lambda: client.get('/healthz'), args.n):.2f} ms"
    )
    print(f"passage request                {per_call(passage, args.n):.2f} ms")
    check = per_call(lambda: get_post(user, post.pk, write=True, resident_id=1), args.n)
    print(f"access check (get_post)        {check:.2f} ms")


if __name__ == "__main__":
    main()
