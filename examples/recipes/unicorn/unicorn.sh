#!/bin/sh
# ./unicorn.sh start   starts unicorn (-D: it detaches) and waits until its workers are ready
# ./unicorn.sh stop    stops it gracefully (QUIT: workers finish their requests) and waits
set -eu
. ./wait-for.sh
case "$1" in
  start)
    unicorn -c unicorn.rb -D config.ru
    wait_ready "$(cat run/release)"
    ;;
  stop)
    [ -f run/unicorn.pid ] || exit 0
    pid=$(cat run/unicorn.pid)
    kill -QUIT "$pid" 2>/dev/null || true
    wait_gone "$pid"
    ;;
esac
