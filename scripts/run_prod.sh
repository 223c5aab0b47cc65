#!/usr/bin/env bash
# The production configuration, run on this machine: `make run-prod`.
#
# lsp_assess.settings_production on gunicorn with PostgreSQL, a shared cache
# (Redis when REDIS_URL is set, otherwise the database cache) and the PDF
# worker, after collectstatic, migrate, load_question_bank and seed_demo, which
# loads the demo accounts (their password is published: never on a real site).
# Served over plain HTTP on 127.0.0.1 with LOCAL_PLAIN_HTTP, which production
# refuses for any other host name (see docs/deploy.md). Not a deployment.
# Without SECRET_KEY, a key is made once into SECRET_KEY_FILE and kept.
#
# Settings (environment): PORT (8000), DATABASE_URL
# (postgres://postgres@127.0.0.1:5432/lsp_assess_prod, created if missing),
# REDIS_URL or CACHE_BACKEND, SECRET_KEY (or SECRET_KEY_FILE, .run-prod-secret-key),
# WEB_CONCURRENCY (gunicorn workers, 3).
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
PORT="${PORT:-8000}"
export DJANGO_SETTINGS_MODULE=lsp_assess.settings_production
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/lsp_assess_prod}"
export ALLOWED_HOSTS="${ALLOWED_HOSTS:-127.0.0.1,localhost}"
export LOCAL_PLAIN_HTTP=true
export SECURE_SSL_REDIRECT=false
export SITE_URL="${SITE_URL:-http://127.0.0.1:$PORT}"
unset DEBUG
# shellcheck source=scripts/secret_key.sh
source scripts/secret_key.sh
if [ -z "${REDIS_URL:-}" ] && [ -z "${CACHE_BACKEND:-}" ]; then
  export CACHE_BACKEND=database
fi

# Create the database if it is missing (as .ci/run does), through the
# maintenance database of the same server.
"$PY" - <<'PYTHON'
import os
import sys

import dj_database_url
import psycopg2
from psycopg2 import sql

config = dj_database_url.parse(os.environ["DATABASE_URL"])
if "postgresql" not in config["ENGINE"]:
    sys.exit("run-prod runs on PostgreSQL: DATABASE_URL must be a postgres:// URL.")
try:
    server = psycopg2.connect(
        dbname="postgres",
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
        connect_timeout=10,
    )
except psycopg2.OperationalError as exc:
    sys.exit(f"PostgreSQL is not answering for {os.environ['DATABASE_URL']}: {exc}")
server.autocommit = True
with server.cursor() as cursor:
    cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]])
    if cursor.fetchone() is None:
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))
        print(f"Created database {config['NAME']}.")
server.close()
PYTHON

"$PY" manage.py collectstatic --no-input --verbosity 0
"$PY" manage.py migrate --no-input
if [ "${CACHE_BACKEND:-}" = database ]; then
  "$PY" manage.py createcachetable
fi
"$PY" manage.py load_question_bank
echo "Loading the demo accounts (password working-better-together): a trial on this machine, not a deployment."
"$PY" manage.py seed_demo --demo-site

# The worker and gunicorn stop together: on Ctrl+C, on SIGTERM, or if either ends.
"$PY" manage.py run_pdf_worker &
worker=$!
.venv/bin/gunicorn lsp_assess.wsgi:application \
  --bind "127.0.0.1:$PORT" \
  --workers "${WEB_CONCURRENCY:-3}" \
  --timeout 30 \
  --graceful-timeout 20 \
  --limit-request-line 8190 \
  --limit-request-fields 100 \
  --limit-request-field_size 8190 \
  --access-logfile - &
web=$!
stop() {
  kill -TERM "$web" "$worker" 2>/dev/null || true
  wait "$web" "$worker" 2>/dev/null || true
}
trap stop INT TERM
echo "Serving the production configuration on http://127.0.0.1:$PORT (Ctrl+C to stop)"
wait -n "$web" "$worker" || true
stop
