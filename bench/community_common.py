"""Shared set-up for the community benchmarks: a fresh database, a county, a post, a duty officer.

PostgreSQL: database gk_community_bench on 127.0.0.1 (dropped and recreated). SQLite: a file in a
temporary GONGKE_DATA_DIR.
"""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
PG_URL = "postgres://postgres@127.0.0.1:5432/gk_community_bench"


def environment(db: str) -> dict[str, str]:
    data_dir = tempfile.mkdtemp(prefix=f"gk_community_bench_{db}_")
    env = {
        **os.environ,
        "GONGKE_DATA_DIR": data_dir,
        "DJANGO_SETTINGS_MODULE": "bench.community_settings",
        "PYTHONPATH": str(ROOT),
        "DEBUG": "0",
        "JOBS_IMMEDIATE": "0",
    }
    env.pop("DATABASE_URL", None)
    if db == "postgres":
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS gk_community_bench WITH (FORCE)")
            conn.execute("CREATE DATABASE gk_community_bench")
        env["DATABASE_URL"] = PG_URL
    return env


def django(env: dict[str, str], *args: str) -> str:
    return subprocess.run(
        [PY, "-m", "django", *args], env=env, cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout


SETUP = r"""
import json
from django.db import connection
from gongke.accounts.models import ApiToken, Membership, Role, User
from gongke.census.models import Household, Resident
from gongke.lib.chinese import search_key
from gongke.registry import services
from gongke.registry.models import OrgKind, PlaceKind

fed = services.create_organization(parent=None, kind=OrgKind.FEDERATION, name="青原县工商业联合会")
chamber = services.create_organization(parent=fed, kind=OrgKind.CHAMBER, chamber_kind="industry", name="青原县钣金商会")
area = services.save_place(kind=PlaceKind.COMPOUND, name="东城花园小区", organization=chamber)
post = services.save_place(kind=PlaceKind.POST, name="东门卡口", organization=chamber, parent=area)
residents = []
for b in range(1, 11):
    for r in range(1, 21):
        h = Household.objects.create(place=area, building=str(b), unit="1", room=f"{r // 3 + 1}0{r % 3 + 1}-{r}")
        residents.append(Resident.objects.create(household=h, name=f"居民{b}-{r}", search_text=search_key(f"居民{b}-{r}")).pk)
user = User.objects.create_user(username="guard", password="x-long-bench-password-1")
m = Membership.objects.create(user=user, organization=chamber, role=Role.DUTY_OFFICER)
m.posts.add(post)
_t, raw = ApiToken.issue(user=user, name="bench")
with connection.cursor() as c:
    pk = "bigserial PRIMARY KEY" if connection.vendor == "postgresql" else "INTEGER PRIMARY KEY AUTOINCREMENT"
    c.execute(f"CREATE TABLE bench_floor (id {pk}, client_id varchar(36) NOT NULL UNIQUE, body text NOT NULL)")
print(json.dumps({"token": raw, "post_id": post.pk, "area_id": area.pk, "residents": residents,
                  "chamber_id": chamber.pk}))
"""


def prepare(db: str) -> tuple[dict[str, str], dict]:
    env = environment(db)
    django(env, "migrate", "-v0")
    out = subprocess.run(
        [PY, "-c", "import django; django.setup(); exec(open(0).read())"],
        input=SETUP,
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return env, json.loads(out.strip().splitlines()[-1])


def log(*args) -> None:
    print(*args, file=sys.stderr, flush=True)
