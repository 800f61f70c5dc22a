#!/bin/sh
# Starts the cluster at release v1, in the background, and waits until its workers listen.
set -eu
mkdir -p run
echo v1 > run/release
node cluster.mjs > run/cluster.log 2>&1 &
echo $! > run/primary.pid
. ./wait-for.sh
wait_for "v1 ready" run/cluster.log
