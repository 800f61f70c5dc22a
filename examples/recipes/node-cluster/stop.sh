#!/bin/sh
# Stops the cluster (its workers drain first) and waits until it is gone.
set -u
pid=$(cat run/primary.pid 2>/dev/null) || exit 0
kill -TERM "$pid" 2>/dev/null
while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
rm -f run/primary.pid
