#!/bin/sh
# Stops nginx and both backends.
set -u
. ./wait-for.sh
if [ -f run/nginx.pid ]; then
  pid=$(cat run/nginx.pid)
  kill -TERM "$pid" 2>/dev/null
  wait_gone "$pid"
fi
./backend.sh stop blue
./backend.sh stop green
exit 0
