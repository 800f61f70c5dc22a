#!/bin/sh
# Stops nginx and both backends.
set -u
[ -f run/nginx.pid ] && nginx -p "$PWD/run" -c "$PWD/run/nginx.conf" -s stop 2>/dev/null
./backend.sh stop blue
./backend.sh stop green
exit 0
