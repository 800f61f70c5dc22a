#!/bin/sh
# ./haproxy.sh config blue|green|both   writes run/haproxy.cfg with those servers
# ./haproxy.sh start                    starts haproxy (master-worker, in the background)
# ./haproxy.sh reload                   seamless reload: SIGUSR2 to the master
# ./haproxy.sh stop                     stops it at once (SIGTERM, what `systemctl stop` sends)
# ./haproxy.sh api COMMAND…             a runtime API command, through socat
# ./haproxy.sh status blue|green        that server's status (UP, DOWN, DRAIN, MAINT, …)
# ./haproxy.sh sessions blue|green      the requests it is serving now
set -eu
. ./wait-for.sh
port=${RECIPE_PORT:-8440}
case "$1" in
  config)
    servers=""
    for name in blue green; do
      [ "$2" = "$name" ] || [ "$2" = both ] || continue
      servers="$servers  server $name 127.0.0.1:$((port + $([ $name = blue ] && echo 1 || echo 2)))\n"
    done
    sed -e "s|__RUN__|$PWD/run|g" -e "s|__PORT__|$port|g" -e "s|__SERVERS__|$servers|" \
      haproxy.cfg.template > run/haproxy.cfg
    ;;
  # Its notices go to a file: the command that started it is long gone when they come.
  start) haproxy -D -f run/haproxy.cfg >> run/haproxy.log 2>&1 ;;
  reload) kill -USR2 "$(cat run/haproxy.pid)" ;;
  stop)
    [ -f run/haproxy.pid ] || exit 0
    pid=$(cat run/haproxy.pid)
    kill -TERM "$pid" 2>/dev/null || true
    wait_gone "$pid"
    rm -f run/haproxy.pid
    ;;
  api) shift; echo "$*" | socat stdio "unix-connect:run/haproxy.sock" ;;
  # `show stat` is CSV: field 2 the server, 5 its current sessions, 18 its status.
  status) ./haproxy.sh api show stat | awk -F, -v s="$2" '$1 == "app" && $2 == s { print $18 }' ;;
  sessions) ./haproxy.sh api show stat | awk -F, -v s="$2" '$1 == "app" && $2 == s { print $5 }' ;;
esac
