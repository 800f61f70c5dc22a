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
    [ -f run/gunicorn.pid ] || exit 0
    pid=$(cat run/gunicorn.pid)
    kill -TERM "$pid" 2>/dev/null || true
    wait_gone "$pid"
    ;;
esac
