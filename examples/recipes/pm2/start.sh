#!/bin/sh
# Starts pm2's daemon (its files in run/pm2, apart from any other pm2) and the app at release v1.
set -eu
mkdir -p run
echo v1 > run/release
export PM2_HOME="$PWD/run/pm2"
pm2 start ecosystem.config.cjs
