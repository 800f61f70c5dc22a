#!/bin/sh
# ./start.sh blue    blue at release v1 behind haproxy (the blue-green ways)
# ./start.sh both    blue and green at v1, both in haproxy's rotation (the pool ways)
set -eu
export RECIPE_PORT="${RECIPE_PORT:-8440}"
mkdir -p run
echo v1 > run/release
./backend.sh start blue
[ "$1" = both ] && ./backend.sh start green
echo blue > run/live
./haproxy.sh config "$1"
./haproxy.sh start
