#!/usr/bin/env bash
# Runs lint, migration checks and the whole suite on SQLite, then again on PostgreSQL when one
# answers (DATABASE_URL, or 127.0.0.1:5432). CI sets CI=true: PostgreSQL is then required.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export PYTHONHASHSEED=0 GONGKE_FAST_HASHER=1 DJANGO_SETTINGS_MODULE=gongke.settings
export GONGKE_DATA_DIR="${GONGKE_DATA_DIR:-$(mktemp -d)}"
status=0
ONLY="${ONLY:-}"

step() { echo; echo "== $*"; }

if [ -z "$ONLY" ]; then
  step "lint (ruff, mypy, layers)"
  $BIN/ruff check gongke tests bench scripts || status=1
  $BIN/ruff format --check gongke tests bench scripts || status=1
  $BIN/mypy gongke tests || status=1
  $BIN/lint-imports || status=1
  step "migrations are committed"
  (unset DATABASE_URL; $BIN/python -m django makemigrations --check --dry-run) || status=1
fi

run_pytest() {
  # pytest exits 5 when it collected nothing: that is a failure here too.
  $BIN/python -m pytest -q -n "${TEST_WORKERS:-2}" --dist loadfile -p no:randomly "$@"
}

if [ "$ONLY" != "postgres" ]; then
  step "tests on SQLite"
  (unset DATABASE_URL; run_pytest) || status=1
fi

if [ "$ONLY" != "sqlite" ]; then
  PG="${DATABASE_URL:-${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/gongke}}"
  if $BIN/python - "$PG" <<'PY'
import sys, psycopg
from urllib.parse import urlparse
u = urlparse(sys.argv[1])
try:
    psycopg.connect(host=u.hostname, port=u.port or 5432, user=u.username or "postgres",
                    password=u.password, dbname="postgres", connect_timeout=3).close()
except Exception as exc:
    print(f"PostgreSQL does not answer at {u.hostname}:{u.port}: {exc}")
    sys.exit(1)
PY
  then
    step "tests on PostgreSQL ($PG)"
    DATABASE_URL="$PG" run_pytest || status=1
  elif [ "${CI:-}" = "true" ] || [ "$ONLY" = "postgres" ]; then
    echo "PostgreSQL is required here but does not answer."; status=1
  else
    step "PostgreSQL not found: the suite ran on SQLite alone (set DATABASE_URL to run it on PostgreSQL too)"
  fi
fi
exit $status
