"""Light pages (issue 12.5): static files under hashed names, compressed, cached for a year; the
1 MB charting library only where a chart is drawn. The browser half is tests/test_browser_pages.py."""

import re

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

MANIFEST = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    """The static files as `gongke serve` prepares them: collected with the manifest storage,
    once for this module, and only Gongke's own files (compressing the admin's takes minutes)."""
    root = tmp_path_factory.mktemp("static")
    with override_settings(
        STATIC_ROOT=root,
        STORAGES=MANIFEST,
        WHITENOISE_USE_FINDERS=False,
        STATICFILES_FINDERS=["django.contrib.staticfiles.finders.FileSystemFinder"],
    ):
        call_command("collectstatic", interactive=False, verbosity=0)
        yield root


def test_collected_files_have_hashed_names_and_compressed_copies(collected):
    css = list((collected / "gongke").glob("app.*.css"))
    assert css, "no hashed copy of app.css"
    assert css[0].with_name(css[0].name + ".br").exists()
    assert css[0].with_name(css[0].name + ".gz").exists()


def test_pages_link_hashed_files_served_compressed_with_a_long_cache(collected, cast):
    client = Client()  # a new client builds the middleware again, with these settings
    client.force_login(cast.admin_a)
    page = client.get("/").content.decode()
    href = re.search(r'href="(/static/gongke/app\.[0-9a-f]{12}\.css)"', page)
    assert href, "the page does not link the hashed stylesheet"
    echarts = re.search(r'data-echarts="(/static/vendor/echarts\.min\.[0-9a-f]{12}\.js)"', page)
    assert echarts, "the page does not name the hashed charting library"

    r = client.get(href[1], headers={"accept-encoding": "gzip, br"})
    assert r.status_code == 200
    assert r["Content-Encoding"] == "br"
    assert "immutable" in r["Cache-Control"] and "max-age=315360000" in r["Cache-Control"]
    r = client.get(echarts[1], headers={"accept-encoding": "gzip"})
    assert r["Content-Encoding"] == "gzip"
    assert int(r["Content-Length"]) < 400_000  # 1 MB on disk


def test_serve_uses_the_manifest_storage_and_collects(monkeypatch, db):
    """`gongke serve` (what `make run` starts) asks for hashed, compressed files and collects
    them before gunicorn starts."""
    from gongke import cli

    calls = []
    monkeypatch.setenv("STATIC_MANIFEST", "")  # restored afterwards, whatever serve() sets
    monkeypatch.delenv("STATIC_MANIFEST")
    monkeypatch.setattr(cli, "prepare", lambda demo: calls.append(("prepare", demo)))
    monkeypatch.setattr(cli.subprocess, "call", lambda *a, **kw: calls.append(kw["env"]) or 0)
    monkeypatch.setattr(cli.subprocess, "Popen", None)
    assert cli.serve(["--no-worker"]) == 0
    assert calls[0] == ("prepare", False)
    assert calls[1]["STATIC_MANIFEST"] == "1"


def test_prepare_collects_only_when_a_static_file_changed(collected, db, monkeypatch, tmp_path):
    import django.core.management

    from gongke import cli

    assert not cli.static_outdated()  # just collected
    with override_settings(STATIC_ROOT=tmp_path):
        assert cli.static_outdated()  # never collected there

    commands = []
    real = django.core.management.call_command
    monkeypatch.setattr(
        django.core.management,
        "call_command",
        lambda name, *a, **kw: (
            commands.append(name) or (real(name, *a, **kw) if name == "migrate" else None)
        ),
    )
    cli.prepare(demo=False)
    assert commands == ["migrate"]
    monkeypatch.setattr(cli, "static_outdated", lambda: True)
    cli.prepare(demo=False)
    assert commands == ["migrate", "migrate", "collectstatic"]


def test_no_template_loads_the_charting_library_itself():
    from pathlib import Path

    import gongke

    root = Path(gongke.__file__).parent
    offenders = [
        str(p.relative_to(root))
        for p in root.rglob("*.html")
        if "echarts.min.js" in p.read_text(encoding="utf-8") and p.name != "base.html"
    ]
    assert offenders == []
    assert "<script src=\"{% static 'vendor/echarts" not in (
        root / "templates" / "base.html"
    ).read_text(encoding="utf-8")
