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
