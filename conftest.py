"""The cast shared by every test: a small county with two chambers and a user for each role.

office (supervising office)
└── federation
    ├── chamber_a (industry chamber)  ── enterprise a1 ── compound_a ─ post_a
    └── chamber_b (township chamber)  ── enterprise b1 ── compound_b ─ post_b
hospital: a recipient unit kept by the federation

admin            platform admin
fed_admin        organization admin of the federation
admin_a          organization admin of chamber A
staff_a          organization staff of chamber A
reporter_a1      enterprise reporter of A1
guard_a          duty officer at post_a
viewer_a         viewer of chamber A (read-only)
outsider_b       organization admin of chamber B: chamber A's records answer 404 to them
guard_ab         duty officer at post_a (chamber A) and viewer of chamber B: the post narrowing
                 holds for the duty membership although the other membership is not narrowed
staff_ab         organization staff of chamber A and viewer of chamber B (two sibling chambers):
                 writes in A, reads only in B
"""

import os
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import settings as hypothesis_settings

os.environ.setdefault("GONGKE_FAST_HASHER", "1")

# Property tests: no per-example deadline (a loaded CI machine is not a failing parser), and a
# fixed sequence of examples in CI so a run there is repeatable; developers get fresh ones.
hypothesis_settings.register_profile(
    "gongke", deadline=None, derandomize=os.environ.get("CI") == "true", print_blob=True
)
hypothesis_settings.load_profile("gongke")

PASSWORD = "a-long-test-password-42"


@pytest.fixture(scope="session", autouse=True)
def _cache_file():
    """The shared cache is a file per test process (settings.CACHE_PATH): gone afterwards."""
    from django.conf import settings

    yield
    path = getattr(settings, "CACHE_PATH", None)
    for suffix in ("", "-wal", "-shm"):
        if path is not None:
            Path(f"{path}{suffix}").unlink(missing_ok=True)


@pytest.fixture(scope="session")
def django_db_modify_db_settings_xdist_suffix(request):
    """One test database per xdist worker, as pytest-django does, except that an in-memory
    SQLite database (each worker process has its own already) keeps its name: pytest-django
    recognises one only by Django's own ENGINE, and ours is gongke.db.sqlite3."""
    from django.conf import settings

    suffix = getattr(request.config, "workerinput", {}).get("workerid")
    if not suffix:
        return
    for db in settings.DATABASES.values():
        name = db.get("TEST", {}).get("NAME")
        if not name and db["ENGINE"] == "gongke.db.sqlite3":
            continue
        db.setdefault("TEST", {})["NAME"] = f"{name or 'test_' + str(db['NAME'])}_{suffix}"


@pytest.fixture(autouse=True)
def empty_cache():
    """Rate-limit counters (sign-in failures, ID number reveals, self-registration) live in the
    cache, which outlives each test's database: every test starts with none counted."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def cast(db):
    return build_cast()


def build_cast():
    """The cast's records (the `cast` fixture; module-scoped fixtures call it directly)."""
    from gongke.accounts.models import Membership, Role, User
    from gongke.registry import services
    from gongke.registry.models import ChamberKind, Industry, OrgKind, PlaceKind, RecipientKind

    t_east = services.get_or_create_township("东城街道")
    t_south = services.get_or_create_township("南湖镇")
    office = services.create_organization(
        parent=None, kind=OrgKind.OFFICE, name="市社会组织服务中心"
    )
    federation = services.create_organization(
        parent=office, kind=OrgKind.FEDERATION, name="青原县工商业联合会", short_name="县工商联"
    )
    chamber_a = services.create_organization(
        parent=federation,
        kind=OrgKind.CHAMBER,
        chamber_kind=ChamberKind.INDUSTRY,
        name="青原县钣金商会",
    )
    chamber_b = services.create_organization(
        parent=federation,
        kind=OrgKind.CHAMBER,
        chamber_kind=ChamberKind.TOWNSHIP,
        name="南湖镇商会",
        township=t_south,
    )
    a1 = services.create_organization(
        parent=chamber_a,
        kind=OrgKind.ENTERPRISE,
        name="京博集团",
        credit_code="91110000600037341L",
        industry=Industry.MANUFACTURING,
        township=t_east,
        legal_representative="王伟",
        legal_representative_phone="13812345678",
        staff_count=120,
        is_executive=True,
    )
    b1 = services.create_organization(
        parent=chamber_b,
        kind=OrgKind.ENTERPRISE,
        name="南湖食品有限公司",
        industry=Industry.MANUFACTURING,
        township=t_south,
        legal_representative="李娜",
        staff_count=40,
    )
    compound_a = services.save_place(
        kind=PlaceKind.COMPOUND,
        name="东城花园小区",
        organization=chamber_a,
        township=t_east,
        without_property_management=True,
        households=240,
    )
    post_a = services.save_place(
        kind=PlaceKind.POST,
        name="东城花园东门卡口",
        organization=chamber_a,
        parent=compound_a,
        township=t_east,
    )
    compound_b = services.save_place(
        kind=PlaceKind.COMPOUND,
        name="南湖新村",
        organization=chamber_b,
        township=t_south,
        households=180,
    )
    post_b = services.save_place(
        kind=PlaceKind.POST,
        name="南湖新村北门卡口",
        organization=chamber_b,
        parent=compound_b,
        township=t_south,
    )
    hospital = services.save_place(
        kind=PlaceKind.RECIPIENT,
        recipient_kind=RecipientKind.HOSPITAL,
        name="青原县人民医院",
        organization=federation,
    )

    def user(username, role, org, **extra):
        u = User.objects.create_user(
            username=username, password=PASSWORD, display_name=username, **extra
        )
        if role is not None:
            Membership.objects.create(user=u, organization=org, role=role)
        return u

    admin = user("admin", None, None, is_superuser=True, is_staff=True)
    guard_a = user("guard_a", Role.DUTY_OFFICER, chamber_a)
    guard_a.memberships.get().posts.add(post_a)
    guard_ab = user("guard_ab", Role.DUTY_OFFICER, chamber_a)
    guard_ab.memberships.get().posts.add(post_a)
    Membership.objects.create(user=guard_ab, organization=chamber_b, role=Role.VIEWER)
    staff_ab = user("staff_ab", Role.ORG_STAFF, chamber_a)
    Membership.objects.create(user=staff_ab, organization=chamber_b, role=Role.VIEWER)
    return SimpleNamespace(
        password=PASSWORD,
        office=office,
        federation=federation,
        chamber_a=chamber_a,
        chamber_b=chamber_b,
        a1=a1,
        b1=b1,
        township_east=t_east,
        township_south=t_south,
        compound_a=compound_a,
        post_a=post_a,
        compound_b=compound_b,
        post_b=post_b,
        hospital=hospital,
        admin=admin,
        fed_admin=user("fed_admin", Role.ORG_ADMIN, federation),
        admin_a=user("admin_a", Role.ORG_ADMIN, chamber_a),
        staff_a=user("staff_a", Role.ORG_STAFF, chamber_a),
        reporter_a1=user("reporter_a1", Role.REPORTER, a1),
        guard_a=guard_a,
        viewer_a=user("viewer_a", Role.VIEWER, chamber_a),
        outsider_b=user("outsider_b", Role.ORG_ADMIN, chamber_b),
        guard_ab=guard_ab,
        staff_ab=staff_ab,
    )


@pytest.fixture
def client_for(client):
    """client_for(user) -> a test client signed in as that user (Django's test client)."""
    from django.test import Client

    def make(user):
        c = Client()
        c.force_login(user)
        return c

    return make


@pytest.fixture
def api_for(db):
    """api_for(user) -> a client that calls /api/v1 with a device token for that user."""
    from django.test import Client

    from gongke.accounts.models import ApiToken

    def make(user):
        _token, raw = ApiToken.issue(user=user, name="test device")
        return Client(headers={"Authorization": f"Bearer {raw}"})

    return make


# --- Real-browser tests: Playwright for Python driving Debian's chromium -------------------
# One Playwright instance per test process (a second sync_playwright() inside the first fails),
# so every browser test in the project uses these fixtures: `browser`, `page`, `phone`,
# `sign_in(page, username)`.

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip(
            f"no chromium at {CHROMIUM}: install Debian's chromium to run the browser tests"
        )
    # Playwright's sync API runs an event loop in this thread; the ORM calls made by the test
    # itself are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
            ],
        )
        yield browser
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def _close_live_connections():
    from django.db import connection

    if connection.vendor == "postgresql":
        # Connections opened by the live server's threads outlive the test; end them so the
        # test database can be dropped.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )


@pytest.fixture(scope="session", autouse=True)
def _live_server_one_request_at_a_time_on_sqlite():
    """The live server answers each browser connection in a thread of its own, but on SQLite's
    in-memory test database every thread shares one connection: two requests at once (a console
    syncing while the page loads) then fail with "cannot open savepoint - SQL statements in
    progress". On SQLite the server runs one request at a time, from the call into Django until
    the answer is closed; PostgreSQL gives each thread its own connection and is left alone."""
    import threading

    from django.core.servers.basehttp import ThreadedWSGIServer
    from django.db import connections
    from django.test import testcases

    lock = threading.RLock()

    class Answer:
        def __init__(self, result):
            self.result = result

        def __iter__(self):
            return iter(self.result)

        def close(self):
            try:
                close = getattr(self.result, "close", None)
                if close is not None:
                    close()
            finally:
                lock.release()

    class OneAtATime:
        def __init__(self, app):
            self.app = app

        def __call__(self, environ, start_response):
            lock.acquire()
            try:
                return Answer(self.app(environ, start_response))
            except BaseException:
                lock.release()
                raise

    class Server(ThreadedWSGIServer):
        def set_app(self, application):
            if connections["default"].vendor == "sqlite":
                application = OneAtATime(application)
            super().set_app(application)

    original = testcases.LiveServerThread.server_class
    testcases.LiveServerThread.server_class = Server
    yield
    testcases.LiveServerThread.server_class = original


def _settle_and_close(context):
    # A request the page still has in flight (a console asking for its key, an htmx poll) would
    # be served while the test database is flushed: SQLite then refuses the flush ("SQL
    # statements in progress") and the next tests find the last one's rows.
    for p in context.pages:
        try:
            p.wait_for_load_state("networkidle", timeout=5000)
        except Exception:  # a page that never settles is closed all the same
            pass
    context.close()
    _close_live_connections()


def _context(browser, live_server, monkeypatch, **options):
    from django.db import connection

    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 0)
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", **options)
    context.set_default_timeout(15000)
    return context


@pytest.fixture
def page(browser, live_server, monkeypatch):
    """A desktop browser tab on the live server (base_url set: page.goto('/accounts/login/'))."""
    context = _context(browser, live_server, monkeypatch, viewport={"width": 1280, "height": 900})
    yield context.new_page()
    _settle_and_close(context)


@pytest.fixture
def phone(browser, live_server, monkeypatch):
    """A phone-sized touch browser tab on the live server."""
    context = _context(
        browser,
        live_server,
        monkeypatch,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
    )
    yield context.new_page()
    _settle_and_close(context)


@pytest.fixture
def sign_in():
    """sign_in(page, username, password=PASSWORD): signs a browser tab in through the login page."""

    def do(page, username, password=PASSWORD):
        page.goto("/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("form.form button[type=submit]")
        page.wait_for_load_state()

    return do
