"""The `gongke` command for operators.

gongke serve [--port 8000] [--no-worker]  migrate and serve (--demo: load the demo county into an empty database)
gongke worker                             run the background job worker (Huey)
gongke demo                               load the demo county (same data every time)
gongke createadmin                        create a platform admin
gongke backup FILE / gongke restore FILE  consistent copy of the database, and back
gongke <any Django command>               e.g. gongke migrate, gongke check --deploy
"""

import os
import subprocess
import sys


def _django(argv: list[str]) -> None:
    from django.core.management import execute_from_command_line

    execute_from_command_line(["gongke", *argv])


def _setup() -> None:
    import django

    django.setup()


def serve_options(args: list[str]):
    import argparse

    parser = argparse.ArgumentParser(prog="gongke serve")
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
    parser.add_argument("--no-worker", action="store_true")
    # The demo's passwords are published: it loads only when asked (make run), never by default.
    parser.add_argument("--demo", action="store_true", help="load the demo county if empty")
    parser.add_argument("--workers", default=os.environ.get("WEB_WORKERS", "2"))
    return parser.parse_args(args)


def prepare(*, demo: bool) -> None:
    """Migrate and collect the static files; with `demo`, load the demo county into an empty
    database and print its logins."""
    _setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    if "Manifest" in settings.STORAGES["staticfiles"]["BACKEND"] and static_outdated():
        # Hashed names (cached for a year by WhiteNoise) and .gz/.br copies, written here once
        # per change of a static file (compressing takes tens of seconds).
        print("Collecting and compressing the static files…", flush=True)
        call_command("collectstatic", interactive=False, verbosity=0)
    if demo:
        from gongke.ops.demo import print_logins
        from gongke.registry.models import Organization

        if Organization.objects.exists():
            print_logins()
        else:
            print("Loading the demo county…", flush=True)
            call_command("demo")  # prints the logins


def static_outdated() -> bool:
    """Whether a static file is newer than the last collection's manifest (or there is none)."""
    from pathlib import Path

    from django.conf import settings
    from django.contrib.staticfiles.finders import get_finders

    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if not manifest.exists():
        return True
    collected = manifest.stat().st_mtime
    return any(
        Path(storage.path(path)).stat().st_mtime > collected
        for finder in get_finders()
        for path, storage in finder.list([])
    )


def serve(args: list[str]) -> int:
    opts = serve_options(args)
    # Served compressed, under hashed names, with a long cache (settings STORAGES); an operator
    # may still say STATIC_MANIFEST=0 (static files read from the source tree, for development).
    os.environ.setdefault("STATIC_MANIFEST", "1")
    prepare(demo=opts.demo)

    worker = None
    if not opts.no_worker:
        worker = subprocess.Popen([sys.executable, "-m", "gongke.cli", "worker"])
    env = dict(os.environ)
    print(f"Gongke is serving at http://{opts.host}:{opts.port}/", flush=True)
    try:
        return subprocess.call(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "gongke.wsgi:application",
                "--bind",
                f"{opts.host}:{opts.port}",
                "--workers",
                str(opts.workers),
                "--threads",
                "4",
                "--access-logfile",
                "-",
                "--timeout",
                "120",
            ],
            env=env,
        )
    except KeyboardInterrupt:
        return 0
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=10)


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongke.settings")
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(__doc__)
        return 0
    command, rest = argv[0], argv[1:]
    if command == "serve":
        return serve(rest)
    if command == "worker":
        _django(["run_huey", *rest])
        return 0
    _django([command, *rest])
    return 0


if __name__ == "__main__":
    sys.exit(main())
