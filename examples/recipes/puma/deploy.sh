#!/bin/sh
# Deploys the next release:
#   ./deploy.sh restart   puma stopped (gracefully), then started again
#   ./deploy.sh phased    kill -USR1: a phased restart, one worker at a time, the other serving
set -eu
case "${1:-}" in
  restart | phased) ;;
  *) echo "usage: $0 restart|phased" >&2; exit 2 ;;
esac
. ./wait-for.sh
next="v$(( $(tr -dc 0-9 < run/release) + 1 ))"
echo "$next" > run/release
case "$1" in
  restart)
    ./puma.sh stop
    ./puma.sh start
    ;;
  phased)
    kill -USR1 "$(cat run/puma.pid)"
    wait_ready "$next"
    ;;
esac
echo "$next is serving"
