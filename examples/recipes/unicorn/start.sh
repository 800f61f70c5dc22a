#!/bin/sh
# Starts unicorn at release v1.
set -eu
mkdir -p run
echo v1 > run/release
: > run/ready
./unicorn.sh start
