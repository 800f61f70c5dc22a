#!/bin/sh
# Deploys the next release:
#   ./deploy.sh restart   unicorn stopped (QUIT, gracefully), then started again
#   ./deploy.sh usr2      kill -USR2: a new master (and workers) beside the old, sharing the socket;
#                         QUIT to the old master once the new workers are ready
set -eu
case "${1:-}" in
  restart | usr2) ;;
  *) echo "usage: $0 restart|usr2" >&2; exit 2 ;;
esac
. ./wait-for.sh
next="v$(( $(tr -dc 0-9 < run/release) + 1 ))"
echo "$next" > run/release
master=$(cat run/unicorn.pid)
case "$1" in
  restart)
    ./unicorn.sh stop
    ./unicorn.sh start
    ;;
  usr2)
    kill -USR2 "$master"
    wait_ready "$next"
    echo "$next is up"
    # The old master's pid file is run/unicorn.pid.oldbin now; QUIT lets its workers finish.
    kill -QUIT "$master"
    wait_gone "$master"
    ;;
esac
echo "$next is serving"
