#!/bin/sh
# Deploys the next release to the idle colour and moves caddy onto it, then stops the old colour:
#   ./deploy.sh restart   caddy stopped and started again with the new upstream
#   ./deploy.sh reload    `caddy reload`: the new config applied in place, no closed port
set -eu
export RECIPE_PORT="${RECIPE_PORT:-8450}"
case "${1:-}" in
  restart | reload) ;;
  *) echo "usage: $0 restart|reload" >&2; exit 2 ;;
esac
next="v$(( $(tr -dc 0-9 < run/release) + 1 ))"
echo "$next" > run/release
live=$(cat run/live)
idle=$([ "$live" = blue ] && echo green || echo blue)
./backend.sh start "$idle"
echo "$idle-$next is up"
./caddy.sh config "$idle"
case "$1" in
  restart) ./caddy.sh stop && ./caddy.sh start ;;
  # It returns once the new config runs (the admin API's /load is synchronous).
  reload) ./caddy.sh reload ;;
esac
echo "$idle" > run/live
echo "switched to $idle-$next"
./backend.sh stop "$live"
echo "$live stopped"
