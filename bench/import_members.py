"""Excel import of member enterprises and people: validation and import time.

    GONGKE_DATA_DIR=$(mktemp -d) .venv/bin/python bench/import_members.py [ROWS]

Runs on a fresh database (SQLite in GONGKE_DATA_DIR, or DATABASE_URL's database, which it
migrates; do not point it at a database you care about).
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongke.settings")
os.environ.setdefault("GONGKE_FAST_HASHER", "1")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402


def main(rows: int) -> None:
    call_command("migrate", verbosity=0)
    from auditlog.context import disable_auditlog

    from gongke.accounts.models import Membership, Role, User
    from gongke.lib.excel import build_xlsx
    from gongke.registry import imports, services
    from gongke.registry.models import ChamberKind, OrgKind

    with disable_auditlog():
        fed = services.create_organization(
            parent=None, kind=OrgKind.FEDERATION, name=f"基准县工商联{time.time()}"
        )
        chambers = [
            services.create_organization(
                parent=fed,
                kind=OrgKind.CHAMBER,
                chamber_kind=ChamberKind.INDUSTRY,
                name=f"基准商会{i}-{fed.pk}",
            )
            for i in range(20)
        ]
        admin = User.objects.create_user(username=f"bench{fed.pk}", password="x")
        Membership.objects.create(user=admin, organization=fed, role=Role.ORG_ADMIN)

    with __import__("django.utils.translation", fromlist=["override"]).override("zh-hans"):
        headers = imports.column_labels("organizations")
        data = build_xlsx(
            headers,
            [
                [
                    f"基准企业{i}有限公司",
                    "",
                    "制造业",
                    f"第{i % 12}镇",
                    "张三",
                    "13900001111",
                    "是" if i % 30 == 0 else "否",
                    50 + i % 100,
                    "李四",
                    "13900002222",
                    chambers[i % 20].name,
                ]
                for i in range(rows)
            ],
        )
        started = time.perf_counter()
        parsed = imports.parse_organizations(admin, data, "bench.xlsx")
        checked = time.perf_counter()
        assert not parsed.errors, parsed.errors[:5]
        created = services.import_organizations(rows=parsed.rows)
        done = time.perf_counter()
        print(
            f"organizations: {len(created)} rows  validate {checked - started:.2f} s  "
            f"import {done - checked:.2f} s  total {done - started:.2f} s"
        )

        headers = imports.column_labels("people")
        data = build_xlsx(
            headers,
            [
                [f"人员{i}", chambers[i % 20].name, "个人会员", f"139{i:08d}", "", "是", ""]
                for i in range(rows)
            ],
        )
        started = time.perf_counter()
        parsed = imports.parse_people(admin, data, "bench.xlsx")
        checked = time.perf_counter()
        assert not parsed.errors, parsed.errors[:5]
        created_people = services.import_people(rows=parsed.rows)
        done = time.perf_counter()
        print(
            f"people:        {len(created_people)} rows  validate {checked - started:.2f} s  "
            f"import {done - checked:.2f} s  total {done - started:.2f} s"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
