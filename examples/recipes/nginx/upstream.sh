#!/bin/sh
# ./upstream.sh blue|green: writes run/upstream.conf with that backend as nginx's upstream.
set -eu
port=$(( ${RECIPE_PORT:-8430} + $([ "$1" = blue ] && echo 1 || echo 2) ))
printf 'upstream app { server 127.0.0.1:%s; keepalive 8; }\n' "$port" > run/upstream.conf
