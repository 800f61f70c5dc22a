#!/bin/sh
# Stops the cluster (its workers drain first) and waits until it is gone.
set -u
. ./wait-for.sh
pid=$(cat run/primary.pid 2>/dev/null) || exit 0
kill -TERM "$pid" 2>/dev/null
wait_gone "$pid"
rm -f run/primary.pid
