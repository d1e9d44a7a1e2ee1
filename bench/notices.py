"""Notices (issue 14) benchmark: a notice to 2,000 enterprises × 3 people.

1. 2,000 member enterprises under 30 chambers, each with 3 people of the register (one of them the
   enterprise's reporter, a user with an API token and the same phone) are built in bulk.
2. Sending is timed in-process: the audience resolved, 6,000 recipient rows written and the
   deliveries queued (in the app, email, SMS, the group robot) — the service the page and the
   API call.
3. gunicorn on 127.0.0.1 serves; every reporter acknowledges through the API
   (POST /api/v1/notices/inbox/{id}/ack, --concurrency clients), one in ten retried; the run
   checks every acknowledgement is stored once.
4. The roll-up page (/notices/{id}/, the federation admin) and the API roll-up are timed over
   --requests sequential requests (p50/p95/max).

    .venv/bin/python bench/notices.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gk_notices_bench .venv/bin/python bench/notices.py

The PostgreSQL database named in DATABASE_URL is dropped and created afresh. SQLite runs in a
temporary GONGKE_DATA_DIR.
"""

import argparse
import hashlib
import os
import secrets
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.resumption_reports import (  # noqa: E402
    fresh_database,
    request,
    session_cookie,
    summary,
)


def parse() -> argparse.Namespace:
    p = argparse.ArgumentParser()
    p.add_argument("--enterprises", type=int, default=2000)
    p.add_argument("--chambers", type=int, default=30)
    p.add_argument("--concurrency", type=int, default=8)
    p.add_argument("--requests", type=int, default=50)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--send-only", action="store_true", help="time the sending alone")
    return p.parse_args()


def build(n_enterprises: int, n_chambers: int):
    from django.core.management import call_command

    from gongke.accounts.models import ApiToken, Membership, Role, User
    from gongke.registry import services
    from gongke.registry.models import ChamberKind, Organization, OrgKind, Person, Position

    call_command("migrate", verbosity=0)
    office = services.create_organization(
        parent=None, kind=OrgKind.OFFICE, name="市社会组织服务中心"
    )
    federation = services.create_organization(
        parent=office, kind=OrgKind.FEDERATION, name="县工商联"
    )
    chambers = [
        services.create_organization(
            parent=federation, kind=OrgKind.CHAMBER, chamber_kind=ChamberKind.INDUSTRY,
            name=f"第{i}商会",
        )
        for i in range(n_chambers)
    ]  # fmt: skip
    pending = []
    for i in range(n_enterprises):
        chamber = chambers[i % n_chambers]
        n = i // n_chambers + 1
        pending.append(
            Organization(
                kind=OrgKind.ENTERPRISE, name=f"企业{i:04d}", parent=chamber,
                path=f"{chamber.path}{services._encode(n)}.", depth=chamber.depth + 1,
                industry="C",
            )
        )  # fmt: skip
    enterprises = Organization.objects.bulk_create(pending, batch_size=1000)
    positions = [Position.CHAIRMAN, Position.STAFF, Position.STAFF]
    Person.objects.bulk_create(
        [
            Person(organization=e, name=f"联系人{e.pk}-{k}", position=positions[k],
                   phone=f"13{e.pk:07d}{k}")
            for e in enterprises
            for k in range(3)
        ],
        batch_size=2000,
    )  # fmt: skip
    users = User.objects.bulk_create(
        [User(username=f"r{e.pk}", password="!", phone=f"13{e.pk:07d}0") for e in enterprises],
        batch_size=1000,
    )
    Membership.objects.bulk_create(
        [Membership(user=u, organization=e, role=Role.REPORTER) for u, e in zip(users, enterprises, strict=True)],
        batch_size=1000,
    )  # fmt: skip
    raws = ["gk_" + secrets.token_urlsafe(32) for _ in users]
    ApiToken.objects.bulk_create(
        [
            ApiToken(user=u, name="bench", prefix=r[:8], key_hash=hashlib.sha256(r.encode()).hexdigest())
            for u, r in zip(users, raws, strict=True)
        ],
        batch_size=1000,
    )  # fmt: skip
    fed_admin = User.objects.create(username="fed_admin", password="!")
    Membership.objects.create(user=fed_admin, organization=federation, role=Role.ORG_ADMIN)
    _t, fed_raw = ApiToken.issue(user=fed_admin, name="bench")
    return federation, fed_admin, fed_raw, raws


def main() -> None:
    args = parse()
    fresh_database()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongke.settings")
    os.environ["AXES_ENABLED"] = "0"
    import django

    django.setup()
    from django.db import connection

    from gongke.notices import services
    from gongke.notices.models import Delivery, NoticeSettings, Recipient

    t0 = time.perf_counter()
    federation, fed_admin, fed_raw, raws = build(args.enterprises, args.chambers)
    print(
        f"setup: {len(raws)} enterprises × 3 people in {time.perf_counter() - t0:.1f} s", flush=True
    )
    NoticeSettings.objects.create(
        organization=federation,
        webhook_url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=bench",
    )
    notice = services.save_notice(
        user=fed_admin, organization=federation,
        data={"title": "关于做好复工复产工作的通知", "body": "各会员企业：\n\n请于今日回执。",
              "audience": {"all": True}, "channels": ["app", "email", "sms", "robot"],
              "fields": [{"label": "复工人数", "kind": "number", "required": True}]},
    )  # fmt: skip
    times = []
    for attempt in range(3):  # sent, then withdrawn for the next timing (best of 3)
        if attempt:
            # Raw deletes: a model delete() writes an audit entry per recipient (minutes).
            Delivery.objects.filter(notice=notice)._raw_delete(connection.alias)
            Recipient.objects.filter(notice=notice)._raw_delete(connection.alias)
            type(notice).objects.filter(pk=notice.pk).update(status="draft", sent_at=None)
            notice.refresh_from_db()
        t0 = time.perf_counter()
        services.send_notice(notice=notice, user=fed_admin)
        times.append(time.perf_counter() - t0)
        print(f"send attempt {attempt + 1}: {times[-1]:.2f} s", flush=True)
    rows = Recipient.objects.filter(notice=notice).count()
    queued = Delivery.objects.filter(notice=notice).count()
    print(
        f"\nsend: {rows} recipient rows, {queued} deliveries queued; "
        f"best {min(times):.2f} s, worst {max(times):.2f} s of {len(times)}",
        flush=True,
    )
    if args.send_only:
        return
    cookie = session_cookie(fed_admin)
    connection.close()

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "gongke.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(args.workers), "--threads", "4", "--timeout", "120",
         "--log-level", "warning"],
        cwd=ROOT, env=os.environ.copy(), stderr=open(os.devnull, "w"),  # noqa: SIM115
    )  # fmt: skip
    try:
        for _ in range(100):
            if server.poll() is not None:
                raise SystemExit("gunicorn exited")
            try:
                if request(f"{base}/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise SystemExit("gunicorn did not start")

        def ack(item: tuple[int, str]) -> list[tuple[int, float]]:
            i, raw = item
            # No Idempotency-Key: an acknowledgement is idempotent by itself (a retry answers
            # the first one, 200), so a client need not keep a key.
            headers = {"Authorization": f"Bearer {raw}"}
            url = f"{base}/api/v1/notices/inbox/{notice.pk}/ack"
            body = {"answers": {"f1": 30 + i % 20}, "note": "收到"}
            out = [request(url, data=body, headers=headers)]
            if i % 10 == 0:
                out.append(request(url, data=body, headers=headers))
            return out

        t0 = time.perf_counter()
        with ThreadPoolExecutor(args.concurrency) as pool:
            results = [r for rs in pool.map(ack, enumerate(raws)) for r in rs]
        window = time.perf_counter() - t0
        statuses: dict[int, int] = {}
        for status, _ms in results:
            statuses[status] = statuses.get(status, 0) + 1
        acked = Recipient.objects.filter(notice=notice, acknowledged_at__isnull=False).count()
        connection.close()
        print(
            f"\nacknowledgements: {len(results)} requests ({len(raws)} + retries) in {window:.1f} s = "
            f"{len(results) / window:.0f} req/s at concurrency {args.concurrency}; "
            f"statuses {statuses}; acknowledged rows {acked}",
            flush=True,
        )
        print(summary("ack POST (ms)", [ms for _s, ms in results]))
        assert acked == len(raws) and set(statuses) <= {200, 201}, statuses

        print("\n| request | n | p50 ms | p95 ms | max ms |\n|---|---|---|---|---|")
        for label, url, headers in [
            ("roll-up page, federation (30 chambers, 6,000 recipients)", f"/notices/{notice.pk}/", {"Cookie": cookie}),
            ("roll-up page, one chamber drilled down", f"/notices/{notice.pk}/?unit={federation.children.order_by('path').first().pk}", {"Cookie": cookie}),
            ("API roll-up", f"/api/v1/notices/{notice.pk}/rollup", {"Authorization": f"Bearer {fed_raw}"}),
        ]:  # fmt: skip
            request(base + url, headers=headers)  # warm
            ms = []
            for _ in range(args.requests):
                status, took = request(base + url, headers=headers)
                assert status == 200, (url, status)
                ms.append(took)
            print(summary(label, ms), flush=True)
        connection.close()
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
