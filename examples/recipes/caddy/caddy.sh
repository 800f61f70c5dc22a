#!/bin/sh
# ./caddy.sh config blue|green   writes run/Caddyfile with that backend as the upstream
# ./caddy.sh start               starts caddy in the background (`caddy start` waits until it runs)
# ./caddy.sh reload              `caddy reload`: the new config, through the admin API
# ./caddy.sh stop                `caddy stop`, and waits until it has exited
set -eu
. ./wait-for.sh
port=${RECIPE_PORT:-8450}
# Caddy's own files (certificates, autosaved config) stay here, not in ~/.local and ~/.config.
export XDG_DATA_HOME="$PWD/run/caddy-data" XDG_CONFIG_HOME="$PWD/run/caddy-config"
caddy_at() { caddy "$@" --address "127.0.0.1:$((port + 3))"; }
case "$1" in
  config)
    upstream=$((port + $([ "$2" = blue ] && echo 1 || echo 2)))
    sed -e "s|__PORT__|$port|" -e "s|__ADMIN__|$((port + 3))|" -e "s|__UPSTREAM__|$upstream|" \
      Caddyfile.template > run/Caddyfile
    ;;
  start) caddy start --config run/Caddyfile --adapter caddyfile --pidfile run/caddy.pid >> run/caddy.log 2>&1 ;;
  reload) caddy_at reload --config run/Caddyfile --adapter caddyfile >> run/caddy.log 2>&1 ;;
  stop)
    [ -f run/caddy.pid ] || exit 0
    pid=$(cat run/caddy.pid)
    caddy_at stop >> run/caddy.log 2>&1 || kill -TERM "$pid" 2>/dev/null || true
    wait_gone "$pid"
    rm -f run/caddy.pid
    ;;
esac
