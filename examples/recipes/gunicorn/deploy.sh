#!/bin/sh
# Deploys the next release:
#   ./deploy.sh restart   gunicorn stopped (gracefully), then started again
#   ./deploy.sh hup       kill -HUP: the master starts new workers and stops the old ones at once
#   ./deploy.sh usr2      kill -USR2: a new master with new workers beside the old, sharing the
#                         socket; the old master stopped (TERM, gracefully) once they are ready
set -eu
case "${1:-}" in
  restart | hup | usr2) ;;
  *) echo "usage: $0 restart|hup|usr2" >&2; exit 2 ;;
esac
. ./wait-for.sh
next="v$(( $(tr -dc 0-9 < run/release) + 1 ))"
echo "$next" > run/release
master=$(cat run/gunicorn.pid)
case "$1" in
  restart)
    ./gunicorn.sh stop
    ./gunicorn.sh start
    ;;
  hup)
    kill -HUP "$master"
    wait_ready "$next"
    ;;
  usr2)
    kill -USR2 "$master"
    wait_ready "$next"
    echo "$next is up"
    kill -TERM "$master"
    wait_gone "$master"
    # The new master names itself in the pid file once the old one is gone (within a second).
    tries=300
    until [ -s run/gunicorn.pid ] && [ "$(cat run/gunicorn.pid)" != "$master" ]; do
      tries=$((tries - 1)); [ "$tries" -gt 0 ] || { echo "the new master never took over" >&2; exit 1; }
      sleep 0.1
    done
    ;;
esac
echo "$next is serving"
