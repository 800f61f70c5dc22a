#!/usr/bin/env bash
# Runs the tests (or the command given) while the machine is busy, as a shared CI runner or a laptop
# doing something else is: two `yes` loops per core, and the demo scenario run over and over beside
# them. A test that passes only on an idle machine fails here.
#   npm run test:busy                      # npm test, busy
#   npm run test:busy -- npx vitest run test/platform
set -euo pipefail
cd "$(dirname "$0")/.."

command=("$@")
((${#command[@]} > 0)) || command=(npm test)

scratch=$(mktemp -d)
# Everything started here is in this script's process group's children: stopped on any exit.
stop_load() {
  trap - EXIT INT TERM
  kill -- "${load_pids[@]}" 2>/dev/null || true
  # The demo's own processes (its platform's app) are in groups of their own: bench stops them on
  # SIGTERM, then they are gone.
  wait "${load_pids[@]}" 2>/dev/null || true
  rm -rf "$scratch"
}
load_pids=()
trap stop_load EXIT INT TERM

for ((i = 0; i < 2 * $(nproc); i++)); do
  yes >/dev/null &
  load_pids+=($!)
done
(
  # A new run starts when the last one ends; SIGTERM to this loop is passed on to the run.
  trap 'kill -TERM "$run" 2>/dev/null; wait "$run"; exit 0' TERM
  while true; do
    node bin/bench.js run scenarios/preboot.yaml --out "$scratch/demo" --force --quiet \
      >/dev/null 2>&1 &
    run=$!
    wait "$run" || true
  done
) &
load_pids+=($!)

echo "test-busy: $((2 * $(nproc))) busy loops and the demo in a loop; running: ${command[*]}" >&2
start=$(date +%s)
status=0
# In the background, so that a SIGTERM to this script is acted on at once (and passed on through
# stop_load) rather than after the command ends.
"${command[@]}" &
load_pids+=($!)
wait "$!" || status=$?
echo "test-busy: ${command[*]} exited $status after $(($(date +%s) - start)) s" >&2
exit "$status"
