#!/bin/sh
# ./gunicorn.sh start   starts gunicorn (it detaches) and waits until its workers are ready
# ./gunicorn.sh stop    stops it gracefully (SIGTERM: workers finish their requests) and waits
set -eu
. ./wait-for.sh
case "$1" in
  start)
    gunicorn -c gunicorn.conf.py app:app
    wait_ready "$(cat run/release)"
    ;;
  stop)
    # .2: the new master of a USR2 deploy that was interrupted before the old one was stopped.
    for file in run/gunicorn.pid run/gunicorn.pid.2; do
      [ -f "$file" ] || continue
      pid=$(cat "$file")
      kill -TERM "$pid" 2>/dev/null || true
      wait_gone "$pid"
    done
    ;;
esac
