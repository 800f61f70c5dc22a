#!/bin/sh
# ./puma.sh start   starts puma in the background (its log in run/puma.log), waits for its workers
# ./puma.sh stop    stops it gracefully (SIGTERM: requests in flight are answered) and waits
set -eu
. ./wait-for.sh
case "$1" in
  start)
    puma -C puma.rb >> run/puma.log 2>&1 &
    wait_ready "$(cat run/release)"
    ;;
  stop)
    [ -f run/puma.pid ] || exit 0
    pid=$(cat run/puma.pid)
    kill -TERM "$pid" 2>/dev/null || true
    wait_gone "$pid"
    ;;
esac
