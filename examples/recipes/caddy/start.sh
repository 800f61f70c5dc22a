#!/bin/sh
# Starts blue at release v1 and caddy in front of it, on RECIPE_PORT (8450 by default).
set -eu
export RECIPE_PORT="${RECIPE_PORT:-8450}"
mkdir -p run
echo v1 > run/release
./backend.sh start blue
echo blue > run/live
./caddy.sh config blue
./caddy.sh start
