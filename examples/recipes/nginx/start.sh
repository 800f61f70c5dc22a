#!/bin/sh
# Starts blue at release v1 and nginx in front of it, on RECIPE_PORT (8430 by default).
set -eu
export RECIPE_PORT="${RECIPE_PORT:-8430}"
mkdir -p run
echo v1 > run/release
sed -e "s|__RUN__|$PWD/run|g" -e "s|__PORT__|$RECIPE_PORT|g" nginx.conf.template > run/nginx.conf
./backend.sh start blue
echo blue > run/live
./upstream.sh blue
nginx -p "$PWD/run" -c "$PWD/run/nginx.conf" -e "$PWD/run/nginx.log"
