#!/bin/sh
# Stops the proxy its pid file names (SIGTERM, then SIGKILL after 10s).
set -u
rm -f "${METADATA_FILE:-}"
[ -f "$PID_FILE" ] || exit 0
pid=$(cat "$PID_FILE")
if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
  kill -TERM "$pid" 2>/dev/null
  i=0
  while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
  kill -KILL "$pid" 2>/dev/null || true
fi
rm -f "$PID_FILE"
