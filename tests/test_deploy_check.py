"""`gongke check --deploy` is silent with production variables (and does complain without them)."""

import os
import secrets
import string
import subprocess
import sys


def run_check(tmp_path, **overrides):
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECURE": "1",
        "ALLOWED_HOSTS": "gongke.example.org",
        "SECRET_KEY": "".join(secrets.choice(alphabet) for _ in range(60)),
        "ID_HASH_KEY": "".join(secrets.choice(alphabet) for _ in range(60)),
        "GONGKE_DATA_DIR": str(tmp_path),
        **overrides,
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests in this process
    return subprocess.run(
        [sys.executable, "-m", "gongke.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deploy_check(tmp_path):
    result = run_check(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_deploy_check_notices_a_missing_https_setting(tmp_path):
    result = run_check(tmp_path, SECURE="0")
    assert result.returncode != 0
    assert "security.W" in result.stdout + result.stderr


def deploy_errors():
    from django.core.checks import run_checks

    return {m.id for m in run_checks(include_deployment_checks=True)}


def test_the_deploy_check_fails_while_an_account_has_the_demo_password(db):
    from gongke.accounts.models import User
    from gongke.ops.demo import DEMO_PASSWORD

    user = User.objects.create_user(username="guard", password=DEMO_PASSWORD)
    assert "gongke.E003" in deploy_errors()
    user.set_password("a-password-nobody-published")
    user.save()
    assert "gongke.E003" not in deploy_errors()


def test_the_deploy_check_finds_a_platform_admin_with_the_demo_password(db):
    from gongke.accounts.models import User
    from gongke.ops.demo import DEMO_PASSWORD

    User.objects.create_superuser(username="chief", password=DEMO_PASSWORD)
    assert "gongke.E003" in deploy_errors()


def test_serve_loads_the_demo_only_when_asked(db, capsys):
    """`gongke serve` alone never loads the demo county (its passwords are published);
    `make run` asks for it with --demo."""
    from pathlib import Path

    from gongke import cli
    from gongke.registry.models import Organization

    opts = cli.serve_options([])
    assert not opts.demo
    cli.prepare(demo=opts.demo)
    assert not Organization.objects.exists()
    assert "gongke-demo" not in capsys.readouterr().out
    assert cli.serve_options(["--demo"]).demo
    makefile = (Path(cli.__file__).parent.parent / "Makefile").read_text()
    assert "gongke serve --demo" in makefile
