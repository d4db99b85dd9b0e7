#!/usr/bin/env bash
# `make run`: migrate, load labs and the demo course, start gunicorn and one Celery worker, print URL and logins.
# Web and worker processes are recycled now and then (--max-requests, --max-tasks-per-child): moto never frees the
# objects it tracks, and every account a process touched stays cached in it; the database holds the truth.
set -euo pipefail
RUN_DIR=${RUN_DIR:-.run}
PY=${PY:-.venv/bin/python}
VENV_BIN=$(cd "$(dirname "$PY")" && pwd)
PORT=${PORT:-8000}
mkdir -p "$RUN_DIR"

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

REDIS_URL=$(PY="$PY" RUN_DIR="$RUN_DIR" scripts/redis-up.sh)
export REDIS_URL DJANGO_SETTINGS_MODULE=config.settings

"$PY" manage.py migrate --noinput -v 0
"$PY" manage.py collectstatic --noinput -v 0
"$PY" manage.py load_labs
echo "demo logins:"
"$PY" manage.py load_demo

if alive "$RUN_DIR/web.pid"; then
  echo "web server already running (pid $(cat "$RUN_DIR/web.pid"))"
else
  "$VENV_BIN/gunicorn" config.wsgi:application --bind "127.0.0.1:$PORT" --workers "${WEB_WORKERS:-2}" \
    --daemon --pid "$PWD/$RUN_DIR/web.pid" --error-logfile "$PWD/$RUN_DIR/web.log" \
    --access-logfile "$PWD/$RUN_DIR/web-access.log" --capture-output \
    --max-requests 2000 --max-requests-jitter 200
fi
if alive "$RUN_DIR/worker.pid"; then
  echo "Celery worker already running (pid $(cat "$RUN_DIR/worker.pid"))"
else
  "$VENV_BIN/celery" -A config worker --detach --concurrency "${WORKER_CONCURRENCY:-2}" --loglevel INFO \
    --max-tasks-per-child 500 --beat --schedule "$PWD/$RUN_DIR/celerybeat-schedule" \
    --pidfile "$PWD/$RUN_DIR/worker.pid" --logfile "$PWD/$RUN_DIR/worker.log"
fi

url="http://127.0.0.1:$PORT/"
for _ in $(seq 1 100); do
  if "$PY" -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)" "${url}signin/" 2>/dev/null; then
    echo
    echo "IAM Training Console is running at $url  (Redis: $REDIS_URL; stop with: make stop)"
    exit 0
  fi
  sleep 0.2
done
echo "the web server did not answer at $url within 20 s; see $RUN_DIR/web.log" >&2
exit 1
