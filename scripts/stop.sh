#!/usr/bin/env bash
# Stop what `make run` started, by the PIDs it recorded: web server, Celery worker, embedded Redis.
set -uo pipefail
RUN_DIR=${RUN_DIR:-.run}

stop_pid() {  # name pidfile
  local name=$1 pidfile=$2 pid
  [ -f "$pidfile" ] || return 0
  pid=$(cat "$pidfile" 2>/dev/null || true)
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      echo "$name (pid $pid) did not stop in 10 s; killing it" >&2
      pkill -KILL -P "$pid" 2>/dev/null || true
      kill -KILL "$pid" 2>/dev/null || true
    fi
    echo "stopped $name (pid $pid)"
  fi
  rm -f "$pidfile"
}

stop_pid web "$RUN_DIR/web.pid"
stop_pid worker "$RUN_DIR/worker.pid"
stop_pid redis "$RUN_DIR/redis.pid"
