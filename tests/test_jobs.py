"""The background worker: a real `gongke worker` process takes jobs from the embedded queue."""

import os
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from gongke.accounts.models import ClientRequest
from gongke.ops.tasks import forget_old_client_keys


def test_a_worker_process_runs_a_queued_job(tmp_path):
    env = {
        **os.environ,
        "GONGKE_DATA_DIR": str(tmp_path),
        "JOBS_BACKEND": "sqlite",
        "JOBS_IMMEDIATE": "0",
    }
    env.pop("DATABASE_URL", None)
    worker = subprocess.Popen(
        [sys.executable, "-m", "gongke.cli", "worker", "--workers", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        subprocess.run(
            [
                sys.executable,
                "-c",
                "import django; django.setup(); from gongke.ops.tasks import heartbeat; heartbeat()",
            ],
            env={**env, "DJANGO_SETTINGS_MODULE": "gongke.settings"},
            check=True,
            timeout=60,
        )
        beat = tmp_path / "worker-heartbeat"
        deadline = time.monotonic() + 60  # a bound on waiting, not a performance assertion
        while not beat.exists() and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.2)
        assert beat.exists(), "the worker did not run the job"
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0]
    # The periodic jobs of every app are registered with the worker.
    assert "heartbeat_every_minute" in output


@pytest.mark.django_db
def test_old_client_keys_are_forgotten(cast):
    recent = ClientRequest.objects.create(
        user=cast.admin_a, key="new", endpoint="x", status=201, response={}
    )
    old = ClientRequest.objects.create(
        user=cast.admin_a, key="old", endpoint="x", status=201, response={}
    )
    ClientRequest.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=8))
    assert forget_old_client_keys() == 1
    assert list(ClientRequest.objects.values_list("key", flat=True)) == [recent.key]
