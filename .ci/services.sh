#!/usr/bin/env bash
# Make sure PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379) answer and Debian's chromium
# is there before the tests run:
# start them when they are installed but down, install them with apt-get when they are missing
# and we may (root), otherwise stop with a clear message. libfaketime (the end-to-end test's
# time travel) is installed the same way; without it only that test skips.
set -euo pipefail

PGHOST_ADDR=${PGHOST_ADDR:-127.0.0.1}
PGPORT=${PGPORT:-5432}
PGUSER_NAME=${PGUSER_NAME:-postgres}
PGDATABASE_NAME=${PGDATABASE_NAME:-mekling}
REDIS_PORT=${REDIS_PORT:-6379}

say() { printf 'services: %s\n' "$*"; }
die() { printf 'services: ERROR: %s\n' "$*" >&2; exit 1; }

can_install() { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; }

apt_install() {
  can_install || die "$1 is missing and cannot be installed here (needs root and apt-get). Install $1, or point TEST_DATABASE_URL / TEST_CELERY_BROKER_URL at running servers."
  say "installing $*"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

pg_up() { pg_isready -q -h "$PGHOST_ADDR" -p "$PGPORT" 2>/dev/null; }
redis_up() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; }

wait_for() {
  local what=$1 check=$2
  for _ in $(seq 1 30); do "$check" && return 0; sleep 1; done
  die "$what did not come up within 30 s"
}

ensure_postgres() {
  if [ -n "${TEST_DATABASE_URL:-}" ]; then say "using TEST_DATABASE_URL"; return; fi
  command -v pg_isready >/dev/null 2>&1 || apt_install postgresql postgresql-client
  if ! pg_up; then
    say "starting PostgreSQL"
    if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then apt_install postgresql; fi
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start \
      || die "PostgreSQL could not be started"
    wait_for PostgreSQL pg_up
  fi
  # Trust auth on 127.0.0.1 is the machine's default; the test database is made by pytest-django.
  psql -h "$PGHOST_ADDR" -p "$PGPORT" -U "$PGUSER_NAME" -d postgres -tAc "SELECT 1" >/dev/null \
    || die "cannot connect to PostgreSQL at $PGHOST_ADDR:$PGPORT as $PGUSER_NAME"
  say "PostgreSQL ok"
}

ensure_redis() {
  if [ -n "${TEST_CELERY_BROKER_URL:-}" ]; then say "using TEST_CELERY_BROKER_URL"; return; fi
  command -v redis-server >/dev/null 2>&1 || apt_install redis-server
  if ! redis_up; then
    say "starting Redis"
    mkdir -p /var/lib/redis /var/log/redis
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$REDIS_PORT" --save "" \
      --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log \
      || die "Redis could not be started"
    wait_for Redis redis_up
  fi
  say "Redis ok"
}

# The page tests drive Debian's chromium (Playwright never downloads a browser here).
ensure_browser() {
  if [ -n "${MEKLING_CHROMIUM:-}" ] || command -v chromium >/dev/null 2>&1; then
    say "chromium ok"; return
  fi
  apt_install chromium
  command -v chromium >/dev/null 2>&1 || die "chromium could not be installed"
  say "chromium ok"
}

# The end-to-end test runs worker and beat under libfaketime to travel in time.
ensure_faketime() {
  if compgen -G "/usr/lib/*/faketime/libfaketime.so.1" >/dev/null; then say "libfaketime ok"; return; fi
  if can_install; then apt_install faketime; say "libfaketime ok"; return; fi
  say "libfaketime is missing (apt-get install faketime): tests/scheduling/test_end_to_end.py skips"
}

ensure_postgres
ensure_redis
ensure_browser
ensure_faketime
