#!/bin/sh
# ./backend.sh start blue|green: starts that backend at run/release's release, waits until it listens.
# ./backend.sh stop blue|green: stops it (it drains first) and waits until it has exited.
set -eu
. ./wait-for.sh
case "$1" in
  start)
    : > "run/$2.log"
    node backend.mjs "$2" >> "run/$2.log" 2>&1 &
    echo $! > "run/$2.pid"
    wait_for "$2 listening" "run/$2.log"
    ;;
  stop)
    [ -f "run/$2.pid" ] || exit 0
    pid=$(cat "run/$2.pid")
    kill -TERM "$pid" 2>/dev/null || true
    wait_gone "$pid"
    rm -f "run/$2.pid"
    ;;
esac
