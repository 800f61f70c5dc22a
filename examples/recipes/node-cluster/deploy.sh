#!/bin/sh
# Deploys the next release: ./deploy.sh restart-all (SIGHUP) or ./deploy.sh one-by-one (SIGUSR2).
set -eu
case "${1:-}" in
  restart-all | one-by-one) ;;
  *) echo "usage: $0 restart-all|one-by-one" >&2; exit 2 ;;
esac
. ./wait-for.sh
next="v$(( $(tr -dc 0-9 < run/release) + 1 ))"
echo "$next" > run/release
case "$1" in
  restart-all) kill -HUP "$(cat run/primary.pid)" ;;
  one-by-one) kill -USR2 "$(cat run/primary.pid)" ;;
esac
wait_for "$next ready" run/cluster.log
echo "$next is up"
