#!/bin/sh
# Starts puma at release v1.
set -eu
mkdir -p run
echo v1 > run/release
: > run/ready
./puma.sh start
