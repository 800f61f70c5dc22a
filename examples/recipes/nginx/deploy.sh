#!/bin/sh
# Deploys the next release to the idle colour and moves nginx onto it, then stops the old colour:
#   ./deploy.sh restart        nginx stopped (gracefully) and started again on the new upstream
#   ./deploy.sh reload         nginx -s reload onto the new upstream: new workers, no closed port;
#                              the old colour stopped once nginx answers from the new one
#   ./deploy.sh reload-nowait  the same, the old colour stopped as soon as nginx -s reload returns
set -eu
export RECIPE_PORT="${RECIPE_PORT:-8430}"
case "${1:-}" in
  restart | reload | reload-nowait) ;;
  *) echo "usage: $0 restart|reload|reload-nowait" >&2; exit 2 ;;
esac
. ./wait-for.sh
# Its error log from the start in run/, not in /var/log/nginx until the config is read.
nginx() { command nginx -p "$PWD/run" -c "$PWD/run/nginx.conf" -e "$PWD/run/nginx.log" "$@"; }
live=$(cat run/live)
idle=$([ "$live" = blue ] && echo green || echo blue)
next="v$(( $(tr -dc 0-9 < run/release) + 1 ))"
echo "$next" > run/release
./backend.sh start "$idle"
echo "$idle-$next is up"
./upstream.sh "$idle"
case "$1" in
  restart)
    old=$(cat run/nginx.pid)
    nginx -s quit
    wait_gone "$old"
    nginx
    ;;
  reload)
    nginx -s reload
    # The signal is sent, not obeyed yet: nginx reads its config and starts new workers after
    # `nginx -s reload` has returned. Until then the old workers route to the old colour.
    wait_serving "$idle-$next"
    ;;
  reload-nowait) nginx -s reload ;;
esac
echo "$idle" > run/live
echo "switched to $idle-$next"
./backend.sh stop "$live"
echo "$live stopped"
