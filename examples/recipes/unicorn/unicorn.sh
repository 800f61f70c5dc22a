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
    # .oldbin: the old master of a USR2 deploy that was interrupted before its QUIT.
    for file in run/unicorn.pid run/unicorn.pid.oldbin; do
      [ -f "$file" ] || continue
      pid=$(cat "$file")
      kill -QUIT "$pid" 2>/dev/null || true
      wait_gone "$pid"
    done
    ;;
esac
