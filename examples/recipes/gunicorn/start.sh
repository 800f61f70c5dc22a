#!/bin/sh
# Starts gunicorn at release v1.
set -eu
mkdir -p run
echo v1 > run/release
: > run/ready
./gunicorn.sh start
