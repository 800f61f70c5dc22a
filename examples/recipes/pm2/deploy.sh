#!/bin/sh
# Deploys the next release: ./deploy.sh restart or ./deploy.sh reload.
set -eu
case "${1:-}" in
  restart | reload) ;;
  *) echo "usage: $0 restart|reload" >&2; exit 2 ;;
esac
export PM2_HOME="$PWD/run/pm2"
next="v$(( $(tr -dc 0-9 < run/release) + 1 ))"
echo "$next" > run/release
case "$1" in
  restart | reload) pm2 "$1" recipe-app ;;
esac
echo "$next is up"
