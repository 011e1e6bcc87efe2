#!/bin/sh
# Starts one proxy in the background, unless the one its pid file names is
# still running: a run interrupted after the start but before Terraform
# saved its state must not leave a second copy behind when it is re-run.
set -eu
mkdir -p "$RUN_DIR"
# All replicas share one bootstrap file; write it atomically.
tmp="$BOOTSTRAP_PATH.$$"
printf '%s' "$ENVOY_BOOTSTRAP" > "$tmp"
mv "$tmp" "$BOOTSTRAP_PATH"
# The Gateways' infrastructure labels and annotations, for this replica.
printf '%s\n' "$METADATA" > "$METADATA_FILE.$$"
mv "$METADATA_FILE.$$" "$METADATA_FILE"

running() {
  [ -f "$PID_FILE" ] || return 1
  pid=$(cat "$PID_FILE")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  # A recycled pid belongs to another program: check it is ours.
  [ ! -r "/proc/$pid/cmdline" ] || tr '\0' ' ' < "/proc/$pid/cmdline" | grep -q -- "--service-node $NODE_ID"
}

if running; then
  echo "$NODE_ID already running (pid $(cat "$PID_FILE"))"
  exit 0
fi
# setsid: the proxy outlives Terraform and the control plane, and a signal
# to their process group (Ctrl-C) does not reach it.
# shellcheck disable=SC2086 # PROXY_COMMAND is a program and its arguments.
setsid $PROXY_COMMAND -c "$BOOTSTRAP_PATH" --service-node "$NODE_ID" >"$LOG_FILE" 2>&1 </dev/null &
echo $! > "$PID_FILE"
# A proxy that cannot start fails the apply, with its own words.
sleep 1
if ! kill -0 "$(cat "$PID_FILE")" 2>/dev/null; then
  echo "$NODE_ID exited at once: $(tail -n 5 "$LOG_FILE")" >&2
  rm -f "$PID_FILE"
  exit 1
fi
echo "$NODE_ID started (pid $(cat "$PID_FILE"))"
