#!/bin/sh
# Deploys the next release.
# Blue-green, the new release started on the idle colour, haproxy moved onto it, the old stopped:
#   ./deploy.sh restart         haproxy stopped (SIGTERM) and started again on the new server
#   ./deploy.sh reload          a seamless reload onto it (SIGUSR2 to the master), then the old
#                               colour stopped once haproxy answers from the new one
# A pool of blue and green in rotation, each replaced by the new release in turn:
#   ./deploy.sh stop-backend    each stopped while haproxy still routes to it, until its health
#                               check fails
#   ./deploy.sh drain-backend   each drained through the runtime API first, stopped once it serves
#                               nothing, and made ready again once the new one is up
set -eu
export RECIPE_PORT="${RECIPE_PORT:-8440}"
case "${1:-}" in
  restart | reload | stop-backend | drain-backend) ;;
  *) echo "usage: $0 restart|reload|stop-backend|drain-backend" >&2; exit 2 ;;
esac
. ./wait-for.sh
next="v$(( $(tr -dc 0-9 < run/release) + 1 ))"
echo "$next" > run/release
live=$(cat run/live)
idle=$([ "$live" = blue ] && echo green || echo blue)
# wait_status SERVER STATUS: until haproxy's check sees that status (at most 30 s).
wait_status() {
  tries=300
  until [ "$(./haproxy.sh status "$1")" = "$2" ]; do
    tries=$((tries - 1)); [ "$tries" -gt 0 ] || { echo "$1 never $2" >&2; return 1; }
    sleep 0.1
  done
}
# wait_drained SERVER: until haproxy says it serves nothing (at most 30 s).
wait_drained() {
  tries=600
  until [ "$(./haproxy.sh sessions "$1")" = 0 ]; do
    tries=$((tries - 1)); [ "$tries" -gt 0 ] || { echo "$1 never drained" >&2; return 1; }
    sleep 0.05
  done
}
case "$1" in
  restart | reload)
    ./backend.sh start "$idle"
    echo "$idle-$next is up"
    ./haproxy.sh config "$idle"
    if [ "$1" = restart ]; then
      ./haproxy.sh stop
      ./haproxy.sh start
    else
      ./haproxy.sh reload
      wait_serving "$idle-$next"
    fi
    echo "$idle" > run/live
    echo "switched to $idle-$next"
    ./backend.sh stop "$live"
    echo "$live stopped"
    ;;
  stop-backend | drain-backend)
    for name in blue green; do
      old="$name-v$(( ${next#v} - 1 ))"
      if [ "$1" = drain-backend ]; then
        ./haproxy.sh api set server "app/$name" state drain
        wait_drained "$name"
      fi
      echo "stopping $old"
      ./backend.sh stop "$name"
      ./backend.sh start "$name"
      [ "$1" = drain-backend ] && ./haproxy.sh api set server "app/$name" state ready
      wait_status "$name" UP
      echo "$name-$next is up"
    done
    ;;
esac
